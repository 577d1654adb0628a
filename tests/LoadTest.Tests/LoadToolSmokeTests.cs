extern alias gateway;

using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Clarity.LoadTest.Tests;

/// <summary>
/// Runs the load tool end to end, tiny and quick, against the real gateway pipeline listening on
/// loopback, and checks that the report has every section and every workload succeeded.
/// </summary>
public sealed class LoadToolSmokeTests
{
    [Fact]
    public async Task QuickRunAgainstAGatewayWritesAReportWithEverySection()
    {
        var output = Path.Combine(Path.GetTempPath(), "clarity-loadtest-smoke-" + Guid.NewGuid().ToString("N"));
        var ports = GatewayProcess.FreePorts(3);
        var port = ports[0];
        await using var app = new FloorsGateway(ports);
        app.StartServer();
        try
        {
            var options = LoadTestOptions.Parse(
                ["--quick", "--url", $"http://127.0.0.1:{port}", "--runs", "1", "--run-seconds", "0.2", "--warmup-seconds", "0.2",
                 "--concurrency", "4", "--users", "10", "--memory-users", "200", "--out", output],
                out var usage);
            Assert.True(options is not null, usage);

            var report = await LoadTestRunner.RunAsync(options, TextWriter.Null, CancellationToken.None);

            Assert.False(report.Failed, string.Join(Environment.NewLine, report.Notes));
            var markdown = await File.ReadAllTextAsync(Path.Combine(output, "report.md"));
            foreach (var section in Report.Sections)
            {
                Assert.Contains(section + "\n", markdown, StringComparison.Ordinal);
            }
            var measured = report.AllSeries.ToList();
            Assert.Equal(LoadTestRunner.Workloads(postgresFloor: false).Select(w => w.Name).Order(), measured.Select(s => s.Name).Order());
            Assert.All(measured, s =>
            {
                Assert.True(s.Requests > 0, $"{s.Name} sent no request");
                Assert.True(s.Errors == 0, $"{s.Name}: {s.FirstError}");
            });
            Assert.Equal([0, 20, 100], report.Memory.Select(m => m.TargetBeliefs));
            Assert.All(report.Memory, m => Assert.True(m.Users == 200 && double.IsFinite(m.BytesPerUser), m.Name));
            // The probe measures this whole process, which here also hosts the gateway under test: pools
            // it trims after the load phases move the heap by up to ~400 KB, as much as 200 trivial
            // grains hold, so only the self-models (15 KB and more each, 3 MB and more in all) stand
            // clear of that noise. The tool itself runs the gateway in another process.
            Assert.All(report.Memory.Skip(1), m => Assert.True(m.BytesPerUser > 0, m.Name));
            // The signal count is calibrated on one user, so others hold about, not exactly, the target.
            Assert.All(report.Memory.Skip(1), m => Assert.True(m.BeliefsPerUser > 0, m.Name));
            // The same users measured again once compacted (a second silo): every one was compacted
            // (the probe waits for that) into a compact form of some bytes.
            Assert.All(report.Memory.Skip(1), m => Assert.True(m.CompactedBytesPerUser is { } c && double.IsFinite(c) && m.CompactFormBytes > 0, m.Name));
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    /// <summary>The gateway with its benchmark floors mapped, on Kestrel at a loopback port, SQLite in a temp directory.</summary>
    private sealed class FloorsGateway : WebApplicationFactory<gateway::Program>
    {
        private readonly string _data = Path.Combine(Path.GetTempPath(), "clarity-loadtest-gw-" + Guid.NewGuid().ToString("N"));

        private readonly int[] _ports;

        /// <param name="ports">Distinct: HTTP, silo and silo gateway.</param>
        public FloorsGateway(int[] ports)
        {
            _ports = ports;
            UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, ports[0]));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Clarity:DataDirectory", _data);
            builder.UseSetting("Clarity:SiloPort", _ports[1].ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Clarity:GatewayPort", _ports[2].ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("Clarity:Benchmark:Floors", "true");
            builder.UseSetting("Clarity:RateLimits:Enabled", "false");
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(_data))
            {
                Directory.Delete(_data, recursive: true);
            }
            GC.SuppressFinalize(this);
        }
    }
}
