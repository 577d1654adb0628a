using System.Net;
using System.Text.Json.Nodes;
using Clarity.Gateway.Tests.Infrastructure;

namespace Clarity.Gateway.Tests;

/// <summary>The seed's scenarios end to end over HTTP: signals in, beliefs, reranks, decisions and trails out.</summary>
public sealed class SeedScenarioTests
{
    private static readonly DateTimeOffset Past = ClarityApp.Start.AddDays(-60);

    private static object Event(string id, string user, string type, string category, DateTimeOffset at, string? item = null,
        double? price = null, double? value = null, bool gift = false, string? decisionId = null) => new
    {
        id,
        userId = user,
        type,
        occurredAt = at,
        item = new { id = item ?? "sku-" + id, category, price },
        value,
        context = new { sessionId = "s-" + at.DayOfYear, decisionId, gift },
    };

    private static async Task IngestAsync(HttpClient client, params object[] signals)
    {
        var body = await (await client.PostJsonAsync("/v1/signals", new { signals })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(signals.Length, body["accepted"]!.GetValue<int>());
    }

    private static object Rerank(string context, string optimizeFor, params (string Id, string Category, double Score, double? Price)[] candidates) => new
    {
        candidates = candidates.Select(c => new { id = c.Id, score = c.Score, category = c.Category, price = c.Price }),
        context,
        optimizeFor,
    };

    private static async Task<JsonNode> BeliefsAsync(HttpClient client, string user) =>
        (await (await client.GetAsync($"/v1/users/{user}/self-model")).ExpectAsync(HttpStatusCode.OK))["beliefs"]!;

    private static JsonNode? Belief(JsonNode beliefs, string kind, string subject) =>
        beliefs.AsArray().SingleOrDefault(b => b!["kind"]!.GetValue<string>() == kind && b["subject"]!.GetValue<string>() == subject);

    private static object[] PremiumKitchenHistory(string user)
    {
        var signals = new List<object>();
        double[] seen = [40, 55, 60, 45, 50, 65];
        for (var round = 0; round < 3; round++)
        {
            var day = Past.AddDays(9 * round);
            for (var i = 0; i < seen.Length; i++)
            {
                signals.Add(Event($"v-{round}-{i}", user, "view", "home/kitchen/knives", day.AddMinutes(7 * i), item: $"knife-{round}-{i}", price: seen[i]));
            }
            signals.Add(Event($"p-{round}", user, "purchase", "home/kitchen/knives", day.AddHours(1), item: $"knife-{round}-p", price: 140));
        }
        return [.. signals];
    }

    [Fact]
    public async Task Toilet_seat_replacement_suppresses_seats_after_purchase_and_premium_kitchen_tools_come_first_with_both_beliefs_named()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        await IngestAsync(client, PremiumKitchenHistory("u-seat"));
        var bought = ClarityApp.Start.AddHours(-1);
        await IngestAsync(client, Event("seat", "u-seat", "purchase", "home/bathroom/toilet-seats", bought, item: "seat-0", price: 39));

        var response = await (await client.PostJsonAsync("/v1/users/u-seat/rerank", Rerank("post_purchase", "relevance",
            ("seat-1", "home/bathroom/toilet-seats", 0.95, 35),
            ("seat-2", "home/bathroom/toilet-seats", 0.93, 60),
            ("knife-premium", "home/kitchen/knives", 0.55, 150),
            ("pan-premium", "home/kitchen/pans", 0.58, 160),
            ("mop", "home/cleaning/mops", 0.50, 30)))).ExpectAsync(HttpStatusCode.OK);

        var suppressed = response["suppressed"]!.AsArray();
        Assert.Equal(["seat-1", "seat-2"], suppressed.Select(s => s!["id"]!.GetValue<string>()));
        var satiation = Assert.Single(suppressed[0]!["reasons"]!.AsArray())!;
        Assert.Equal("Bought a replacement in toilet seats (home, bathroom); not in the market for another", satiation["statement"]!.GetValue<string>());
        var items = response["items"]!.AsArray();
        Assert.Equal("knife-premium", items[0]!["id"]!.GetValue<string>());
        var statements = items[0]!["reasons"]!.AsArray().Select(r => r!["statement"]!.GetValue<string>()).ToList();
        Assert.Contains("Interested in knives (home, kitchen)", statements);
        Assert.Contains("Prefers premium home products", statements);
        foreach (var item in items)
        {
            var sum = item!["reasons"]!.AsArray().Sum(r => r!["effect"]!.GetValue<double>());
            Assert.Equal(item["baseScore"]!.GetValue<double>() + sum, item["score"]!.GetValue<double>(), 9);
        }

        // The decision is recorded with the beliefs as they were, and the satiation belief has its trail.
        var decisionId = response["decisionId"]!.GetValue<string>();
        var decision = await (await client.GetAsync($"/v1/users/u-seat/decisions/{decisionId}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(decision["beliefs"]!.AsArray(), b => b!["id"]!.GetValue<string>() == satiation["beliefId"]!.GetValue<string>());
        Assert.Equal(5, decision["request"]!["candidates"]!.AsArray().Count);
        var belief = await (await client.GetAsync($"/v1/users/u-seat/beliefs/{satiation["beliefId"]!.GetValue<string>()}")).ExpectAsync(HttpStatusCode.OK);
        var trail = Assert.Single(belief["trail"]!.AsArray())!;
        Assert.Equal("seat", trail["signalId"]!.GetValue<string>());
        Assert.Equal("purchase", trail["type"]!.GetValue<string>());
        await (await client.GetAsync("/v1/users/u-seat/beliefs/b-0000000000000000")).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/v1/users/u-seat/decisions/d-0000000000000000")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_baby_shower_gift_is_not_a_taste()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        await IngestAsync(client, PremiumKitchenHistory("u-gift"));
        await IngestAsync(client, Event("gift", "u-gift", "purchase", "baby/clothing/onesies", Past.AddDays(30), price: 25, gift: true));

        var beliefs = await BeliefsAsync(client, "u-gift");
        Assert.DoesNotContain(beliefs.AsArray(), b => b!["subject"]!.GetValue<string>().Contains("baby", StringComparison.Ordinal));
        var response = await (await client.PostJsonAsync("/v1/users/u-gift/rerank", Rerank("browse", "relevance",
            ("onesie", "baby/clothing/onesies", 0.9, 20), ("rattle", "baby/toys/rattles", 0.8, 10)))).ExpectAsync(HttpStatusCode.OK);
        Assert.All(response["items"]!.AsArray(), i => Assert.Empty(i!["reasons"]!.AsArray()));
    }

    [Fact]
    public async Task A_genre_alternator_on_a_prestige_drama_streak_gets_a_change()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        string[] genres = ["comedy", "drama", "thriller", "comedy", "documentary", "drama", "sci-fi", "comedy",
            "prestige-drama", "prestige-drama", "prestige-drama"];
        var start = ClarityApp.Start.AddDays(-10);
        await IngestAsync(client, [.. genres.Select((g, i) => Event($"w-{i}", "u-films", "consume", $"movies/{g}", start.AddHours(20 * i), item: $"film-{i}", value: 0.95))]);

        var variety = Belief(await BeliefsAsync(client, "u-films"), "variety", "movies/prestige-drama");
        Assert.NotNull(variety);
        Assert.Equal("Likely ready for a change from prestige drama (movies)", variety["statement"]!.GetValue<string>());

        var response = await (await client.PostJsonAsync("/v1/users/u-films/rerank", Rerank("home", "relevance",
            ("pd-1", "movies/prestige-drama", 0.9, null), ("pd-2", "movies/prestige-drama", 0.85, null),
            ("comedy-1", "movies/comedy", 0.6, null), ("thriller-1", "movies/thriller", 0.5, null)))).ExpectAsync(HttpStatusCode.OK);
        var items = response["items"]!.AsArray();
        Assert.Equal(["comedy-1", "thriller-1"], items.Take(2).Select(i => i!["id"]!.GetValue<string>()));
        Assert.Contains(items.Single(i => i!["id"]!.GetValue<string>() == "pd-1")!["reasons"]!.AsArray(),
            r => r!["beliefId"]!.GetValue<string>() == variety["id"]!.GetValue<string>() && r["effect"]!.GetValue<double>() < 0);
    }

    [Fact]
    public async Task Prefers_premium_kitchen_appliances_and_researches_before_electronics()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        var signals = new List<object>();
        var at = Past;
        for (var round = 0; round < 2; round++)
        {
            foreach (var price in new double[] { 60, 75, 50, 80, 65 })
            {
                signals.Add(Event($"i-{round}-{price}", "u-r", "impression", "kitchen/appliances/blenders", at = at.AddMinutes(3), item: $"b-{round}-{price}", price: price));
            }
            signals.Add(Event($"b-{round}", "u-r", "purchase", "kitchen/appliances/blenders", at = at.AddMinutes(3), item: $"vitamix-{round}", price: 190));
            for (var i = 0; i < 7; i++)
            {
                signals.Add(Event($"tv-{round}-{i}", "u-r", "view", "electronics/tv", at = at.AddHours(2), item: $"tv-{round}-{i}"));
            }
            signals.Add(Event($"tv-{round}", "u-r", "purchase", "electronics/tv", at = at.AddHours(1), item: $"tv-{round}-bought"));
            at = at.AddDays(20);
        }
        await IngestAsync(client, [.. signals]);

        var beliefs = await BeliefsAsync(client, "u-r");
        var premium = Belief(beliefs, "price-tier", "premium@kitchen")!;
        Assert.Equal("Prefers premium kitchen products", premium["statement"]!.GetValue<string>());
        Assert.True(premium["confidence"]!.GetValue<double>() > 0.5);
        var researcher = Belief(beliefs, "researcher", "electronics")!;
        Assert.Equal("Researches extensively before buying electronics", researcher["statement"]!.GetValue<string>());
        Assert.True(researcher["confidence"]!.GetValue<double>() > 0.5);
    }

    [Fact]
    public async Task A_boosted_category_that_is_ignored_falls_out_of_the_top_within_five_impressions()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        var at = ClarityApp.Start.AddDays(-1);
        await IngestAsync(client,
            Event("k0", "u-fb", "purchase", "home/kitchen/knives", at, item: "k0"),
            Event("k1", "u-fb", "click", "home/kitchen/knives", at.AddHours(1), item: "k1"));
        var request = Rerank("browse", "relevance", ("book", "books/fiction", 0.9, null), ("knife", "home/kitchen/knives", 0.85, null), ("pen", "office/pens", 0.1, null));

        var impressions = 0;
        var response = await (await client.PostJsonAsync("/v1/users/u-fb/rerank", request)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("knife", response["items"]![0]!["id"]!.GetValue<string>());
        while (response["items"]![0]!["id"]!.GetValue<string>() == "knife" && impressions < 10)
        {
            impressions++;
            await IngestAsync(client, Event($"imp-{impressions}", "u-fb", "impression", "home/kitchen/knives", ClarityApp.Start.AddMinutes(-30 + impressions),
                item: "knife", decisionId: response["decisionId"]!.GetValue<string>()));
            response = await (await client.PostJsonAsync("/v1/users/u-fb/rerank", request)).ExpectAsync(HttpStatusCode.OK);
        }

        Assert.InRange(impressions, 1, 5);
    }
}
