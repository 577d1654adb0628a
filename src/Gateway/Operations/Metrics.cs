using System.Diagnostics;
using System.Diagnostics.Metrics;
using Clarity.Grains;
using Clarity.Silo.Hosting;
using OpenTelemetry.Metrics;

namespace Clarity.Gateway.Operations;

/// <summary>
/// The gateway's own instruments, on Clarity's meter (<see cref="SelfModelEvents.MeterName"/>):
/// request latency by route and status, and requests turned away by limits. No tenant or user
/// labels: metrics are shared with operators and must not reveal one tenant to another.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string RequestDuration = "clarity.request.duration";

    /// <summary>Latency buckets in seconds, from a cached read to a slow storage write.</summary>
    public static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter = new(SelfModelEvents.MeterName);
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _rejected;

    public GatewayMetrics()
    {
        _duration = _meter.CreateHistogram<double>(RequestDuration, unit: "s", description: "Time to answer an API request, by route and status");
        _rejected = _meter.CreateCounter<long>("clarity.requests.rejected", description: "Requests turned away before any work (tag reason: rate_limited, shed, too_large)");
    }

    public void Answered(string method, string route, int status, double seconds) =>
        _duration.Record(seconds,
            new KeyValuePair<string, object?>("method", method),
            new KeyValuePair<string, object?>("route", route),
            new KeyValuePair<string, object?>("status", status));

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}

public static class Metrics
{
    /// <summary>
    /// The silo's exporter (Orleans' and Clarity's meters, see <see cref="MetricsEndpoints"/>) plus
    /// ASP.NET Core's request meters and the gateway's latency buckets.
    /// </summary>
    public static IServiceCollection AddClarityMetrics(this IServiceCollection services)
    {
        services.AddSingleton<GatewayMetrics>();
        services.AddClarityMetricsExporter(metrics => metrics
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.RateLimiting")
            .AddView(GatewayMetrics.RequestDuration, new ExplicitBucketHistogramConfiguration { Boundaries = GatewayMetrics.LatencyBuckets }));
        return services;
    }

    /// <summary>
    /// One structured line per request (method, route template, status, time, tenant, trace id) and
    /// the latency histogram. Never the body, the query or the Authorization header.
    /// </summary>
    public static IApplicationBuilder UseClarityRequestLog(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<GatewayMetrics>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Clarity.Gateway.Requests");
        return app.Use(async (http, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            int? failedWith = null;
            try
            {
                await next(http);
            }
            catch (Exception exception)
            {
                // The exception handler outside answers with this status once the exception reaches it.
                failedWith = Errors.ProblemMapping.Classify(exception).Status;
                throw;
            }
            finally
            {
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                // The route template, not the path: ids stay out of labels and the label set stays small.
                var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
                var status = failedWith ?? http.Response.StatusCode;
                if (http.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
                {
                    metrics.Answered(http.Request.Method, route, status, seconds);
                }
                if (status == StatusCodes.Status413PayloadTooLarge)
                {
                    metrics.Rejected("too_large");
                }
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var tenant = http.User.FindFirst(Auth.ServiceKeyAuthentication.TenantClaim)?.Value;
                    var traceId = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
                    Log.Answered(logger, http.Request.Method, route, status, seconds * 1000, tenant, traceId);
                }
            }
        });
    }
}

internal static partial class Log
{
    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Issued an end-user token for tenant {Tenant} user {UserId} until {ExpiresAt}")]
    public static partial void TokenIssued(ILogger logger, string tenant, string userId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms (tenant {Tenant}, trace {TraceId})")]
    public static partial void Answered(ILogger logger, string method, string route, int statusCode, double elapsedMs, string? tenant, string traceId);
}
