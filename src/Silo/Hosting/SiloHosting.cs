using Clarity.Engine;
using Clarity.Grains;
using Clarity.Silo.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Storage;

namespace Clarity.Silo.Hosting;

/// <summary>Adds a Clarity silo to a host: configuration, engine, storage and clustering.</summary>
public static class SiloHosting
{
    /// <summary>
    /// Reads and validates the <c>Clarity</c> configuration, prepares storage (creating or upgrading
    /// the schema) and adds an Orleans silo hosting the grains. Throws
    /// <see cref="ClarityConfigurationException"/> or <see cref="InvalidOperationException"/> with a
    /// message naming the key when something is wrong, so the process fails at start, not later.
    /// </summary>
    public static ClarityHostOptions AddClaritySilo(this IHostApplicationBuilder builder)
    {
        var options = builder.AddClarityServices();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            silo.AddClarityStorage(options);
        });
        return options;
    }

    /// <summary>
    /// The services a silo's grains need (validated options, the engine, the clock) and the store's
    /// schema, without the Orleans host itself, so tests can put them into a test cluster.
    /// </summary>
    public static ClarityHostOptions AddClarityServices(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ClarityHostOptions.Section).Get<ClarityHostOptions>() ?? new();
        var errors = options.Validate().ToList();
        var engineOptions = builder.Configuration.GetSection("Clarity:Engine").Get<EngineOptions>() ?? new();
        errors.AddRange(engineOptions.Validate());
        if (errors.Count > 0)
        {
            throw new ClarityConfigurationException(errors);
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(engineOptions);
        builder.Services.AddSingleton<BeliefEngine>();
        builder.Services.AddSingleton<SelfModelEvents>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Configure<SelfModelGrainOptions>(builder.Configuration.GetSection("Clarity:Grains"));

        SqliteStore.EnsureSchema(options.DataDirectory);
        builder.Services.AddSingleton<IStoreProbe>(new SqliteProbe(options.DataDirectory));
        return options;
    }

    /// <summary>Self-model storage through Orleans' ADO.NET provider on the embedded SQLite store.</summary>
    public static ISiloBuilder AddClarityStorage(this ISiloBuilder silo, ClarityHostOptions options)
    {
        var connectionString = SqliteStore.ConnectionString(options.DataDirectory);
        silo.AddAdoNetGrainStorage(StorageNames.Clarity, storage =>
        {
            storage.Invariant = SqliteStore.Invariant;
            storage.ConnectionString = connectionString;
        });
        // Stored state uses Orleans' own binary serializer: compact, versioned by [Id].
        silo.Services.AddOptions<AdoNetGrainStorageOptions>(StorageNames.Clarity)
            .Configure<IServiceProvider>((storage, services) =>
                storage.GrainStorageSerializer = ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(services));
        return silo;
    }
}

/// <summary>Tells readiness checks whether the store answers.</summary>
public interface IStoreProbe
{
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

internal sealed class SqliteProbe(string dataDirectory) : IStoreProbe
{
    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) =>
        SqliteStore.IsReachableAsync(dataDirectory, cancellationToken);
}
