using System.Diagnostics;
using Clarity.Gateway.Tests.Infrastructure;
using Npgsql;

namespace Clarity.Cluster.Tests;

/// <summary>
/// A throwaway PostgreSQL server from the installed binaries, in a temporary directory, listening
/// on a free loopback port, stopped and removed at the end. initdb refuses root, so as root the
/// server runs as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "clarity-pg-" + Guid.NewGuid().ToString("N"));
    private string _bin = "";

    public int Port { get; } = FreePort();

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>A connection string for a database on this server.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        // The cluster opens many pools against one small server.
        MaxPoolSize = 40,
    }.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async Task InitializeAsync()
    {
        _bin = FindBinaries();
        Directory.CreateDirectory(_directory);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres:postgres", _directory);
        }
        await RunPostgresToolAsync("initdb", "-D", DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync");
        await StartAsync();
    }

    /// <summary>Starts the server (again) and returns once it accepts connections.</summary>
    public Task StartAsync() =>
        RunPostgresToolAsync("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=400", "start");

    /// <summary>An outage: stops the server at once (no checkpoint, connections cut), as a crash would.</summary>
    public Task CrashAsync() => RunPostgresToolAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");

    public async Task DisposeAsync()
    {
        try
        {
            await RunPostgresToolAsync("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "stop");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL server binaries (initdb, pg_ctl) are not installed; ./test.sh installs the postgresql package.");
    }

    private Task RunPostgresToolAsync(string tool, params string[] arguments) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    /// <summary>A loopback TCP port free right now, never one handed out before in this test process.</summary>
    public static int FreePort() => LoopbackPorts.Next();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
