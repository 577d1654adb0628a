using Clarity.Grains;
using OpenTelemetry.Metrics;

namespace Clarity.Silo.Hosting;

/// <summary>
/// <c>/metrics</c> in Prometheus text: Orleans' own meter and Clarity's (<see cref="SelfModelEvents.MeterName"/>).
/// Shared by the silo-only process and the gateway, which adds its own meters through <c>configure</c>.
/// </summary>
public static class MetricsEndpoints
{
    public const string OrleansMeter = "Microsoft.Orleans";

    public static IServiceCollection AddClarityMetricsExporter(this IServiceCollection services, Action<MeterProviderBuilder>? configure = null)
    {
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(OrleansMeter, SelfModelEvents.MeterName);
            configure?.Invoke(metrics);
            metrics.AddPrometheusExporter();
        });
        return services;
    }

    public static IEndpointRouteBuilder MapClarityMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
