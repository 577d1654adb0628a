using Clarity.Gateway.Auth;
using Clarity.Gateway.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Apis;

/// <summary>POST /v1/users/{userId}/tokens: an end-user token for one user (service key only).</summary>
public static class TokensApi
{
    public static RouteGroupBuilder MapTokensApi(this RouteGroupBuilder v1)
    {
        // Not marked AllowEndUser: a token cannot mint tokens.
        v1.MapPost("/users/{userId}/tokens", Issue)
            .WithName("IssueEndUserToken")
            .WithSummary("Issue a short-lived token with which this end user reads and corrects their own self-model");
        return v1;
    }

    internal static Results<Ok<EndUserTokenResponse>, ValidationProblem, ProblemHttpResult> Issue(
        string userId,
        HttpContext http,
        EndUserTokens tokens,
        ILogger<EndUserTokens> logger,
        IOptions<GatewayLimits> limits)
    {
        if (limits.Value.CheckId(userId, "user id") is { } error)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [error] }, detail: "The user id is invalid.");
        }
        if (!tokens.IsEnabled)
        {
            // Not transient, so a long Retry-After: it changes only when the operator sets the key.
            http.Response.Headers.RetryAfter = "3600";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "End-user tokens are off",
                detail: $"This deployment issues no end-user tokens until its operator sets {EndUserTokenOptions.Section}:SigningKey.");
        }
        var tenant = http.User.TenantId();
        var (token, expiresAt) = tokens.Issue(tenant, userId);
        Operations.Log.TokenIssued(logger, tenant, userId, expiresAt);
        return TypedResults.Ok(new EndUserTokenResponse(token, expiresAt));
    }
}

/// <summary>The token to hand to the end user's browser, and when it stops working.</summary>
public sealed record EndUserTokenResponse(string Token, DateTimeOffset ExpiresAt);
