using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Clarity.Gateway.Tests.Infrastructure;
using static Clarity.Gateway.Tests.Infrastructure.Signals;

namespace Clarity.Gateway.Tests;

/// <summary>What operators see: metrics, health, the dashboard.</summary>
public sealed class OperationsTests
{
    [Fact]
    public async Task Metrics_expose_clarity_and_orleans_instruments_in_prometheus_format_without_tenant_labels()
    {
        await using var app = Tenants.ProductionApp();
        var acme = app.Client(Tenants.AcmeKey);
        await (await acme.PostJsonAsync("/v1/signals", KitchenLover("u-1", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        await (await acme.PostJsonAsync("/v1/users/u-1/rerank", KitchenCandidates)).ExpectAsync(HttpStatusCode.OK);
        await (await acme.PostBytesAsync("/v1/signals", new byte[2 * 1024 * 1024])).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        var response = await app.Client(token: null).GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE clarity_signals_accepted_total counter", text, StringComparison.Ordinal);
        Assert.Contains("clarity_reranks_total", text, StringComparison.Ordinal);
        Assert.Contains("clarity_beliefs_changes_total", text, StringComparison.Ordinal);
        Assert.Contains("clarity_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("route=\"/v1/signals\"", text, StringComparison.Ordinal);
        // A request refused by an exception is counted with the status the client got.
        Assert.Contains("method=\"POST\",route=\"/v1/signals\",status=\"413\"", text, StringComparison.Ordinal);
        Assert.Contains("clarity_requests_rejected_total{otel_scope_name=\"Clarity\",reason=\"too_large\"}", text, StringComparison.Ordinal);
        Assert.Contains("\norleans_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("acme", text, StringComparison.Ordinal);
        Assert.DoesNotContain("u-1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_opens_for_operators_only()
    {
        await using var app = Tenants.ProductionApp();

        var anonymous = await app.Client(token: null).GetAsync("/dashboard/");
        var tenant = await app.Client(Tenants.AcmeKey).GetAsync("/dashboard/");
        var wrongPassword = app.Client(token: null);
        wrongPassword.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + Tenants.AcmeKey)));
        var wrong = await wrongPassword.GetAsync("/dashboard/");
        var operatorClient = app.Client(token: null);
        operatorClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + Tenants.OperatorKey)));
        var opened = await operatorClient.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(HttpStatusCode.Forbidden, tenant.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal("text/html", opened.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_and_readiness_need_no_credentials()
    {
        await using var app = Tenants.ProductionApp();
        var client = app.Client(token: null);

        var health = await (await client.GetAsync("/healthz")).ExpectAsync(HttpStatusCode.OK);
        var ready = await (await client.GetAsync("/readyz")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal("ready", ready["status"]!.GetValue<string>());
    }
}
