using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Clarity.Cluster.Tests;

/// <summary>
/// The docker-compose topology as plain processes on loopback: a PostgreSQL database, three silo
/// processes (src/Silo) and a gateway process (src/Gateway with Clarity:Role=gateway).
/// </summary>
public sealed class ProcessCluster : IAsyncLifetime
{
    private readonly PostgresServer _postgres = new();

    public const string Tenant = "t1";
    public const string ServiceKey = "cluster-test-key";
    public const int SiloCount = 3;

    private readonly (int Silo, int Gateway, int Http)[] _ports = [.. Enumerable.Range(0, SiloCount).Select(_ => (PostgresServer.FreePort(), PostgresServer.FreePort(), PostgresServer.FreePort()))];
    private readonly int _gatewayHttpPort = PostgresServer.FreePort();

    public string ClusterId { get; } = "cluster-test-" + Guid.NewGuid().ToString("N")[..8];

    public string ServiceId { get; } = "clarity";

    public string ConnectionString { get; private set; } = "";

    public List<ClarityProcess> Silos { get; } = [];

    public ClarityProcess? Gateway { get; private set; }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>Where silo <paramref name="index"/> serves /healthz, /readyz and /metrics.</summary>
    public Uri SiloHttp(int index) => new($"http://127.0.0.1:{_ports[index].Http}");

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        ConnectionString = await _postgres.CreateDatabaseAsync("cluster_" + Guid.NewGuid().ToString("N")[..8]);
        Http.BaseAddress = new Uri($"http://127.0.0.1:{_gatewayHttpPort}");
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServiceKey);
        await StartAllAsync();
    }

    /// <summary>Starts the silos together (they race to create the schema), then the gateway.</summary>
    public async Task StartAllAsync()
    {
        Silos.Clear();
        for (var i = 0; i < SiloCount; i++)
        {
            Silos.Add(StartSilo(i));
        }
        await Task.WhenAll(Silos.Select(s => s.WaitStartedAsync()));
        Gateway = ClarityProcess.Start("gateway", Artifacts.Gateway, Settings(new()
        {
            ["Clarity__Role"] = "gateway",
            ["Clarity__Retry__Budget"] = "00:00:30",
            [$"Clarity__Tenants__{Tenant}__ApiKeys__0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ServiceKey))),
        }), "--urls", $"http://127.0.0.1:{_gatewayHttpPort}");
        await Gateway.WaitStartedAsync();
    }

    /// <summary>Stops every process that still runs, gracefully.</summary>
    public async Task StopAllAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.StopAsync();
            await Gateway.DisposeAsync();
        }
        await Task.WhenAll(Silos.Select(s => s.StopAsync()));
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await StopAllAsync();
        }
        finally
        {
            Http.Dispose();
            await _postgres.DisposeAsync();
        }
    }

    private ClarityProcess StartSilo(int index)
    {
        var (silo, gateway, http) = _ports[index];
        return ClarityProcess.Start($"silo-{index}", Artifacts.Silo, Settings(new()
        {
            ["Clarity__SiloPort"] = silo.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clarity__GatewayPort"] = gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clarity__AdvertisedAddress"] = "127.0.0.1",
            // Small enough that the test exercises snapshots and replay of the tail after them.
            ["Clarity__Grains__SnapshotEverySignals"] = "7",
        }), "--urls", $"http://127.0.0.1:{http}");
    }

    private Dictionary<string, string> Settings(Dictionary<string, string> specific)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Clarity"] = ConnectionString,
            ["Clarity__ClusterId"] = ClusterId,
            ["Clarity__ServiceId"] = ServiceId,
            // Calls in flight to the killed silo fail after this, as a 503 the load generator resends.
            ["Clarity__CallTimeout"] = "00:00:10",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (key, value) in specific)
        {
            settings[key] = value;
        }
        return settings;
    }
}

/// <summary>Where the built silo and gateway are: beside this test's build, same configuration.</summary>
public static class Artifacts
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Silo => Output("src/Silo", "Clarity.Silo.dll");

    public static string Gateway => Output("src/Gateway", "Clarity.Gateway.dll");

    private static string Output(string project, string assembly)
    {
        // bin/<Configuration>/<TargetFramework>/ of this test project.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var path = Path.Combine(RepositoryRoot, project, "bin", configuration, framework.Name, assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first (dotnet build).", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Clarity.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (Clarity.sln) above the test output.");
    }
}
