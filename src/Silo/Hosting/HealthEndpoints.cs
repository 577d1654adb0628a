namespace Clarity.Silo.Hosting;

/// <summary><c>/healthz</c> (process alive) and <c>/readyz</c> (silo active in the cluster, storage reachable).</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapClarityHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthReport("ok", null)))
            .WithName("Health").WithTags("Operations").ExcludeFromDescription();
        app.MapGet("/readyz", async Task<IResult> (IServiceProvider services, CancellationToken cancellationToken) =>
        {
            var problems = new List<string>();
            var oracle = services.GetService(typeof(ISiloStatusOracle)) as ISiloStatusOracle;
            if (oracle is not null && oracle.CurrentStatus != SiloStatus.Active)
            {
                problems.Add($"silo is {oracle.CurrentStatus}, not active in the cluster");
            }
            if (services.GetService(typeof(IStoreProbe)) is IStoreProbe probe && !await probe.IsReachableAsync(cancellationToken))
            {
                problems.Add("storage is unreachable");
            }
            return problems.Count == 0
                ? TypedResults.Ok(new HealthReport("ready", null))
                : TypedResults.Json(new HealthReport("not ready", problems), statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithName("Ready").WithTags("Operations").ExcludeFromDescription();
        return app;
    }
}

public sealed record HealthReport(string Status, IReadOnlyList<string>? Problems);
