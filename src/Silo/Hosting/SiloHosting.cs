using System.Net;
using System.Net.Sockets;
using Clarity.Engine;
using Clarity.Grains;
using Clarity.Grains.State;
using Clarity.Silo.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Orleans.Configuration;
using Orleans.Storage;

namespace Clarity.Silo.Hosting;

/// <summary>
/// Adds a Clarity silo to a host. Two modes, chosen by <c>ConnectionStrings:Clarity</c>: embedded
/// (unset: SQLite file under <c>Clarity:DataDirectory</c>, localhost clustering) and cluster (set:
/// grain state, signal log and membership on PostgreSQL).
/// </summary>
public static class SiloHosting
{
    /// <summary>
    /// Reads and validates the <c>Clarity</c> configuration, prepares storage (creating or upgrading
    /// the schema) and adds an Orleans silo hosting the grains. Throws
    /// <see cref="ClarityConfigurationException"/> or <see cref="InvalidOperationException"/> with a
    /// message naming the key when something is wrong, so the process fails at start, not later.
    /// </summary>
    public static ClarityHostOptions AddClaritySilo(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configure = null)
    {
        var options = builder.AddClarityServices();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = options.CallTimeout);
            if (options.UsesPostgres)
            {
                silo.UseAdoNetClustering(clustering =>
                {
                    clustering.Invariant = PostgresStore.Invariant;
                    clustering.ConnectionString = options.ConnectionString;
                });
                // Given an address (tests, bare metal): advertise and listen on it only. Without one
                // (containers): advertise the host's address and listen on all interfaces.
                silo.ConfigureEndpoints(AdvertisedAddress(options), options.SiloPort, options.GatewayPort,
                    listenOnAnyHostAddress: string.IsNullOrEmpty(options.AdvertisedAddress));
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            }
            silo.AddClarityStorage(options);
            configure?.Invoke(silo);
        });
        return options;
    }

    /// <summary>
    /// The services a silo's grains need (validated options, the engine, the clock, the signal log)
    /// and the store's schema, without the Orleans host itself, so tests can put them into a test
    /// cluster.
    /// </summary>
    public static ClarityHostOptions AddClarityServices(this IHostApplicationBuilder builder)
    {
        var options = ClarityHostOptions.FromConfiguration(builder.Configuration);
        var errors = options.Validate().ToList();
        // The signal log deduplicates durably (unique per tenant, user and signal id) and grains
        // apply only what it accepted, so the engine's in-memory set of recent ids is off by default
        // in a silo: it held up to 2048 id strings per active user (more than the rest of a
        // long-lived user's self-model) and wrote them into every snapshot. Configuring
        // Clarity:Engine:RecentSignalIds still turns it on.
        var engineOptions = new EngineOptions { RecentSignalIds = 0 };
        builder.Configuration.GetSection("Clarity:Engine").Bind(engineOptions);
        errors.AddRange(engineOptions.Validate());
        var logOptions = builder.Configuration.GetSection("Clarity:SignalLog").Get<SignalLogOptions>() ?? new();
        errors.AddRange(logOptions.Validate());
        if (errors.Count > 0)
        {
            throw new ClarityConfigurationException(errors);
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(engineOptions);
        builder.Services.AddSingleton<BeliefEngine>();
        builder.Services.AddSingleton<SelfModelEvents>();
        builder.Services.AddSingleton<SelfModelCompactor>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Configure<SelfModelGrainOptions>(builder.Configuration.GetSection("Clarity:Grains"));
        builder.Services.AddSingleton(logOptions);

        if (options.UsesPostgres)
        {
            PostgresStore.EnsureSchemaAsync(options.ConnectionString!).GetAwaiter().GetResult();
            builder.Services.AddSingleton(_ => PostgresStore.CreateDataSource(options.ConnectionString!));
            builder.Services.AddSingleton<IStoreProbe, PostgresProbe>();
            builder.Services.AddSingleton<ISignalLogStore>(services => new PostgresSignalLogStore(services.GetRequiredService<NpgsqlDataSource>()));
        }
        else
        {
            SqliteStore.EnsureSchema(options.DataDirectory);
            builder.Services.AddSingleton<IStoreProbe>(new SqliteProbe(options.DataDirectory));
            builder.Services.AddSingleton<ISignalLogStore>(new SqliteSignalLogStore(SqliteStore.ConnectionString(options.DataDirectory)));
        }
        builder.Services.AddSingleton<GroupCommitSignalLog>();
        builder.Services.AddSingleton<ISignalLog>(services => services.GetRequiredService<GroupCommitSignalLog>());
        builder.Services.AddSingleton<IDecisionStore, DecisionStore>();
        return options;
    }

    /// <summary>Self-model storage through Orleans' ADO.NET provider, on PostgreSQL or the embedded SQLite store.</summary>
    public static ISiloBuilder AddClarityStorage(this ISiloBuilder silo, ClarityHostOptions options)
    {
        var (invariant, connectionString) = options.UsesPostgres
            ? (PostgresStore.Invariant, options.ConnectionString!)
            : (SqliteStore.Invariant, SqliteStore.ConnectionString(options.DataDirectory));
        silo.AddAdoNetGrainStorage(StorageNames.Clarity, storage =>
        {
            storage.Invariant = invariant;
            storage.ConnectionString = connectionString;
        });
        // Stored state uses Orleans' own binary serializer: compact, versioned by [Id].
        silo.Services.AddOptions<AdoNetGrainStorageOptions>(StorageNames.Clarity)
            .Configure<IServiceProvider>((storage, services) =>
                storage.GrainStorageSerializer = ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(services));
        return silo;
    }

    /// <summary>
    /// Adds an Orleans client of a Clarity cluster (the gateway's role <c>gateway</c>): ADO.NET
    /// clustering on PostgreSQL when <c>ConnectionStrings:Clarity</c> is set, else the local silo.
    /// Fails at start, naming the key, when PostgreSQL cannot be reached.
    /// </summary>
    public static ClarityHostOptions AddClarityClient(this IHostApplicationBuilder builder, Action<IClientBuilder>? configure = null)
    {
        var options = ClarityHostOptions.FromConfiguration(builder.Configuration);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ClarityConfigurationException(errors);
        }
        builder.Services.AddSingleton(options);
        if (options.UsesPostgres)
        {
            var dataSource = NpgsqlDataSource.Create(PostgresStore.Parse(options.ConnectionString!).ConnectionString);
            if (!PostgresStore.IsReachableAsync(dataSource, CancellationToken.None).GetAwaiter().GetResult())
            {
                dataSource.Dispose();
                var settings = PostgresStore.Parse(options.ConnectionString!);
                throw new InvalidOperationException(
                    $"Clarity cannot reach its cluster's PostgreSQL at host '{settings.Host}', port {settings.Port}, database '{settings.Database}' (ConnectionStrings:Clarity), or no silo has created the schema there yet.");
            }
            builder.Services.AddSingleton(dataSource);
            builder.Services.AddSingleton<IStoreProbe, PostgresProbe>();
        }
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = options.CallTimeout);
            if (options.UsesPostgres)
            {
                client.UseAdoNetClustering(clustering =>
                {
                    clustering.Invariant = PostgresStore.Invariant;
                    clustering.ConnectionString = options.ConnectionString;
                });
            }
            else
            {
                client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            }
            configure?.Invoke(client);
        });
        return options;
    }

    private static IPAddress AdvertisedAddress(ClarityHostOptions options)
    {
        if (!string.IsNullOrEmpty(options.AdvertisedAddress))
        {
            return IPAddress.Parse(options.AdvertisedAddress);
        }
        var addresses = Dns.GetHostAddresses(Dns.GetHostName());
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? IPAddress.Loopback;
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

internal sealed class PostgresProbe(NpgsqlDataSource dataSource) : IStoreProbe
{
    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) =>
        PostgresStore.IsReachableAsync(dataSource, cancellationToken);
}
