using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Clarity.LoadTest;

/// <summary>Everything measured in one run, and its markdown rendering (docs/performance/README.md quotes it).</summary>
internal sealed class Report(LoadTestOptions options)
{
    /// <summary>Headings every report has, in order; the smoke test checks them.</summary>
    public static readonly IReadOnlyList<string> Sections =
        ["## Machine and command", "## Throughput and latency", "## Budgets", "## Memory per active user", "## Many users", "## Noise", "## Notes"];

    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly List<(string Phase, List<Series> Series, Series? Raw, IReadOnlyList<Workload> Workloads)> _phases = [];
    private TimeSpan _duration;

    public string Machine { get; } = string.Create(CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} logical CPUs, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):0.#} GiB, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}");

    public bool Failed { get; set; }

    /// <summary>Beliefs the seeded users hold, read back from the gateway.</summary>
    public int BeliefsPerSeededUser { get; set; }

    public List<string> Notes { get; } = [];

    public List<MemoryResult> Memory { get; } = [];

    public ScaleResult? Scale { get; set; }

    public IEnumerable<Series> AllSeries => _phases.SelectMany(p => p.Series.Concat(p.Raw is null ? [] : [p.Raw]));

    public void AddPhase(string phase, List<Series> series, Series? raw, IReadOnlyList<Workload> workloads) => _phases.Add((phase, series, raw, workloads));

    public void Finish() => _duration = DateTimeOffset.UtcNow - _started;

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string F(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);

        Line("# Clarity load test report");
        Line();
        Line(Sections[0]);
        Line();
        Line($"- machine: {Machine}");
        Line($"- load generator and gateway share the machine (loopback, 127.0.0.1); started {_started:yyyy-MM-dd HH:mm} UTC, took {F(_duration.TotalMinutes, "0.0")} min");
        Line($"- settings: warm-up {F(options.Warmup.TotalSeconds)} s, {options.Runs} runs of {F(options.RunTime.TotalSeconds, "0.#")} s per figure (at most {options.MaxRequestsPerRun} requests each), " +
             $"connections {string.Join('/', options.Concurrency)}, {options.Users} users x {options.SignalsPerUser} purchases on distinct leaf categories = {BeliefsPerSeededUser} beliefs each (reads and reranks){(options.Quick ? ", --quick" : "")}");
        Line("- reproduce: `dotnet run -c Release --project tools/LoadTest` (add `--quick` for a smoke run; `--help` lists the options)");
        Line();

        Line(Sections[1]);
        Line();
        Line("Medians over the runs; spread is +- half the min-max range; latencies in ms (p50/p99/p99.9 medians over runs, max over all runs).");
        Line("Ratio is the figure's items/s over its floor's items/s at the same connection count, in the same phase; p99 x is its p99 over the floor's.");
        foreach (var (phase, series, raw, _) in _phases)
        {
            Line();
            Line($"### {phase}");
            Line();
            Line("| workload | conns | req/s | spread | items/s | p50 | p99 | p99.9 | max | errors | floor | ratio | p99 x |");
            Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
            foreach (var s in series.Concat(raw is null ? [] : [raw]))
            {
                var floor = FloorOf(s);
                Line($"| {s.Name} | {s.Concurrency} | {F(s.Rate)} | +-{F(s.Spread * 100)}% | {F(s.ItemRate)} {s.Unit} | {F(s.P50, "0.00")} | {F(s.P99, "0.00")} | {F(s.P999, "0.00")} | {F(s.Max, "0.0")} | {s.Errors} | " +
                     (floor is null ? "- | - | - |" : $"{floor.Name} | {F(s.ItemRate / floor.ItemRate, "0.00")}x | {F(s.P99 / floor.P99, "0.0")} |"));
            }
            foreach (var s in series.Where(s => s.Errors > 0))
            {
                Line();
                Line($"- {s.Name} at {s.Concurrency}: {s.Errors} errors of {s.Requests}; first: `{s.FirstError?.ReplaceLineEndings(" ")}`");
            }
            var costed = series.Concat(raw is null ? [] : [raw]).Where(s => s.Cost is not null).ToList();
            if (costed.Count > 0)
            {
                Line();
                Line("CPU time per item in us, medians over the runs: the gateway process, PostgreSQL's processes, and the whole machine (load generator and kernel included, all cores).");
                Line();
                Line("| workload | conns | gateway | PostgreSQL | machine |");
                Line("|---|---:|---:|---:|---:|");
                foreach (var s in costed)
                {
                    var cost = s.Cost!.Value;
                    Line($"| {s.Name} | {s.Concurrency} | {Us(cost.Gateway, "0.0")} | {Us(cost.Postgres, "0.0")} | {Us(cost.Machine, "0.0")} |");
                }
            }
        }
        Line();

        Line(Sections[2]);
        Line();
        Line("| budget (PERFORMANCE.md) | measured | verdict |");
        Line("|---|---|---|");
        foreach (var (budget, measured, met) in Budgets())
        {
            Line($"| {budget} | {measured} | {(met is null ? "not measured" : met.Value ? "met" : "**gap**")} |");
        }
        Line();

        Line(Sections[3]);
        Line();
        if (Memory.Count == 0)
        {
            Line("Not measured in this run.");
        }
        else
        {
            Line("Managed heap growth after activating N users in one silo (in-process, production hosting code), after a forced full compacting GC, divided by N.");
            Line();
            Line("Just used: as activated. Idle, compacted: the same users in a second silo with `Clarity:Grains:CompactAfter` of 1 s, measured once every one was compacted; the compact form is the byte array each holds, and the reads are 8 concurrent callers in-process, first rebuilding each user, then live.");
            Line();
            Line("| activations | users | beliefs each | bytes per user, just used | ratio to floor | idle, compacted | compact form | read compacted / live |");
            Line("|---|---:|---:|---:|---:|---:|---:|---:|");
            var floor = Memory[0].BytesPerUser;
            foreach (var m in Memory)
            {
                var compacted = m.CompactedBytesPerUser is { } c ? $"{F(c)} ({F(c / 1024, "0.0")} KB)" : "";
                var form = m.CompactFormBytes is { } f ? $"{F(f, "0")} B" : "";
                var reads = m.ReadCompactedMicroseconds is { } r && m.ReadLiveMicroseconds is { } l ? $"{F(r, "0")} / {F(l, "0")} us" : "";
                Line($"| {m.Name} | {m.Users} | {F(m.BeliefsPerUser)} | {F(m.BytesPerUser)} ({F(m.BytesPerUser / 1024, "0.0")} KB) | {F(m.BytesPerUser / floor, "0.0")}x | {compacted} | {form} | {reads} |");
            }
        }
        Line();

        Line(Sections[4]);
        Line();
        if (Scale is not { } scale)
        {
            Line("Not measured in this run.");
        }
        else
        {
            var seeded = scale.SeededThroughLog
                ? "written straight into the signal log through the production log store (multi-row statements, 4 writers); a user's state is its log, so a first activation reads the absent snapshot and replays 5 signals"
                : "sent through the gateway, which restarted every 250,000 users";
            Line($"Store: {scale.Store}. Population: {scale.UsersLoaded} of {scale.UsersRequested} requested users stored, {scale.SignalsPerUser} signals each, in {F(scale.LoadTime.TotalSeconds)} s ({F(scale.UsersLoaded / Math.Max(0.001, scale.LoadTime.TotalSeconds))} users/s, {F(scale.UsersLoaded * scale.SignalsPerUser / Math.Max(0.001, scale.LoadTime.TotalSeconds))} signals/s durable), {seeded}.");
            Line();
            if (scale.FloorWrites is { } writes)
            {
                Line($"- the activation floor's {scale.WorkingSet} grains (20 records each) stored through the same storage provider: {F(writes.RequestsPerSecond)} writes/s, errors {writes.Errors}");
            }
            if (scale is { ColdActivations: { } cold, FloorActivations: { } floorCold } && scale.ColdRounds.Count > 0)
            {
                var rounds = scale.ColdRounds;
                string Cpu(Func<ColdRound, CpuCost?> of)
                {
                    var costs = rounds.Select(of).OfType<CpuCost>().ToList();
                    if (costs.Count == 0)
                    {
                        return "";
                    }
                    var postgres = costs.Select(c => c.Postgres).OfType<double>().ToList();
                    return $", CPU per activation (median over rounds): gateway {F(Series.Median(costs.Select(c => c.Gateway)))} us" +
                        (postgres.Count == 0 ? "" : $", PostgreSQL {F(Series.Median(postgres))} us");
                }
                Line($"- cold reactivation after a restart, working set {scale.WorkingSet} users, 64 connections, in {rounds.Count} rounds of about {F(scale.WorkingSet / (double)rounds.Count)}: " +
                     "each round first-reads a fresh slice of the floor's grains and a same-sized fresh slice of the users, back to back, alternating which goes first (the floor in round 1), so neither always runs on the heap the other grew; " +
                     $"every member is read once, so every read is a first activation from storage. Before round 1, {scale.ColdWarmup.Floors} floor grains and {scale.ColdWarmup.Users} users stored outside the working set were first-read to compile the activation paths. " +
                     "Rates are medians over the rounds, spread +- half the min-max range, latencies medians of the rounds' p50/p99:");
                Line($"  - Clarity: {cold.Requests} first reads of stored users = **{F(cold.Rate)} activations/s** (+-{F(cold.Spread * 100)}%), p50 {F(cold.P50, "0.00")} ms, p99 {F(cold.P99, "0.00")} ms, max {F(cold.Max, "0")} ms, errors {cold.Errors}{Cpu(r => r.ClarityCpu)}");
                Line($"  - floor: {floorCold.Requests} first activations of stored trivial grains (one state read through the same provider) = {F(floorCold.Rate)} activations/s (+-{F(floorCold.Spread * 100)}%), p50 {F(floorCold.P50, "0.00")} ms, p99 {F(floorCold.P99, "0.00")} ms, max {F(floorCold.Max, "0")} ms, errors {floorCold.Errors}{Cpu(r => r.FloorCpu)}");
                Line($"  - Clarity's cold reactivation over the floor, the median of the {rounds.Count} per-round ratios: **{F(scale.ActivationRatio, "0.00")}x** " +
                     $"(PERFORMANCE.md's reference floor is ~2,200/s); by round: {string.Join("; ", rounds.Select(r => $"{r.Round + 1} ({(r.FloorFirst ? "floor" : "Clarity")} first) floor {F(r.Floor.RequestsPerSecond)}/s, Clarity {F(r.Clarity.RequestsPerSecond)}/s = {F(r.Ratio, "0.00")}x"))}");
                var cut = rounds.Where(r => r.Floor.Requests < r.Members || r.Clarity.Requests < r.Members).Select(r => r.Round + 1).ToList();
                if (cut.Count > 0)
                {
                    Line($"  - the time bound cut round(s) {string.Join(", ", cut)} short: not every member of those slices was read");
                }
            }
            if (scale.Rerank is { } rerank && scale.PlainJson is { } plain)
            {
                Line($"- rerank 100 candidates over the working set, 64 connections: {F(rerank.Rate)} req/s (+-{F(rerank.Spread * 100)}%), p99 {F(rerank.P99, "0.00")} ms; plain JSON floor in the same gateway {F(plain.Rate)} req/s, p99 {F(plain.P99, "0.00")} ms: **{F(rerank.Rate / plain.Rate, "0.00")}x**, p99 {F(rerank.P99 / plain.P99, "0.0")}x");
            }
            if (scale.UsersLoaded < scale.UsersRequested)
            {
                Line($"- the load budget ran out at {scale.UsersLoaded} users: loading {scale.UsersRequested} at this rate takes about {F(scale.UsersRequested / Math.Max(1, scale.UsersLoaded / Math.Max(0.001, scale.LoadTime.TotalSeconds)) / 60, "0")} min; activation and rerank costs do not depend on the stored population except through the store's index depth.");
            }
        }
        Line();

        Line(Sections[5]);
        Line();
        var spreads = AllSeries.Where(s => s.Runs.Count > 1).Select(s => s.Spread).Order().ToArray();
        Line(spreads.Length == 0
            ? "One run per figure: no spread."
            : $"Run-to-run spread of req/s over {spreads.Length} figures: median +-{F(Series.Median(spreads) * 100)}%, worst +-{F(spreads[^1] * 100)}%.");
        Line();

        Line(Sections[6]);
        Line();
        if (Notes.Count == 0)
        {
            Line("None.");
        }
        foreach (var note in Notes)
        {
            Line($"- {note}");
        }
        return md.ToString();
    }

    private Series? FloorOf(Series s)
    {
        var phase = _phases.FirstOrDefault(p => p.Phase == s.Phase);
        var floorName = phase.Workloads?.FirstOrDefault(w => w.Name == s.Name)?.Floor;
        if (floorName is null)
        {
            return null;
        }
        return floorName == LoadTestRunner.RawPostgres
            ? phase.Raw
            : phase.Series.FirstOrDefault(f => f.Name == floorName && f.Concurrency == s.Concurrency);
    }

    /// <summary>
    /// How much machine time per item a throughput budget leaves for what durability adds. At
    /// <paramref name="ratio"/> of the floor's rate, with every core busy all the time, Clarity may
    /// spend processors / (ratio x the floor's items/s) per item; of that, the work each item needs
    /// anyway takes what the <paramref name="baseline"/> (the same requests into a trivial grain)
    /// spends of the machine. Null without the machine's CPU readings.
    /// </summary>
    internal static DurabilityRoom? Room(int processors, double ratio, Series floor, Series baseline, Series durable)
    {
        if (floor.ItemRate <= 0 || baseline.Cost?.Machine is not { } spentAnyway)
        {
            return null;
        }
        var allowed = processors * 1_000_000.0 / (ratio * floor.ItemRate);
        return new DurabilityRoom(allowed, spentAnyway, allowed - spentAnyway, durable.Cost?.Postgres);
    }

    private static string Us(double? value, string format = "0") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private IEnumerable<(string Budget, string Measured, bool? Met)> Budgets()
    {
        string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);
        var top = options.Concurrency.Max();
        foreach (var (phase, series, raw, _) in _phases)
        {
            Series? Find(string name) => series.FirstOrDefault(s => s.Name == name && s.Concurrency == top);
            var plain = Find(LoadTestRunner.PlainJson);
            if (Find("rerank 100 candidates") is { } rerank && plain is not null)
            {
                var ratio = rerank.Rate / plain.Rate;
                var p99 = rerank.P99 / plain.P99;
                yield return ($"{phase}: HTTP rerank 100, {top} conns: >= 0.5x plain JSON req/s, p99 <= 3x", $"{F(ratio)}x, p99 {F(p99, "0.0")}x ({F(rerank.P99)} vs {F(plain.P99)} ms)", ratio >= 0.5 && p99 <= 3);
            }
            if (Find("read self-model") is { } read && Find("floor: trivial grain read (20 records)") is { } floorRead)
            {
                var ratio = read.Rate / floorRead.Rate;
                yield return ($"{phase}: HTTP read self-model >= 0.8x trivial grain read", $"{F(ratio)}x", ratio >= 0.8);
            }
            if (Find("ingest, 1 signal per request") is { } one && Find("floor: trivial grain ingest, 1 signal") is { } floorOne)
            {
                var ratio = one.Rate / floorOne.Rate;
                var room = Room(Environment.ProcessorCount, 0.8, floorOne, floorOne, one) is { } r
                    ? $"; at 0.8x Clarity may spend {F(r.Allowed, "0")} us of machine per request, the floor's own work takes {F(r.Baseline, "0")}, leaving {F(r.Room, "0")} us for all that durability adds; PostgreSQL alone spent {Us(r.Postgres)} us" +
                      (r.Postgres >= r.Room ? " (out of reach while PostgreSQL shares this machine)" : "")
                    : "";
                yield return ($"{phase}: HTTP ingest durable, 1 signal/request >= 0.8x trivial in-memory ingest", $"{F(ratio)}x{room}", ratio >= 0.8);
            }
            if (raw is not null && Find("ingest, 100 signals for 100 users") is { } batch)
            {
                var ratio = batch.ItemRate / raw.ItemRate;
                var room = Find("floor: trivial grain ingest, 100 signals for 100 users") is { } fanOut && Room(Environment.ProcessorCount, 0.5, raw, fanOut, batch) is { } r
                    ? $"; at 0.5x Clarity may spend {F(r.Allowed, "0")} us of machine per signal, the trivial fan-out takes {F(r.Baseline, "0")}, leaving {F(r.Room, "0")} us for all that durability adds; PostgreSQL spent {Us(r.Postgres)} us of it" +
                      (r.Postgres >= r.Room ? " (out of reach while PostgreSQL shares this machine)" : "")
                    : "";
                yield return ($"{phase}: HTTP ingest durable, batches of 100 >= 0.5x raw PostgreSQL rows/s", $"{F(ratio)}x ({F(batch.ItemRate, "0")} signals/s vs {F(raw.ItemRate, "0")} rows/s){room}", ratio >= 0.5);
            }
        }
        if (Memory.FirstOrDefault(m => m.TargetBeliefs == 20) is { } twenty)
        {
            yield return ("memory per active user with 20 beliefs <= 6 KB, just used", $"{F(twenty.BytesPerUser / 1024, "0.0")} KB ({F(twenty.BeliefsPerUser, "0")} beliefs)", twenty.BytesPerUser <= 6 * 1024);
            if (twenty.CompactedBytesPerUser is { } compacted)
            {
                yield return ("... idle past CompactAfter, compacted", $"{F(compacted / 1024, "0.0")} KB", compacted <= 6 * 1024);
            }
        }
        if (Scale is { ColdActivations: { } cold, FloorActivations: { } floorCold, Rerank: { } rerankScale, PlainJson: { } plainScale } scale && scale.ColdRounds.Count > 0)
        {
            var activation = scale.ActivationRatio;
            yield return ($"{scale.UsersLoaded} users in {scale.Store}, working set {scale.WorkingSet}: cold reactivation >= 0.8x the activation floor (stored trivial grain, same run)",
                $"{F(cold.Rate, "0")}/s vs {F(floorCold.Rate, "0")}/s (medians over {scale.ColdRounds.Count} rounds, alternating which goes first); median of the per-round ratios {F(activation)}x", activation >= 0.8);
            var ratio = rerankScale.Rate / plainScale.Rate;
            yield return ("... and reranks over the working set at the rerank budget", $"{F(ratio)}x plain JSON, p99 {F(rerankScale.P99 / plainScale.P99, "0.0")}x", ratio >= 0.5 && rerankScale.P99 / plainScale.P99 <= 3);
        }
        yield return ("engine: apply one signal to 50 beliefs <= 2 us; rerank 100 vs 50 beliefs <= 20 us", "BenchmarkDotNet, benchmarks/Engine.Benchmarks (see docs/performance/README.md)", null);
    }
}

/// <summary>
/// Machine time per item, in us, that a durable-ingest budget allows (<see cref="Allowed"/>), what
/// the same requests into a trivial grain spend of it (<see cref="Baseline"/>), what is left for
/// durability (<see cref="Room"/>), and what PostgreSQL spent per item in the durable workload.
/// </summary>
internal sealed record DurabilityRoom(double Allowed, double Baseline, double Room, double? Postgres);
