using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Clarity.Gateway.Auth;

namespace Clarity.Gateway.Operations;

/// <summary>
/// Per-tenant rate limits, configuration section <c>Clarity:RateLimits</c>: one token bucket per
/// tenant (all its keys and end-user tokens together), so one busy tenant cannot starve the others.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Clarity:RateLimits";

    /// <summary>Off only for benchmarks of the server itself (the load tool). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests a tenant may make at once after being idle (bucket size). Default 2,000.</summary>
    public int Burst { get; set; } = 2000;

    /// <summary>Requests added back to a tenant's bucket each <see cref="Period"/>. Default 1,000.</summary>
    public int PermitsPerPeriod { get; set; } = 1000;

    /// <summary>Refill period. Default one second.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<string> Validate()
    {
        if (Burst < 1)
        {
            yield return $"{Section}:Burst must be at least 1 (got {Burst}).";
        }
        if (PermitsPerPeriod < 1)
        {
            yield return $"{Section}:PermitsPerPeriod must be at least 1 (got {PermitsPerPeriod}).";
        }
        if (Period <= TimeSpan.Zero)
        {
            yield return $"{Section}:Period must be positive, e.g. 00:00:01 (got {Period}).";
        }
    }
}

public static class RateLimiting
{
    public const string TenantPolicy = "per-tenant";

    public static IServiceCollection AddClarityRateLimits(this IServiceCollection services, RateLimitOptions options) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(TenantPolicy, http => !options.Enabled ? RateLimitPartition.GetNoLimiter("") : RateLimitPartition.GetTokenBucketLimiter(
                // Requests reach this policy only after authorization, so a tenant is always known.
                http.User.FindFirstValue(ServiceKeyAuthentication.TenantClaim) ?? "",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Burst,
                    TokensPerPeriod = options.PermitsPerPeriod,
                    ReplenishmentPeriod = options.Period,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
                    : Math.Max(1, (int)Math.Ceiling(options.Period.TotalSeconds));
                var http = context.HttpContext;
                http.RequestServices.GetRequiredService<GatewayMetrics>().Rejected("rate_limited");
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    type: Errors.ProblemTypes.For(StatusCodes.Status429TooManyRequests),
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests",
                    detail: $"This tenant's rate limit is reached; retry after {retryAfter} s.").ExecuteAsync(http);
            };
        });
}
