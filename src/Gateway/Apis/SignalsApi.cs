using Clarity.Gateway.Auth;
using Clarity.Gateway.Cluster;
using Clarity.Gateway.Model;
using Clarity.Grains.Interfaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Apis;

/// <summary>POST /v1/signals: ingest a batch of signals for any number of users.</summary>
public static class SignalsApi
{
    public static RouteGroupBuilder MapSignalsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/signals", IngestAsync)
            .WithName("IngestSignals")
            .WithSummary("Ingest signals: what users did")
            .Accepts<IngestRequest>("application/json");
        return v1;
    }

    internal static async Task<Results<Ok<IngestResult>, ValidationProblem>> IngestAsync(
        IngestRequest request,
        HttpContext http,
        IGrainFactory grains,
        IOptions<GatewayLimits> limits)
    {
        var errors = new RequestValidation.Errors();
        var byUser = RequestValidation.Validate(request, limits.Value, errors);
        if (byUser is null)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), detail: "The batch was rejected as a whole; nothing was applied.", title: "Invalid signals");
        }
        var tenant = http.User.TenantId();
        // One call per user, all users at once; each call returns only once its signals are durable.
        var results = await Task.WhenAll(byUser.Select(pair =>
            GrainReferences<ISelfModelGrain>.Get(grains, SelfModelKey.For(tenant, pair.Key)).IngestAsync(pair.Value)));
        return TypedResults.Ok(new IngestResult(results.Sum(r => r.Accepted), results.Sum(r => r.Duplicates)));
    }
}
