using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Clarity.Gateway.Tests.Infrastructure;
using static Clarity.Gateway.Tests.Infrastructure.Signals;

namespace Clarity.Gateway.Tests;

/// <summary>Tenants from configuration: hashed keys, rotation, isolation, and keys that never reach the logs.</summary>
public sealed class TenantTests
{
    [Fact]
    public async Task Another_tenants_user_is_invisible_and_undetectable()
    {
        await using var app = Tenants.ProductionApp();
        var acme = app.Client(Tenants.AcmeKey);
        var globex = app.Client(Tenants.GlobexKey);
        var batch = KitchenLover("u-1", ClarityApp.Start);
        await (await acme.PostJsonAsync("/v1/signals", batch)).ExpectAsync(HttpStatusCode.OK);

        var seen = await (await globex.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        var unknown = await (await globex.GetAsync("/v1/users/never-seen/self-model")).ExpectAsync(HttpStatusCode.OK);
        var rerank = await (await globex.PostJsonAsync("/v1/users/u-1/rerank", KitchenCandidates)).ExpectAsync(HttpStatusCode.OK);
        // The same signal ids are new to the other tenant: not even duplicates leak.
        var ingest = await (await globex.PostJsonAsync("/v1/signals", batch)).ExpectAsync(HttpStatusCode.OK);

        Assert.Empty(seen["beliefs"]!.AsArray());
        Assert.Empty(unknown["beliefs"]!.AsArray());
        Assert.All(rerank["items"]!.AsArray(), item => Assert.Empty(item!["reasons"]!.AsArray()));
        Assert.Equal(3, ingest["accepted"]!.GetValue<int>());
        Assert.Equal(0, ingest["duplicates"]!.GetValue<int>());
    }

    [Fact]
    public async Task Every_key_of_a_tenant_works_during_rotation_and_the_dev_key_does_not_exist_in_production()
    {
        await using var app = Tenants.ProductionApp();
        await (await app.Client(Tenants.AcmeKey).PostJsonAsync("/v1/signals", KitchenLover("u-1", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);

        var viaRotated = await (await app.Client(Tenants.AcmeRotatedKey).GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);

        Assert.NotEmpty(viaRotated["beliefs"]!.AsArray());
        await (await app.Client(ClarityApp.DevKey).GetAsync("/v1/users/u-1/self-model")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        await (await app.Client(Tenants.Hash(Tenants.AcmeKey)).GetAsync("/v1/users/u-1/self-model")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_key_in_clear_in_configuration_stops_the_start_with_the_key_named()
    {
        await using var app = new ClarityApp(
            settings: Tenants.Production(new() { ["Clarity:Tenants:acme:ApiKeys:0"] = Tenants.AcmeKey }),
            environment: "Production");

        var error = Assert.ThrowsAny<Exception>(() => app.Client());

        Assert.Contains("Clarity:Tenants:acme:ApiKeys:0", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_and_tokens_never_reach_the_logs_but_requests_are_logged_with_ids()
    {
        var logs = new CapturedLogs();
        await using var app = Tenants.ProductionApp(
            new() { ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft"] = "Trace", ["Logging:LogLevel:Orleans"] = "Warning" },
            logs.AddTo);
        var acme = app.Client(Tenants.AcmeKey);
        await (await acme.PostJsonAsync("/v1/signals", KitchenLover("u-1", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var token = (await (await acme.PostAsync("/v1/users/u-1/tokens", null)).ExpectAsync(HttpStatusCode.OK))["token"]!.GetValue<string>();
        await (await app.Client(token).GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        await (await app.Client("wrong-secret-key").GetAsync("/v1/users/u-1/self-model")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        var basic = app.Client(token: null);
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + Tenants.OperatorKey)));
        await basic.GetAsync("/dashboard/");

        Assert.NotEmpty(logs.Lines);
        string[] secrets = [Tenants.AcmeKey, Tenants.OperatorKey, "wrong-secret-key", token, token.Split('.')[2], Tenants.SigningKey];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
        // The request log names the route template and the tenant, not the path or the body.
        Assert.Contains(logs.Lines, line => line.Contains("POST /v1/signals answered 200", StringComparison.Ordinal) && line.Contains("Tenant=acme", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.Contains("home/kitchen/knives", StringComparison.Ordinal));
    }
}
