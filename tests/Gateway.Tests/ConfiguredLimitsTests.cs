using System.Net;
using Clarity.Gateway.Tests.Infrastructure;

namespace Clarity.Gateway.Tests;

/// <summary>
/// Identifier, tag and category limits from Clarity:Limits: an operator may tighten API.md's
/// defaults at the gateway, never loosen them (the grains keep the defaults for internal callers).
/// </summary>
public sealed class ConfiguredLimitsTests
{
    private static readonly Dictionary<string, string?> Tight = new()
    {
        ["Clarity:Limits:MaxIdLength"] = "16",
        ["Clarity:Limits:MaxTags"] = "2",
        ["Clarity:Limits:MaxCategorySegments"] = "2",
    };

    private static object Signal(string id, string userId, string itemId, string category, string[] tags) => new
    {
        id,
        userId,
        type = "purchase",
        occurredAt = ClarityApp.Start.AddDays(-1),
        item = new { id = itemId, category, price = 10.0, tags },
    };

    [Fact]
    public async Task Tightened_limits_reject_longer_ids_more_tags_and_deeper_categories_keyed_by_field()
    {
        await using var app = new ClarityApp(settings: Tight);
        var client = app.Client();
        var sixteen = new string('a', 16);
        var seventeen = new string('a', 17);

        var problem = await (await client.PostJsonAsync("/v1/signals", new
        {
            signals = new[]
            {
                Signal("evt-1", "u-1", seventeen, "home/kitchen", ["a"]),
                Signal("evt-2", "u-1", "sku-2", "home/kitchen/knives", ["a"]),
                Signal("evt-3", "u-1", "sku-3", "home/kitchen", ["a", "b", "c"]),
                Signal("evt-4", seventeen, "sku-4", "home/kitchen", ["a"]),
                Signal("evt-5", "u-1", "sku-5", $"home/{seventeen}", ["a"]),
            },
        })).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(
            ["signals[0].item.id", "signals[1].item.category", "signals[2].item.tags", "signals[3].userId", "signals[4].item.category"],
            problem["errors"].Keys().Order(StringComparer.Ordinal));
        Assert.Contains("at most 16 characters", Message(problem, "signals[0].item.id"), StringComparison.Ordinal);
        Assert.Contains("at most 2 segments", Message(problem, "signals[1].item.category"), StringComparison.Ordinal);
        Assert.Contains("At most 2 tags", Message(problem, "signals[2].item.tags"), StringComparison.Ordinal);

        // Exactly at the limits is fine, and the rejected batch above applied nothing.
        var ingest = await (await client.PostJsonAsync("/v1/signals", new { signals = new[] { Signal("evt-ok", sixteen, sixteen, "home/kitchen", ["a", "b"]) } }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, ingest["accepted"]!.GetValue<int>());
        var model = await (await client.GetAsync("/v1/users/u-1/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(model["beliefs"]!.AsArray());

        // Route user ids and rerank candidates are held to the same limits.
        var route = await (await client.GetAsync($"/v1/users/{seventeen}/self-model")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at most 16 characters", Message(route, "userId"), StringComparison.Ordinal);
        var export = await (await client.GetAsync($"/v1/users/{seventeen}/export")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at most 16 characters", Message(export, "userId"), StringComparison.Ordinal);
        var rerank = await (await client.PostJsonAsync($"/v1/users/{sixteen}/rerank", new
        {
            candidates = new[]
            {
                new { id = "c-1", score = 1.0, category = "home/kitchen/knives", tags = new[] { "a" } },
                new { id = "c-2", score = 0.5, category = "home/kitchen", tags = new[] { "a", "b", "c" } },
            },
        })).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["candidates[0].category", "candidates[1].tags"], rerank["errors"].Keys().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Limits_looser_than_the_API_defaults_stop_the_start_with_the_keys_named()
    {
        await using var app = new ClarityApp(settings: new Dictionary<string, string?>
        {
            ["Clarity:Limits:MaxIdLength"] = "129",
            ["Clarity:Limits:MaxTags"] = "33",
            ["Clarity:Limits:MaxCategorySegments"] = "0",
        });

        var error = Assert.ThrowsAny<Exception>(() => app.Client()).ToString();

        Assert.Contains("Clarity:Limits:MaxIdLength must be between 1 and 128 (got 129)", error, StringComparison.Ordinal);
        Assert.Contains("Clarity:Limits:MaxTags must be between 0 and 32 (got 33)", error, StringComparison.Ordinal);
        Assert.Contains("Clarity:Limits:MaxCategorySegments must be between 1 and 8 (got 0)", error, StringComparison.Ordinal);
        Assert.Contains("grains enforce the default", error, StringComparison.Ordinal);
    }

    private static string Message(System.Text.Json.Nodes.JsonNode problem, string field) =>
        string.Join(" ", problem["errors"]![field]!.AsArray().Select(m => m!.GetValue<string>()));
}
