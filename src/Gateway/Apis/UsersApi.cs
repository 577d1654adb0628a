using Clarity.Gateway.Auth;
using Clarity.Gateway.Cluster;
using Clarity.Gateway.Model;
using Clarity.Grains.Interfaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Apis;

/// <summary>Per-user routes: the self-model, rerank and recorded decisions.</summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder v1)
    {
        var users = v1.MapGroup("/users/{userId}");
        users.MapGet("/self-model", GetSelfModelAsync)
            .WithName("GetSelfModel")
            .WithSummary("What Clarity believes about a user, evaluated at asOf (default now)")
            .AllowEndUser();
        users.MapPost("/rerank", RerankAsync)
            .WithName("Rerank")
            .WithSummary("Filter, re-rank or override the client's candidates with the user's beliefs")
            .Accepts<RerankInput>("application/json");
        users.MapGet("/decisions/{decisionId}", GetDecisionAsync)
            .WithName("GetDecision")
            .WithSummary("A recorded rerank decision: request, response and the beliefs as they were");
        return v1;
    }

    internal static async Task<Results<Ok<DecisionView>, ProblemHttpResult, ValidationProblem>> GetDecisionAsync(
        string userId,
        string decisionId,
        HttpContext http,
        IGrainFactory grains,
        IOptions<GatewayLimits> limits)
    {
        if (limits.Value.CheckId(userId, "user id") is { } error)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [error] }, detail: "The user id is invalid.");
        }
        // Decision ids may be Clarity's own (generated when the client sent none): only the fixed rule applies.
        if (InputRules.CheckId(decisionId, "decision id") is not null)
        {
            return UnknownDecision();
        }
        var grain = GrainReferences<ISelfModelGrain>.Get(grains, SelfModelKey.For(http.User.TenantId(), userId));
        return await grain.GetDecisionAsync(decisionId) is { } decision ? TypedResults.Ok(decision) : UnknownDecision();
    }

    private static ProblemHttpResult UnknownDecision() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
            detail: "No decision with that id is recorded for this user (decisions are kept for the user's last 100 reranks).");

    internal static async Task<Results<JsonOk<SelfModelView>, ValidationProblem>> GetSelfModelAsync(
        string userId,
        DateTimeOffset? asOf,
        HttpContext http,
        IGrainFactory grains,
        IOptions<GatewayLimits> limits)
    {
        if (limits.Value.CheckId(userId, "user id") is { } error)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [error] }, detail: "The user id is invalid.");
        }
        var grain = GrainReferences<ISelfModelGrain>.Get(grains, SelfModelKey.For(http.User.TenantId(), userId));
        return FastJson.Ok(await grain.GetSelfModelAsync(asOf));
    }

    internal static async Task<Results<JsonOk<RerankResponse>, ValidationProblem>> RerankAsync(
        string userId,
        RerankInput request,
        HttpContext http,
        IGrainFactory grains,
        IOptions<GatewayLimits> limits)
    {
        var errors = new RequestValidation.Errors();
        errors.Add("userId", limits.Value.CheckId(userId, "user id"));
        var call = RequestValidation.Validate(request, limits.Value, errors);
        if (call is null || errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), detail: "The rerank request is invalid; see errors.");
        }
        var grain = GrainReferences<ISelfModelGrain>.Get(grains, SelfModelKey.For(http.User.TenantId(), userId));
        return FastJson.Ok(await grain.RerankAsync(call));
    }
}
