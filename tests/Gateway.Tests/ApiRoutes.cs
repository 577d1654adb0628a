namespace Clarity.Gateway.Tests;

/// <summary>
/// Every route of API.md (the HTTP contract) with the status codes it can answer, besides the ones
/// every authenticated route shares (<see cref="Shared"/>). The OpenAPI test checks each route the
/// gateway serves against this table, so a route added later is covered without a new test.
/// </summary>
public static class ApiRoutes
{
    public sealed record Route(string Method, string Path, bool HasBody, params int[] Statuses);

    /// <summary>API.md Conventions: bad credentials, wrong resource, rate limited, overloaded.</summary>
    public static readonly int[] Shared = [401, 403, 429, 503];

    /// <summary>A JSON body can also be too large or not JSON.</summary>
    public static readonly int[] WithBody = [413, 415];

    public static readonly Route[] All =
    [
        new("POST", "/v1/signals", true, 200, 400),
        new("GET", "/v1/users/{userId}/self-model", false, 200, 400),
        new("GET", "/v1/users/{userId}/beliefs/{beliefId}", false, 200, 404),
        new("POST", "/v1/users/{userId}/rerank", true, 200, 400),
        new("GET", "/v1/users/{userId}/decisions/{decisionId}", false, 200, 404),
        new("POST", "/v1/users/{userId}/beliefs/{beliefId}/confirm", false, 200, 404),
        new("POST", "/v1/users/{userId}/beliefs/{beliefId}/reject", false, 200, 404),
        new("DELETE", "/v1/users/{userId}/beliefs/{beliefId}", false, 204, 404),
        new("GET", "/v1/statements", false, 200),
        new("POST", "/v1/users/{userId}/statements", true, 200, 400),
        new("DELETE", "/v1/users/{userId}", false, 204),
        new("GET", "/v1/users/{userId}/export", false, 200),
        new("POST", "/v1/users/{userId}/tokens", false, 200, 400),
    ];
}
