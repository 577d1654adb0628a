using System.Net;
using Clarity.Gateway.Tests.Infrastructure;
using static Clarity.Gateway.Tests.Infrastructure.Signals;

namespace Clarity.Gateway.Tests;

/// <summary>End-user tokens: what they open, what they do not, and when they stop working.</summary>
public sealed class TokenTests
{
    private static async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(HttpClient service, string userId)
    {
        var body = await (await service.PostAsync($"/v1/users/{userId}/tokens", null)).ExpectAsync(HttpStatusCode.OK);
        return (body["token"]!.GetValue<string>(), body["expiresAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task A_token_reads_its_own_users_self_model_until_it_expires()
    {
        await using var app = new ClarityApp();
        var service = app.Client();
        await (await service.PostJsonAsync("/v1/signals", KitchenLover("u-1", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);

        var (token, expiresAt) = await IssueAsync(service, "u-1");

        Assert.Equal(ClarityApp.Start.AddMinutes(30), expiresAt);
        var user = app.Client(token);
        var own = await (await user.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        var expected = await (await service.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(expected.ToJsonString(), own.ToJsonString());

        app.Clock.Advance(TimeSpan.FromMinutes(30));
        var expired = await (await user.GetAsync("/v1/users/u-1/self-model")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("expired", expired["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_is_forbidden_on_another_user_and_on_service_routes_and_changes_nothing()
    {
        await using var app = new ClarityApp();
        var service = app.Client();
        var (token, _) = await IssueAsync(service, "u-1");
        var user = app.Client(token);

        await (await user.GetAsync("/v1/users/u-2/self-model")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await user.PostJsonAsync("/v1/signals", KitchenLover("u-1", ClarityApp.Start))).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await user.PostJsonAsync("/v1/users/u-1/rerank", KitchenCandidates)).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await user.PostAsync("/v1/users/u-1/tokens", null)).ExpectProblemAsync(HttpStatusCode.Forbidden);

        var model = await (await service.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(model["beliefs"]!.AsArray());
    }

    [Fact]
    public async Task Tampered_truncated_and_foreign_tokens_get_401()
    {
        await using var app = new ClarityApp();
        var (token, _) = await IssueAsync(app.Client(), "u-1");
        var parts = token.Split('.');
        // Same payload shape for another user, original signature: the signature no longer matches.
        var otherUser = (await IssueAsync(app.Client(), "u-2")).Token.Split('.');
        await using var otherDeployment = new ClarityApp();
        var (foreign, _) = await IssueAsync(otherDeployment.Client(), "u-1");

        string[] forged =
        [
            $"{parts[0]}.{otherUser[1]}.{parts[2]}",
            $"{parts[0]}.{parts[1]}.{parts[2][..^2]}",
            $"{parts[0]}.{parts[1]}",
            $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}",
            "cu1..",
            foreign,
        ];
        foreach (var credential in forged)
        {
            var client = app.Client(token: null);
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + credential);
            await (await client.GetAsync("/v1/users/u-1/self-model")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task Only_a_service_key_issues_tokens_and_the_user_id_is_validated()
    {
        await using var app = new ClarityApp();

        await (await app.Client(token: null).PostAsync("/v1/users/u-1/tokens", null)).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        var problem = await (await app.Client().PostAsync($"/v1/users/{new string('x', 200)}/tokens", null)).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["userId"], problem["errors"].Keys());
    }

    [Fact]
    public async Task A_token_stays_inside_its_tenant()
    {
        await using var app = Tenants.ProductionApp();
        var acme = app.Client(Tenants.AcmeKey);
        var globex = app.Client(Tenants.GlobexKey);
        await (await globex.PostJsonAsync("/v1/signals", KitchenLover("u-1", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);

        var (token, _) = await IssueAsync(acme, "u-1");
        var model = await (await app.Client(token).GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);

        Assert.Empty(model["beliefs"]!.AsArray());
    }

    [Fact]
    public async Task Outside_development_without_a_signing_key_tokens_are_off_and_say_so()
    {
        var settings = Tenants.Production();
        settings.Remove("Clarity:Tokens:SigningKey");
        await using var app = new ClarityApp(settings: settings, environment: "Production");
        var acme = app.Client(Tenants.AcmeKey);

        var refused = await acme.PostAsync("/v1/users/u-1/tokens", null);

        var problem = await refused.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Clarity:Tokens:SigningKey", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(refused.Headers.Contains("Retry-After"));
        await (await acme.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_malformed_signing_key_stops_the_start_with_the_setting_named()
    {
        await using var app = new ClarityApp(settings: Tenants.Production(new() { ["Clarity:Tokens:SigningKey"] = "dG9vLXNob3J0" }), environment: "Production");

        var error = Assert.ThrowsAny<Exception>(() => app.Client());

        Assert.Contains("Clarity:Tokens:SigningKey", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// API.md "End-user access": what an end user may do with their own token, in an order that
    /// keeps the user's data until the end (forget, then erase, last).
    /// </summary>
    private static readonly (string Method, string Template, bool Allowed)[] EndUserRights =
    [
        ("GET", "/v1/users/{user}/self-model", true),
        ("GET", "/v1/users/{user}/beliefs/{belief}", true),
        ("POST", "/v1/users/{user}/beliefs/{belief}/confirm", true),
        ("POST", "/v1/users/{user}/beliefs/{belief}/reject", true),
        ("GET", "/v1/statements?userId={user}", true),
        ("POST", "/v1/users/{user}/statements", true),
        ("GET", "/v1/users/{user}/export", true),
        ("POST", "/v1/users/{user}/rerank", false),
        ("POST", "/v1/users/{user}/tokens", false),
        ("DELETE", "/v1/users/{user}/beliefs/{belief}", true),
        ("DELETE", "/v1/users/{user}", true),
    ];

    [Fact]
    public async Task A_token_has_exactly_the_end_user_rights_and_only_for_its_own_user()
    {
        await using var app = new ClarityApp();
        var service = app.Client();
        await (await service.PostJsonAsync("/v1/signals", KitchenLover("u-1", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        await (await service.PostJsonAsync("/v1/signals", KitchenLover("u-2", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var before = await (await service.GetAsync("/v1/users/u-2/self-model")).ExpectAsync(HttpStatusCode.OK);
        var belief = (await (await service.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK))["beliefs"]![0]!["id"]!.GetValue<string>();
        var (token, _) = await IssueAsync(service, "u-1");
        var user = app.Client(token);

        foreach (var (method, template, allowed) in EndUserRights)
        {
            HttpRequestMessage Request(string who)
            {
                var path = template.Replace("{user}", who, StringComparison.Ordinal).Replace("{belief}", belief, StringComparison.Ordinal);
                var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    request.Content = new StringContent("{\"selected\":[],\"rejected\":[],\"candidates\":[]}", System.Text.Encoding.UTF8, "application/json");
                }
                return request;
            }

            var other = await user.SendAsync(Request("u-2"));
            var own = await user.SendAsync(Request("u-1"));

            await other.ExpectProblemAsync(HttpStatusCode.Forbidden);
            if (allowed)
            {
                Assert.True((int)own.StatusCode is >= 200 and < 300 or 400, $"{method} {template} on its own user: {(int)own.StatusCode}");
            }
            else
            {
                await own.ExpectProblemAsync(HttpStatusCode.Forbidden);
            }
        }
        // The other user is exactly as before; the token's own user was erased by the last right.
        var after = await (await service.GetAsync("/v1/users/u-2/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        Assert.Empty((await (await service.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK))["beliefs"]!.AsArray());
    }
}
