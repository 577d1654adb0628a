extern alias gateway;

using System.Net;
using Clarity.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using LoadShedder = gateway::Clarity.Gateway.Operations.LoadShedder;

namespace Clarity.Gateway.Tests;

/// <summary>Per-tenant rate limits and load shedding, with bounded real load and explicit phase barriers.</summary>
public sealed class FairnessTests
{
    [Fact]
    public async Task A_tenant_over_its_rate_limit_gets_429_with_retry_after_and_other_tenants_do_not()
    {
        // A bucket of 3 that refills once an hour: the fourth request is over the limit however slow the machine.
        await using var app = Tenants.ProductionApp(new()
        {
            ["Clarity:RateLimits:Burst"] = "3",
            ["Clarity:RateLimits:PermitsPerPeriod"] = "1",
            ["Clarity:RateLimits:Period"] = "01:00:00",
        });
        var acme = app.Client(Tenants.AcmeKey);
        var rotated = app.Client(Tenants.AcmeRotatedKey);

        for (var i = 0; i < 3; i++)
        {
            await (await acme.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        }
        // Another key of the same tenant shares the tenant's bucket.
        var limited = await rotated.GetAsync("/v1/users/u-1/self-model");

        var problem = await limited.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(problem);
        var retryAfter = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
        await (await app.Client(Tenants.GlobexKey).GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        await (await acme.GetAsync("/healthz")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task At_capacity_a_request_is_shed_with_503_and_retry_after_and_the_server_recovers()
    {
        await using var app = new ClarityApp(settings: new Dictionary<string, string?>
        {
            ["Clarity:LoadShedding:MaxConcurrentRequests"] = "1",
            ["Clarity:LoadShedding:QueueLimit"] = "0",
            ["Clarity:LoadShedding:RetryAfterSeconds"] = "3",
        });
        var client = app.Client();
        var shedder = app.Services.GetRequiredService<LoadShedder>();
        var admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        shedder.Admitted += _ => admitted.TrySetResult();
        var body = new HeldContent(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(
            Signals.KitchenLover("u-1", ClarityApp.Start), Http.Web))).WithJson();

        // Phase 1: one request holds the only slot (its body is still arriving).
        var holding = client.PostAsync("/v1/signals", body);
        await admitted.Task;
        // Phase 2: the next request finds no slot and no queue.
        var shed = await client.GetAsync("/v1/users/u-1/self-model");
        // Phase 3: the first request finishes; the server answers normally again.
        body.Release();
        var first = await (await holding).ExpectAsync(HttpStatusCode.OK);

        await shed.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("3", Assert.Single(shed.Headers.GetValues("Retry-After")));
        Assert.Equal(3, first["accepted"]!.GetValue<int>());
        var model = await (await client.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEmpty(model["beliefs"]!.AsArray());
        await (await client.GetAsync("/healthz")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_queued_request_waits_at_most_the_queue_timeout_then_gets_503()
    {
        await using var app = new ClarityApp(settings: new Dictionary<string, string?>
        {
            ["Clarity:LoadShedding:MaxConcurrentRequests"] = "1",
            ["Clarity:LoadShedding:QueueLimit"] = "10",
            ["Clarity:LoadShedding:QueueTimeout"] = "00:00:00.200",
        });
        var client = app.Client();
        var shedder = app.Services.GetRequiredService<LoadShedder>();
        var admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        shedder.Admitted += _ => admitted.TrySetResult();
        var body = new HeldContent(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(
            Signals.KitchenLover("u-1", ClarityApp.Start), Http.Web))).WithJson();

        var holding = client.PostAsync("/v1/signals", body);
        await admitted.Task;
        var queued = await client.GetAsync("/v1/users/u-1/self-model");
        body.Release();

        await queued.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.True(queued.Headers.Contains("Retry-After"));
        await (await holding).ExpectAsync(HttpStatusCode.OK);
    }

    /// <summary>A JSON body whose first byte is sent at once and the rest only when the test releases it.</summary>
    private sealed class HeldContent(byte[] json) : HttpContent
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldContent Release()
        {
            _release.TrySetResult();
            return this;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(json.AsMemory(0, 1));
            await stream.FlushAsync();
            await _release.Task;
            await stream.WriteAsync(json.AsMemory(1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        public HeldContent WithJson()
        {
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return this;
        }
    }
}
