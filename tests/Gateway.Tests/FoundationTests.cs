using System.Net;
using System.Text.Json.Nodes;
using Clarity.Gateway.Tests.Infrastructure;
using static Clarity.Gateway.Tests.Infrastructure.Signals;

namespace Clarity.Gateway.Tests;

/// <summary>The README's flow and the foundation's HTTP contract, each on a fresh host.</summary>
public sealed class FoundationTests
{
    [Fact]
    public async Task Readme_flow_ingests_reads_the_self_model_and_reranks_with_reasons()
    {
        await using var app = new ClarityApp();
        var client = app.Client();

        var ingest = await (await client.PostJsonAsync("/v1/signals", KitchenLover("u-42", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, ingest["accepted"]!.GetValue<int>());
        Assert.Equal(0, ingest["duplicates"]!.GetValue<int>());

        var model = await (await client.GetAsync("/v1/users/u-42/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("u-42", model["userId"]!.GetValue<string>());
        Assert.Equal(ClarityApp.Start, model["asOf"]!.GetValue<DateTimeOffset>());
        var beliefs = model["beliefs"]!.AsArray();
        var knives = beliefs.Single(b => b!["kind"]!.GetValue<string>() == "affinity" && b["subject"]!.GetValue<string>() == "home/kitchen/knives")!;
        Assert.Equal("inferred", knives["source"]!.GetValue<string>());
        Assert.Equal(2, knives["observations"]!.GetValue<int>());
        Assert.InRange(knives["confidence"]!.GetValue<double>(), 0.5, 1.0);
        var ordering = beliefs.Select(b => b!["confidence"]!.GetValue<double>() * b["evidence"]!.GetValue<double>()).ToList();
        Assert.Equal(ordering.OrderDescending(), ordering);

        // asOf evaluates the same state at another instant: a year later the evidence has decayed.
        var later = ClarityApp.Start.AddDays(365);
        var laterModel = await (await client.GetAsync($"/v1/users/u-42/self-model?asOf={Uri.EscapeDataString(later.ToString("O"))}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(later, laterModel["asOf"]!.GetValue<DateTimeOffset>());
        var laterKnives = laterModel["beliefs"]!.AsArray().Single(b => b!["id"]!.GetValue<string>() == knives["id"]!.GetValue<string>())!;
        Assert.True(laterKnives["evidence"]!.GetValue<double>() < knives["evidence"]!.GetValue<double>());

        var rerank = await (await client.PostJsonAsync("/v1/users/u-42/rerank", KitchenCandidates)).ExpectAsync(HttpStatusCode.OK);
        Assert.StartsWith("d-", rerank["decisionId"]!.GetValue<string>(), StringComparison.Ordinal);
        var items = rerank["items"]!.AsArray();
        Assert.Equal(["seat-1", "knife-1", "book-1", "book-2"], items.Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal([1, 2, 3, 4], items.Select(i => i!["rank"]!.GetValue<int>()));
        var reason = Assert.Single(items[1]!["reasons"]!.AsArray())!;
        Assert.Equal(knives["id"]!.GetValue<string>(), reason["beliefId"]!.GetValue<string>());
        Assert.Equal(knives["statement"]!.GetValue<string>(), reason["statement"]!.GetValue<string>());
        Assert.True(reason["effect"]!.GetValue<double>() > 0);
        Assert.Empty(items[2]!["reasons"]!.AsArray());
        Assert.Empty(rerank["suppressed"]!.AsArray());
    }

    [Fact]
    public async Task One_invalid_signal_rejects_the_batch_with_errors_keyed_by_path_and_applies_nothing()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        var good = Signal("evt-1", "u-1", "purchase", "home/kitchen/knives", ClarityApp.Start.AddDays(-1));
        var bad = Signal("evt-2", "u-2", "teleport", "home//knives", ClarityApp.Start.AddDays(-1));

        var response = await client.PostJsonAsync("/v1/signals", Batch(good, bad));

        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["signals[1].item.category", "signals[1].type"], problem["errors"].Keys().Order(StringComparer.Ordinal));
        Assert.All(problem["errors"]!.AsObject(), e => Assert.NotEmpty(e.Value!.AsArray()));
        var model = await (await client.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(model["beliefs"]!.AsArray());
        // The valid signal was not remembered either: sent alone, it is new.
        var retry = await (await client.PostJsonAsync("/v1/signals", Batch(good))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, retry["accepted"]!.GetValue<int>());
        Assert.Equal(0, retry["duplicates"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    [InlineData("")]
    public async Task Requests_without_valid_credentials_get_401_problem(string? token)
    {
        await using var app = new ClarityApp();
        var client = app.Client(token: null);
        if (token is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        var read = await client.GetAsync("/v1/users/u-1/self-model");
        var write = await client.PostJsonAsync("/v1/signals", KitchenLover("u-1", ClarityApp.Start));

        await read.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        await write.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(read.Headers.WwwAuthenticate).Scheme);
        var model = await (await app.Client().GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(model["beliefs"]!.AsArray());
    }

    [Fact]
    public async Task The_self_model_and_duplicates_survive_a_restart_on_the_same_store()
    {
        var app = new ClarityApp();
        var batch = KitchenLover("u-7", ClarityApp.Start);
        await (await app.Client().PostJsonAsync("/v1/signals", batch)).ExpectAsync(HttpStatusCode.OK);
        var before = await (await app.Client().GetAsync("/v1/users/u-7/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEmpty(before["beliefs"]!.AsArray());

        await using var restarted = await app.RestartAsync();
        var client = restarted.Client();

        var after = await (await client.GetAsync("/v1/users/u-7/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        var again = await (await client.PostJsonAsync("/v1/signals", batch)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, again["accepted"]!.GetValue<int>());
        Assert.Equal(3, again["duplicates"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(before, await (await client.GetAsync("/v1/users/u-7/self-model")).JsonAsync()));
    }
}
