using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Operations;

/// <summary>
/// Load shedding, configuration section <c>Clarity:LoadShedding</c>. At most
/// <see cref="MaxConcurrentRequests"/> API requests run at once; up to <see cref="QueueLimit"/> more
/// wait (oldest first) for at most <see cref="QueueTimeout"/>; anything beyond gets 503 with
/// Retry-After at once, so latency stays bounded instead of growing with the backlog.
/// </summary>
public sealed class LoadSheddingOptions
{
    public const string Section = "Clarity:LoadShedding";

    /// <summary>API requests in progress at once. Default 256.</summary>
    public int MaxConcurrentRequests { get; set; } = 256;

    /// <summary>Requests that may wait for a slot. Default 512.</summary>
    public int QueueLimit { get; set; } = 512;

    /// <summary>Longest wait in the queue before 503. Default 2 seconds.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The Retry-After a shed request gets, in seconds. Default 1.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    public IEnumerable<string> Validate()
    {
        if (MaxConcurrentRequests < 1)
        {
            yield return $"{Section}:MaxConcurrentRequests must be at least 1 (got {MaxConcurrentRequests}).";
        }
        if (QueueLimit < 0)
        {
            yield return $"{Section}:QueueLimit must be 0 or more (got {QueueLimit}).";
        }
        if (QueueTimeout <= TimeSpan.Zero)
        {
            yield return $"{Section}:QueueTimeout must be positive, e.g. 00:00:02 (got {QueueTimeout}).";
        }
        if (RetryAfterSeconds < 1)
        {
            yield return $"{Section}:RetryAfterSeconds must be at least 1 (got {RetryAfterSeconds}).";
        }
    }
}

/// <summary>The shared concurrency limiter for API requests; raises <see cref="Admitted"/> for tests and diagnostics.</summary>
public sealed class LoadShedder(IOptions<LoadSheddingOptions> options, GatewayMetrics metrics) : IDisposable
{
    private readonly LoadSheddingOptions _options = options.Value;
    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.MaxConcurrentRequests,
        QueueLimit = options.Value.QueueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>Raised when a request gets a slot and proceeds.</summary>
    public event Action<HttpContext>? Admitted;

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        RateLimitLease lease;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted))
        {
            wait.CancelAfter(_options.QueueTimeout);
            try
            {
                lease = await _limiter.AcquireAsync(1, wait.Token);
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
            {
                lease = FailedLease.Instance;
            }
        }
        using (lease)
        {
            if (!lease.IsAcquired)
            {
                metrics.Rejected("shed");
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                http.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Service overloaded",
                    detail: $"Clarity is at capacity; nothing from this request was applied. Retry after {_options.RetryAfterSeconds} s.").ExecuteAsync(http);
                return;
            }
            Admitted?.Invoke(http);
            await next(http);
        }
    }

    public void Dispose() => _limiter.Dispose();

    private sealed class FailedLease : RateLimitLease
    {
        public static readonly FailedLease Instance = new();

        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}

public static class LoadSheddingExtensions
{
    /// <summary>Sheds API requests (<c>/v1</c>); health, metrics and docs stay reachable under load.</summary>
    public static IApplicationBuilder UseClarityLoadShedding(this IApplicationBuilder app)
    {
        var shedder = app.ApplicationServices.GetRequiredService<LoadShedder>();
        return app.UseWhen(http => http.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal),
            branch => branch.Use(next => http => shedder.InvokeAsync(http, next)));
    }
}
