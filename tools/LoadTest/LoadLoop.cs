using System.Diagnostics;

namespace Clarity.LoadTest;

/// <summary>One measured run: throughput and latency of one workload at one concurrency.</summary>
internal sealed record RunResult(long Requests, long Errors, TimeSpan Elapsed, double P50Ms, double P99Ms, double P999Ms, double MaxMs, string? FirstError)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;
}

/// <summary>
/// The HTTP load loop: N workers share one pooled client and send requests back to back until the
/// request budget or the time budget runs out, whichever is first; it always stops by itself.
/// </summary>
internal static class LoadLoop
{
    public static HttpClient CreateClient(Uri baseAddress, int connections, string? serviceKey) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestHeaders = { Authorization = serviceKey is null ? null : new("Bearer", serviceKey) },
        };

    public static async Task<RunResult> RunAsync(
        HttpClient client,
        Func<long, HttpRequestMessage> request,
        int concurrency,
        TimeSpan duration,
        long maxRequests,
        CancellationToken cancellationToken)
    {
        long issued = 0;
        long errors = 0;
        string? firstError = null;
        var latencies = new List<long>[concurrency];
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var mine = latencies[w] = new List<long>(4096);
            workers[w] = Task.Run(async () =>
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref issued);
                    if (n > maxRequests || Stopwatch.GetTimestamp() >= deadline)
                    {
                        return;
                    }
                    using var message = request(n);
                    var t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
                        if (!response.IsSuccessStatusCode)
                        {
                            if (Interlocked.Increment(ref errors) == 1)
                            {
                                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                                firstError = $"{(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}";
                            }
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        if (Interlocked.Increment(ref errors) == 1)
                        {
                            firstError = e.GetType().Name + ": " + e.Message;
                        }
                    }
                    mine.Add(Stopwatch.GetTimestamp() - t0);
                }
            }, cancellationToken);
        }
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(start);
        return Summarize(latencies, errors, elapsed, firstError);
    }

    /// <summary>
    /// Sends until success, honouring 503 + Retry-After (a gateway that just restarted in cluster
    /// mode answers 503 while membership settles), at most 20 times.
    /// </summary>
    public static async Task SendWithRetryAsync(HttpClient client, Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.SendAsync(request(), cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt == 20)
            {
                throw new HttpRequestException($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            await Task.Delay(wait > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : wait, cancellationToken);
        }
    }

    /// <summary>Exact percentiles from every recorded latency (runs are bounded, so they fit in memory).</summary>
    public static RunResult Summarize(IEnumerable<List<long>> latencies, long errors, TimeSpan elapsed, string? firstError)
    {
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        double At(double q) => all.Length == 0 ? 0 : Ms(all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)]);
        return new RunResult(all.Length, errors, elapsed, At(0.50), At(0.99), At(0.999), all.Length == 0 ? 0 : Ms(all[^1]), firstError);
    }
}

/// <summary>Several runs of one measurement: medians and spread.</summary>
internal sealed class Series(string phase, string name, int concurrency, int itemsPerRequest, string unit)
{
    public string Phase { get; } = phase;

    public string Name { get; } = name;

    public int Concurrency { get; } = concurrency;

    /// <summary>Signals, candidates or rows per request, so that items/s can be stated.</summary>
    public int ItemsPerRequest { get; } = itemsPerRequest;

    /// <summary>What one item is (signals, rows, candidates).</summary>
    public string Unit { get; } = unit;

    public List<RunResult> Runs { get; } = [];

    /// <summary>CPU per item of each run, when <c>/proc</c> could be read.</summary>
    public List<CpuCost> Costs { get; } = [];

    /// <summary>Medians over the runs of each CPU figure per item; null without readings.</summary>
    public CpuCost? Cost => Costs.Count == 0 ? null : new CpuCost(
        Median(Costs.Select(c => c.Gateway)),
        Costs.All(c => c.Postgres is not null) ? Median(Costs.Select(c => c.Postgres!.Value)) : null,
        Costs.All(c => c.Machine is not null) ? Median(Costs.Select(c => c.Machine!.Value)) : null);

    public double Rate => Median(Runs.Select(r => r.RequestsPerSecond));

    public double ItemRate => Rate * ItemsPerRequest;

    public double RateMin => Runs.Count == 0 ? 0 : Runs.Min(r => r.RequestsPerSecond);

    public double RateMax => Runs.Count == 0 ? 0 : Runs.Max(r => r.RequestsPerSecond);

    /// <summary>Half the min-max range as a fraction of the median: the +-x% the report shows.</summary>
    public double Spread => Rate == 0 ? 0 : (RateMax - RateMin) / 2 / Rate;

    public double P50 => Median(Runs.Select(r => r.P50Ms));

    public double P99 => Median(Runs.Select(r => r.P99Ms));

    public double P999 => Median(Runs.Select(r => r.P999Ms));

    public double Max => Runs.Count == 0 ? 0 : Runs.Max(r => r.MaxMs);

    public long Errors => Runs.Sum(r => r.Errors);

    public long Requests => Runs.Sum(r => r.Requests);

    public string? FirstError => Runs.Select(r => r.FirstError).FirstOrDefault(e => e is not null);

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
