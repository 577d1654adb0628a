using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Clarity.Silo.Storage;

/// <summary>The embedded store: one SQLite file under the data directory, schema created at start.</summary>
public static class SqliteStore
{
    /// <summary>The ADO.NET invariant Orleans maps to Microsoft.Data.Sqlite (ORLEANS-NOTES 1.1).</summary>
    public const string Invariant = "System.Data.SQLite";

    public const string FileName = "clarity.db";

    /// <summary>The connection string for the store under <paramref name="dataDirectory"/> (relative to the working directory).</summary>
    public static string ConnectionString(string dataDirectory) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(Path.GetFullPath(dataDirectory), FileName),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        // Writers wait for each other this long (busy timeout) instead of failing at once.
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>
    /// Creates the directory and the schema, or upgrades them, idempotently. Throws with a message
    /// naming the path when the store cannot be opened.
    /// </summary>
    public static void EnsureSchema(string dataDirectory)
    {
        var directory = Path.GetFullPath(dataDirectory);
        try
        {
            Directory.CreateDirectory(directory);
            using var connection = new SqliteConnection(ConnectionString(dataDirectory));
            connection.Open();
            using (var pragma = connection.CreateCommand())
            {
                // WAL lets readers proceed while one writer commits; persistent in the file.
                pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
                pragma.ExecuteNonQuery();
            }
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = ReadScript("sqlite-persistence.sql") + ReadScript("sqlite-log.sql");
            command.ExecuteNonQuery();
            transaction.Commit();
        }
        catch (Exception exception) when (exception is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Clarity cannot open its embedded store at '{Path.Combine(directory, FileName)}' (Clarity:DataDirectory): {exception.Message}",
                exception);
        }
    }

    /// <summary>True when the store answers a trivial query.</summary>
    public static async Task<bool> IsReachableAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new SqliteConnection(ConnectionString(dataDirectory));
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM OrleansQuery";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) >= 4;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    internal static string ReadScript(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Clarity.Silo.Storage.Sql.{name}")
            ?? throw new InvalidOperationException($"The SQL script '{name}' is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
