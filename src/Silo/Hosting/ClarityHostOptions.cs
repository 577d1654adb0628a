namespace Clarity.Silo.Hosting;

/// <summary>
/// Host settings, configuration section <c>Clarity</c> (environment variables <c>Clarity__Key</c>).
/// The PostgreSQL connection string is <c>ConnectionStrings:Clarity</c>.
/// </summary>
public sealed class ClarityHostOptions
{
    public const string Section = "Clarity";

    /// <summary>Where the embedded SQLite store lives. Default <c>data</c> under the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>For src/Gateway: <c>all</c> (co-hosted silo, default) or <c>gateway</c> (Orleans client of a cluster).</summary>
    public string Role { get; set; } = "all";

    /// <summary>Orleans cluster id. Default <c>clarity</c>.</summary>
    public string ClusterId { get; set; } = "clarity";

    /// <summary>Orleans service id; part of every stored grain's key. Default <c>clarity</c>.</summary>
    public string ServiceId { get; set; } = "clarity";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The IP address a cluster silo advertises to the others (and listens on). Default: the first
    /// IPv4 address of the host name, which is the container's address under docker compose.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>How long an Orleans call may take before it fails (a 503 at the gateway). Default 30 s, as Orleans.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The PostgreSQL connection string, read from <c>ConnectionStrings:Clarity</c> (never from this
    /// section). When set, state, the signal log and membership live on PostgreSQL.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>True in cluster mode (PostgreSQL), false in the embedded default (SQLite, localhost clustering).</summary>
    public bool UsesPostgres => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>
    /// The most connections each of a process's two PostgreSQL pools opens (one for state and
    /// membership through Orleans' ADO.NET providers, one for the signal log and decisions), unless
    /// the connection string sets <c>Maximum Pool Size</c> itself. Default 40, so a silo holds at
    /// most 80 connections: Npgsql's own default of 100 per pool let three silos under load exceed
    /// the 100 connections a stock PostgreSQL accepts, and past a few dozen connections on a small
    /// server more of them only queue inside PostgreSQL instead of in the pool.
    /// </summary>
    public int MaxPoolSize { get; set; } = 40;

    /// <summary>Reads the section and the connection string.</summary>
    public static ClarityHostOptions FromConfiguration(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<ClarityHostOptions>() ?? new();
        options.ConnectionString = WithClarityDefaults(configuration.GetConnectionString("Clarity"), options.MaxPoolSize);
        return options;
    }

    // Defaults for both of a process's pools, each applied only when the operator's connection
    // string does not set the key itself (theirs wins); a string that does not parse is left for
    // the start-time check to report with its message.
    //
    // - Maximum Pool Size: the pool bound above.
    // - No Reset On Close: Npgsql otherwise resets a pooled connection's session when it is next
    //   opened (a sequence of reset statements sent ahead of the first command), and every storage
    //   operation opens one: each signal-log flush, each ADO.NET state read or write. Clarity sets
    //   no session state (no SET, temporary tables, LISTEN or session advisory locks; the schema
    //   lock is transaction-scoped), so the reset only cost PostgreSQL CPU: in same-session
    //   alternating load runs, 15-20% of its CPU per ingested signal and about half of it per cold
    //   activation.
    // - Max Auto Prepare: Orleans' ADO.NET providers send the same few statements over and over;
    //   prepared on each connection after two uses, PostgreSQL stops parsing and planning them. The
    //   signal log's data source sets the same (PostgresStore.CreateDataSource).
    private static string? WithClarityDefaults(string? connectionString, int maxPoolSize)
    {
        if (string.IsNullOrWhiteSpace(connectionString) || maxPoolSize < 1)
        {
            return connectionString;
        }
        try
        {
            var keys = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
            bool Default(string[] synonyms, object value)
            {
                if (synonyms.Any(keys.ContainsKey))
                {
                    return false;
                }
                keys[synonyms[0]] = value;
                return true;
            }
            Default(["Maximum Pool Size", "MaxPoolSize"], maxPoolSize);
            Default(["No Reset On Close", "NoResetOnClose"], true);
            // The operator's own Max Auto Prepare (0 turns it off) comes with their own minimum.
            if (Default(["Max Auto Prepare", "MaxAutoPrepare"], 16))
            {
                Default(["Auto Prepare Min Usages", "AutoPrepareMinUsages"], 2);
            }
            return keys.ConnectionString;
        }
        catch (ArgumentException)
        {
            return connectionString;
        }
    }

    /// <summary>One message per invalid setting, naming the key and what would be right.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            errors.Add("Clarity:DataDirectory must name a directory (default 'data').");
        }
        if (Role is not ("all" or "gateway"))
        {
            errors.Add($"Clarity:Role must be 'all' or 'gateway' (got '{Role}').");
        }
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            errors.Add("Clarity:ClusterId must not be empty (default 'clarity').");
        }
        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            errors.Add("Clarity:ServiceId must not be empty (default 'clarity').");
        }
        if (SiloPort is < 1 or > 65535)
        {
            errors.Add($"Clarity:SiloPort must be a TCP port 1..65535 (got {SiloPort}).");
        }
        if (GatewayPort is < 1 or > 65535)
        {
            errors.Add($"Clarity:GatewayPort must be a TCP port 1..65535 (got {GatewayPort}).");
        }
        if (AdvertisedAddress is { Length: > 0 } address && !System.Net.IPAddress.TryParse(address, out _))
        {
            errors.Add($"Clarity:AdvertisedAddress must be an IP address (got '{address}').");
        }
        if (MaxPoolSize < 1)
        {
            errors.Add($"Clarity:MaxPoolSize must be at least 1 (got {MaxPoolSize}).");
        }
        if (CallTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Clarity:CallTimeout must be positive (got {CallTimeout}).");
        }
        if (SiloPort == GatewayPort)
        {
            errors.Add($"Clarity:SiloPort and Clarity:GatewayPort must differ (both {SiloPort}).");
        }
        return errors;
    }
}

/// <summary>Thrown at start when configuration is invalid; the message lists every problem.</summary>
public sealed class ClarityConfigurationException(IReadOnlyList<string> errors)
    : Exception("Clarity cannot start: invalid configuration:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
