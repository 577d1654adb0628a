using Clarity.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Clarity.Grains.Tests;

/// <summary>
/// One in-process silo for the collection, with the production grain storage (SQLite through the
/// ADO.NET provider) in a temporary directory and a fake clock for grains.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "clarity-grain-tests-" + Guid.NewGuid().ToString("N"));

    public FakeTimeProvider Clock { get; } = new(Start);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public SelfModelEvents Events => (SelfModelEvents)Cluster.GetSiloServiceProvider().GetService(typeof(SelfModelEvents))!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration["Clarity:DataDirectory"] = _dataDirectory;
            host.Configuration["Clarity:Grains:HousekeepingPeriod"] = "00:05:00";
            var options = host.AddClarityServices();
            host.Services.AddSingleton<TimeProvider>(Clock);
            host.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            host.Services.AddSingleton(options);
        });
        builder.ConfigureSilo((_, silo) => silo.AddClarityStorage(new ClarityHostOptions { DataDirectory = _dataDirectory }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
