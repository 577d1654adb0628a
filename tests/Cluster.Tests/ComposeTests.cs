using System.Diagnostics;

namespace Clarity.Cluster.Tests;

/// <summary>
/// docker-compose.yml cannot run here (no container engine), so Debian's docker-compose validates
/// it and the tests check the topology it promises; ClusterTests runs the same topology as processes.
/// </summary>
public sealed class ComposeTests
{
    private static readonly string ComposeFile = Path.Combine(Artifacts.RepositoryRoot, "docker-compose.yml");

    [Fact]
    public async Task Compose_file_is_valid_and_declares_the_cluster_topology()
    {
        var (exitCode, output) = await ComposeAsync(new() { ["CLARITY_TENANT_KEY_SHA256"] = new string('a', 64) }, "config");
        Assert.True(exitCode == 0, output);

        var services = (await ComposeAsync(new() { ["CLARITY_TENANT_KEY_SHA256"] = new string('a', 64) }, "config", "--services")).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["gateway", "postgres", "silo"], services.Order());

        // Health checks everywhere, startup ordered on health, nothing that blocks --scale silo=3.
        Assert.Equal(3, CountOccurrences(output, "healthcheck:"));
        Assert.Equal(3, CountOccurrences(output, "condition: service_healthy"));
        Assert.Contains("target: silo", output, StringComparison.Ordinal);
        Assert.Contains("target: gateway", output, StringComparison.Ordinal);
        var silo = Section(output, "  silo:");
        Assert.DoesNotContain("ports:", silo, StringComparison.Ordinal);
        Assert.DoesNotContain("container_name", silo, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Clarity", silo, StringComparison.Ordinal);

        // The obsolete top-level version key is gone.
        Assert.DoesNotContain(File.ReadAllLines(ComposeFile), line => line.StartsWith("version:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compose_refuses_to_start_a_gateway_without_a_tenant_key()
    {
        var (exitCode, output) = await ComposeAsync(new(), "config");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("CLARITY_TENANT_KEY_SHA256", output, StringComparison.Ordinal);
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    // The lines of one service in `config` output: from its header to the next service header.
    private static string Section(string config, string header)
    {
        var lines = config.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == header);
        Assert.True(start >= 0, $"no {header.Trim()} in the compose output");
        var section = lines.Skip(start + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal) || l.Length == 0);
        return string.Join('\n', section);
    }

    private static async Task<(int ExitCode, string Output)> ComposeAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("docker-compose")
        {
            WorkingDirectory = Artifacts.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--file");
        start.ArgumentList.Add(ComposeFile);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Remove("CLARITY_TENANT_KEY_SHA256");
        start.Environment.Remove("CLARITY_DB_PASSWORD");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("docker-compose is not installed; ./test.sh installs the Debian package docker-compose.", exception);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output + await error);
        }
    }
}
