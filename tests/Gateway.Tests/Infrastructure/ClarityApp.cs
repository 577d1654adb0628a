extern alias gateway;

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Clarity.Gateway.Tests.Infrastructure;

/// <summary>
/// A real gateway host (HTTP API co-hosted with a silo on SQLite) for one test. Each instance gets
/// its own data directory and free Orleans ports so hosts never collide, and a fake clock for the
/// grains. Pass an existing <see cref="DataDirectory"/> to start a second host on the same store
/// (restart tests); the instance that created a directory deletes it.
/// </summary>
/// <remarks>
/// Settings go in through <c>UseSetting</c>, which the minimal-hosting factory applies before
/// <c>Program</c> reads its configuration, so validation at start sees them.
/// </remarks>
public sealed class ClarityApp : WebApplicationFactory<gateway::Program>
{
    /// <summary>The tests' "now" unless a test moves the clock.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The Development default service key (API.md).</summary>
    public const string DevKey = "dev-key";

    private bool _ownsDirectory;
    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;
    private readonly Action<IServiceCollection>? _services;

    public ClarityApp(
        string? dataDirectory = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        string environment = "Development",
        FakeTimeProvider? clock = null,
        Action<IServiceCollection>? services = null)
    {
        _ownsDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "clarity-http-tests-" + Guid.NewGuid().ToString("N"));
        Clock = clock ?? new FakeTimeProvider(Start);
        _environment = environment;
        _services = services;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Clarity:DataDirectory"] = DataDirectory,
            ["Clarity:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clarity:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    /// <summary>The grains' clock. Orleans' own background timers stay on real time.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>A client that sends <c>Authorization: Bearer {token}</c>, or no credentials when null.</summary>
    public HttpClient Client(string? token = DevKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            _services?.Invoke(services);
        });
    }

    /// <summary>
    /// Stops this host and starts a new one on the same data directory, clock and settings (new
    /// ports), as an operator restarting the process would. The new host owns the directory.
    /// </summary>
    public async Task<ClarityApp> RestartAsync()
    {
        _ownsDirectory = false;
        await DisposeAsync();
        var settings = new Dictionary<string, string?>(_settings, StringComparer.OrdinalIgnoreCase);
        settings.Remove("Clarity:SiloPort");
        settings.Remove("Clarity:GatewayPort");
        return new ClarityApp(DataDirectory, settings, _environment, Clock, _services) { _ownsDirectory = true };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // Pooled connections would keep the SQLite file open after the host is gone.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsDirectory)
        {
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>A loopback TCP port free right now, never one handed out before in this test process.</summary>
    public static int FreePort() => LoopbackPorts.Next();
}
