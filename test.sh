#!/usr/bin/env bash
# Runs Clarity's whole test suite. On a fresh machine it first installs what the tests need:
# Debian packages (PostgreSQL for the cluster tests, Chromium for the browser tests, docker-compose
# to validate docker-compose.yml) when they are missing. Usage: ./test.sh [extra dotnet test args]
set -euo pipefail
cd "$(dirname "$0")"

missing=()
have_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for package in $(sed -e 's/#.*//' .ci/packages.txt); do
  have_package "$package" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v dotnet >/dev/null; then
  echo "test.sh: the .NET 10 SDK is required (see global.json)" >&2
  exit 1
fi

mkdir -p artifacts
log=artifacts/test-output.txt
status=0
dotnet test Clarity.sln --results-directory artifacts/test-results "$@" 2>&1 | tee "$log" || status=$?

# One closing line for the whole suite, summed over the test assemblies.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit $status
