using System.Globalization;

namespace Clarity.LoadTest;

/// <summary>Command-line settings. Every loop the tool runs is bounded by these counts and times.</summary>
internal sealed class LoadTestOptions
{
    /// <summary>Attach to a running gateway instead of starting one (it must map the floors).</summary>
    public Uri? Url { get; set; }

    /// <summary>A running PostgreSQL to use instead of starting a throwaway one.</summary>
    public string? Postgres { get; set; }

    public bool SkipPostgres { get; set; }

    /// <summary>Skip the embedded-store (SQLite) HTTP phase, e.g. to measure only the PostgreSQL one.</summary>
    public bool SkipEmbedded { get; set; }

    public bool SkipMemory { get; set; }

    /// <summary>Skip the HTTP phases (embedded and PostgreSQL): memory and scale probes only.</summary>
    public bool SkipHttp { get; set; }

    public bool SkipScale { get; set; }

    public bool Quick { get; set; }

    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(20);

    public int Runs { get; set; } = 5;

    public TimeSpan RunTime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound on requests per measured run, whatever the time.</summary>
    public long MaxRequestsPerRun { get; set; } = 500_000;

    public IReadOnlyList<int> Concurrency { get; set; } = [16, 64];

    /// <summary>Users that get a self-model before the measured runs.</summary>
    public int Users { get; set; } = 5_000;

    /// <summary>
    /// Purchases each of those users made, on distinct leaf categories. A purchase supports its leaf
    /// and its ancestors, so 9 give about 20 beliefs (the report states the exact count).
    /// </summary>
    public int SignalsPerUser { get; set; } = 9;

    /// <summary>Only workloads whose name contains this (plus the floors they are compared with).</summary>
    public string? Only { get; set; }

    public int MemoryUsers { get; set; } = 5_000;

    public int ScaleUsers { get; set; } = 1_000_000;

    public int ScaleWorkingSet { get; set; } = 100_000;

    public TimeSpan ScaleLoadBudget { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>Where the report goes (markdown and JSON). Default artifacts/perf.</summary>
    public string Output { get; set; } = Path.Combine("artifacts", "perf");

    /// <summary>Extra gateway settings (Key=Value, configuration syntax with ':'), e.g. to lift rate limits.</summary>
    public List<KeyValuePair<string, string>> GatewaySettings { get; } = [];

    /// <summary>Path to Clarity.Gateway.dll; found next to the repository's build output by default.</summary>
    public string? GatewayDll { get; set; }

    public const string Usage = """
        Clarity.LoadTest: measures the gateway against its floors (docs/performance/README.md).
          --quick                 short warm-up and runs, small populations (a smoke run)
          --url URL               attach to a running gateway (must map Clarity:Benchmark:Floors)
          --pg CONNSTRING         use a running PostgreSQL instead of a throwaway one
          --no-pg                 embedded store only
          --no-embedded           PostgreSQL phase only (skip the embedded store's HTTP phase)
          --no-memory             skip the memory-per-user probe
          --no-http               skip the HTTP throughput phases
          --no-scale              skip the many-users probe
          --runs N                measured runs (default 5)
          --run-seconds S         length of one measured run (default 3)
          --warmup-seconds S      warm-up before measuring (default 20)
          --concurrency 16,64     connection counts
          --users N               users with self-models for reads and reranks (default 5000)
          --memory-users N        users activated by the memory probe (default 5000)
          --scale-users N         users stored for the scale probe (default 1000000)
          --working-set N         active users in the scale probe (default 100000)
          --scale-load-minutes M  time allowed to load the scale population (default 6)
          --signals-per-user N    purchases per seeded user, on distinct categories (default 9: about 20 beliefs)
          --only TEXT             only workloads whose name contains TEXT, with the plain JSON floor
          --set Key=Value         extra gateway setting (repeatable), e.g. --set Clarity:RateLimits:Enabled=false
          --gateway-dll PATH      the gateway to start (default: the build next to this tool)
          --out DIR               report directory (default artifacts/perf)
        """;

    public static LoadTestOptions? Parse(IReadOnlyList<string> args, out string usage)
    {
        usage = Usage;
        var options = new LoadTestOptions();
        var explicitSettings = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{arg} needs a value.");
                }
                return args[++i];
            }
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            explicitSettings.Add(arg);
            try
            {
                switch (arg)
                {
                    case "--quick": options.Quick = true; break;
                    case "--url": options.Url = new Uri(Next()); break;
                    case "--pg": options.Postgres = Next(); break;
                    case "--no-pg": options.SkipPostgres = true; break;
                    case "--no-embedded": options.SkipEmbedded = true; break;
                    case "--no-memory": options.SkipMemory = true; break;
                    case "--no-http": options.SkipHttp = true; break;
                    case "--no-scale": options.SkipScale = true; break;
                    case "--runs": options.Runs = NextInt(); break;
                    case "--run-seconds": options.RunTime = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--warmup-seconds": options.Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--concurrency": options.Concurrency = [.. Next().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))]; break;
                    case "--users": options.Users = NextInt(); break;
                    case "--memory-users": options.MemoryUsers = NextInt(); break;
                    case "--scale-users": options.ScaleUsers = NextInt(); break;
                    case "--working-set": options.ScaleWorkingSet = NextInt(); break;
                    case "--scale-load-minutes": options.ScaleLoadBudget = TimeSpan.FromMinutes(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--only": options.Only = Next(); break;
                    case "--signals-per-user": options.SignalsPerUser = NextInt(); break;
                    case "--gateway-dll": options.GatewayDll = Next(); break;
                    case "--out": options.Output = Next(); break;
                    case "--set":
                        var pair = Next();
                        var eq = pair.IndexOf('=', StringComparison.Ordinal);
                        if (eq <= 0)
                        {
                            throw new ArgumentException($"--set wants Key=Value (got '{pair}').");
                        }
                        options.GatewaySettings.Add(new(pair[..eq], pair[(eq + 1)..]));
                        break;
                    case "--help" or "-h": return null;
                    default: throw new ArgumentException($"Unknown option '{arg}'.");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                usage = e.Message + Environment.NewLine + Usage;
                return null;
            }
        }
        if (options.Quick)
        {
            // A smoke run: every section, tiny numbers. Explicit options still win.
            if (!explicitSettings.Contains("--warmup-seconds")) options.Warmup = TimeSpan.FromSeconds(1);
            if (!explicitSettings.Contains("--runs")) options.Runs = 2;
            if (!explicitSettings.Contains("--run-seconds")) options.RunTime = TimeSpan.FromSeconds(0.5);
            if (!explicitSettings.Contains("--users")) options.Users = 50;
            if (!explicitSettings.Contains("--memory-users")) options.MemoryUsers = 100;
            if (!explicitSettings.Contains("--scale-users")) options.ScaleUsers = 2_000;
            if (!explicitSettings.Contains("--working-set")) options.ScaleWorkingSet = 500;
            if (!explicitSettings.Contains("--scale-load-minutes")) options.ScaleLoadBudget = TimeSpan.FromMinutes(1);
        }
        if (options.Runs < 1 || options.Concurrency.Count == 0 || options.Concurrency.Any(c => c < 1) || options.Users < 1)
        {
            usage = "--runs, --concurrency and --users must be positive." + Environment.NewLine + Usage;
            return null;
        }
        return options;
    }
}
