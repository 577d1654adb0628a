using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Clarity.LoadTest;

/// <summary>
/// The real gateway (co-hosted silo) as a child process on 127.0.0.1, in the Development
/// environment for the dev key, with the benchmark floors mapped. Stopped by its pid.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();

    // Completed by the host's own "Application started" line (every hosted service, the silo
    // included, has started), or failed when the process exits first.
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public int ProcessId => _process.Id;

    /// <summary>The gateway's last lines of output, for a failure message.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                return string.Join(Environment.NewLine, _tail);
            }
        }
    }

    public static string FindGatewayDll(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return Path.GetFullPath(explicitPath);
        }
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var root = RepositoryRoot();
        var dll = Path.Combine(root, "src", "Gateway", "bin", configuration, "net10.0", "Clarity.Gateway.dll");
        return File.Exists(dll)
            ? dll
            : throw new FileNotFoundException($"The gateway is not built; run: dotnet build -c {configuration} tools/LoadTest", dll);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Clarity.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Run the load tool from inside the Clarity repository (no Clarity.sln above it).");
    }

    public static async Task<GatewayProcess> StartAsync(
        string dll,
        string dataDirectory,
        string? postgres,
        IEnumerable<KeyValuePair<string, string>> settings,
        TextWriter log,
        CancellationToken cancellationToken)
    {
        var ports = FreePorts(3);
        var url = new Uri($"http://127.0.0.1:{ports[0]}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url.ToString().TrimEnd('/'));
        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Development";
        env["DOTNET_ENVIRONMENT"] = "Development";
        env["Clarity__DataDirectory"] = Path.Combine(dataDirectory, "data");
        env["Clarity__SiloPort"] = ports[1].ToString(CultureInfo.InvariantCulture);
        env["Clarity__GatewayPort"] = ports[2].ToString(CultureInfo.InvariantCulture);
        env["Clarity__Benchmark__Floors"] = "true";
        // The load tool measures capacity, not the per-tenant quota (1,000 req/s by default);
        // --set Clarity:RateLimits:Enabled=true measures with it.
        env["Clarity__RateLimits__Enabled"] = "false";
        // Request logging at Information costs throughput the users would not pay in production.
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        // ... but the host's lifetime messages stay on: "Application started" is the readiness event.
        env["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        if (postgres is not null)
        {
            env["ConnectionStrings__Clarity"] = postgres;
            // Cluster mode listens on all interfaces unless given an address; load tests stay on loopback.
            env["Clarity__AdvertisedAddress"] = "127.0.0.1";
        }
        foreach (var (key, value) in settings)
        {
            env[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var gateway = new GatewayProcess(process, url);
        process.OutputDataReceived += (_, e) => gateway.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Remember(e.Data);
        process.Exited += (_, _) => gateway._started.TrySetException(
            new InvalidOperationException($"The gateway exited with {process.ExitCode}:{Environment.NewLine}{gateway.Tail}"));
        if (!process.Start())
        {
            throw new InvalidOperationException("dotnet did not start.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log.WriteLine($"  gateway pid {process.Id} on {url} ({(postgres is null ? "embedded store" : "PostgreSQL")})");

        try
        {
            await gateway._started.Task.WaitAsync(TimeSpan.FromSeconds(90), cancellationToken);
            // Started is not yet ready if a dependency failed its check: ask once, and say so.
            using var probe = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
            using var ready = await probe.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
            if (!ready.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The gateway started but /readyz answered {(int)ready.StatusCode}:{Environment.NewLine}{await ready.Content.ReadAsStringAsync(cancellationToken)}");
            }
            return gateway;
        }
        catch (TimeoutException)
        {
            await gateway.DisposeAsync();
            throw new TimeoutException($"The gateway did not start within 90 s:{Environment.NewLine}{gateway.Tail}");
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }
        if (line.Contains("Application started", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 40)
            {
                _tail.Dequeue();
            }
        }
    }

    /// <summary>Asks the gateway to stop (SIGTERM, by pid), then kills it if it has not within 20 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) } }))
            {
                await term!.WaitForExitAsync();
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    public static int FreePort() => FreePorts(1)[0];

    /// <summary>
    /// Distinct free loopback ports: every listener stays open until all are picked, because ports
    /// picked one at a time can repeat (a gateway once got the same silo and gateway port and refused to start).
    /// </summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
