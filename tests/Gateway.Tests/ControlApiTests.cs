using System.Net;
using System.Text.Json.Nodes;
using Clarity.Gateway.Tests.Infrastructure;
using static Clarity.Gateway.Tests.Infrastructure.Signals;

namespace Clarity.Gateway.Tests;

/// <summary>Transparency and control (API.md): confirm, reject, forget, statements, erase, export.</summary>
public sealed class ControlApiTests
{
    private const string User = "u-42";

    private static async Task<JsonNode> SelfModelAsync(HttpClient client, string user = User) =>
        await (await client.GetAsync($"/v1/users/{user}/self-model")).ExpectAsync(HttpStatusCode.OK);

    private static async Task<JsonNode> BeliefAsync(HttpClient client, string subject, string user = User) =>
        (await SelfModelAsync(client, user))["beliefs"]!.AsArray()
            .Single(b => b!["kind"]!.GetValue<string>() == "affinity" && b["subject"]!.GetValue<string>() == subject)!;

    private static async Task<JsonNode> RerankAsync(HttpClient client, object candidates, string user = User) =>
        await (await client.PostJsonAsync($"/v1/users/{user}/rerank", candidates)).ExpectAsync(HttpStatusCode.OK);

    private static string[] ReasonIds(JsonNode rerank) =>
        [.. rerank["items"]!.AsArray().Concat(rerank["suppressed"]!.AsArray())
            .SelectMany(i => i!["reasons"]!.AsArray()).Select(r => r!["beliefId"]!.GetValue<string>())];

    private static string[] Order(JsonNode rerank) => [.. rerank["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>())];

    private static string Id(JsonNode node) => node["id"]!.GetValue<string>();

    [Fact]
    public async Task Confirm_returns_the_belief_as_corrected_with_the_users_confidence()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var knives = await BeliefAsync(client, "home/kitchen/knives");

        var confirmed = await (await client.PostAsync($"/v1/users/{User}/beliefs/{Id(knives)}/confirm", null)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(Id(knives), Id(confirmed));
        Assert.Equal("corrected", confirmed["source"]!.GetValue<string>());
        Assert.Equal("confirmed", confirmed["verdict"]!.GetValue<string>());
        Assert.Equal(0.95, confirmed["confidence"]!.GetValue<double>(), 12);
        Assert.Equal(knives["statement"]!.GetValue<string>(), confirmed["statement"]!.GetValue<string>());
        Assert.Equal("corrected", (await BeliefAsync(client, "home/kitchen/knives"))["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Corrections_of_an_unknown_belief_are_404_problems()
    {
        await using var app = new ClarityApp();
        var client = app.Client();

        await (await client.PostAsync($"/v1/users/{User}/beliefs/b-0000/confirm", null)).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync($"/v1/users/{User}/beliefs/b-0000/reject", null)).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await client.DeleteAsync($"/v1/users/{User}/beliefs/b-0000")).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync($"/v1/users/{User}/beliefs/b-0000")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_rejected_belief_stops_moving_reranks_and_stays_rejected_when_the_old_evidence_is_replayed()
    {
        var first = new ClarityApp();
        var client = first.Client();
        await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var knives = Id(await BeliefAsync(client, "home/kitchen/knives"));
        Assert.Contains(knives, ReasonIds(await RerankAsync(client, KitchenCandidates)));

        var rejected = await (await client.PostAsync($"/v1/users/{User}/beliefs/{knives}/reject", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("corrected", rejected["source"]!.GetValue<string>());
        Assert.Equal("rejected", rejected["verdict"]!.GetValue<string>());
        Assert.Equal("dormant", rejected["status"]!.GetValue<string>());
        Assert.DoesNotContain(knives, ReasonIds(await RerankAsync(client, KitchenCandidates)));

        // The same signals again are duplicates; the same events under new ids (a client re-sync)
        // are old evidence, which can never count for the rejected belief.
        var again = await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, again["duplicates"]!.GetValue<int>());
        var resent = Batch(
            Signal("evt-1-resent", User, "purchase", "home/kitchen/knives", ClarityApp.Start.AddDays(-3)),
            Signal("evt-2-resent", User, "purchase", "home/kitchen/knives", ClarityApp.Start.AddDays(-2)));
        Assert.Equal(2, (await (await client.PostJsonAsync("/v1/signals", resent)).ExpectAsync(HttpStatusCode.OK))["accepted"]!.GetValue<int>());

        // And across a restart: the rejection is durable and the log replay respects it.
        await using var second = await first.RestartAsync();
        client = second.Client();
        var after = await BeliefAsync(client, "home/kitchen/knives");
        Assert.Equal("rejected", after["verdict"]!.GetValue<string>());
        Assert.Equal(0, after["evidence"]!.GetValue<double>());
        Assert.Equal(0, after["observations"]!.GetValue<int>());
        Assert.DoesNotContain(knives, ReasonIds(await RerankAsync(client, KitchenCandidates)));
    }

    [Fact]
    public async Task Clearly_new_evidence_after_a_rejection_brings_the_belief_back_as_a_new_inference()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var knives = Id(await BeliefAsync(client, "home/kitchen/knives"));
        await (await client.PostAsync($"/v1/users/{User}/beliefs/{knives}/reject", null)).ExpectAsync(HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromDays(1));
        var now = app.Clock.GetUtcNow();
        await (await client.PostJsonAsync("/v1/signals", Batch(Signal("new-1", User, "purchase", "home/kitchen/knives", now)))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("rejected", (await BeliefAsync(client, "home/kitchen/knives"))["verdict"]?.GetValue<string>());

        await (await client.PostJsonAsync("/v1/signals", Batch(Signal("new-2", User, "purchase", "home/kitchen/knives", now.AddHours(1))))).ExpectAsync(HttpStatusCode.OK);
        var back = await BeliefAsync(client, "home/kitchen/knives");

        Assert.Equal("inferred", back["source"]!.GetValue<string>());
        Assert.Null(back["verdict"]);
        Assert.Equal(2, back["observations"]!.GetValue<int>());
        var trail = (await (await client.GetAsync($"/v1/users/{User}/beliefs/{knives}")).ExpectAsync(HttpStatusCode.OK))["trail"]!.AsArray();
        Assert.Equal("new-2", trail[0]!["signalId"]!.GetValue<string>());
        Assert.Contains("inferred again", trail[0]!["note"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(knives, ReasonIds(await RerankAsync(client, KitchenCandidates)));
    }

    [Fact]
    public async Task The_belief_trail_lists_the_signals_behind_it_newest_first()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var kitchen = await BeliefAsync(client, "home/kitchen");

        var detail = await (await client.GetAsync($"/v1/users/{User}/beliefs/{Id(kitchen)}")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(kitchen["statement"]!.GetValue<string>(), detail["statement"]!.GetValue<string>());
        var trail = detail["trail"]!.AsArray();
        Assert.Equal(["evt-3", "evt-2", "evt-1"], trail.Select(t => t!["signalId"]!.GetValue<string>()));
        Assert.Equal(["add_to_cart", "purchase", "purchase"], trail.Select(t => t!["type"]!.GetValue<string>()));
        Assert.Equal([0.5, 1.0, 1.0], trail.Select(t => t!["effect"]!.GetValue<double>()));
        Assert.Equal(ClarityApp.Start.AddDays(-1), trail[0]!["occurredAt"]!.GetValue<DateTimeOffset>());
        // The self-model listing stays compact: trails only on single-belief reads.
        Assert.Null(kitchen["trail"]);
    }

    [Fact]
    public async Task Forget_removes_the_belief_and_its_old_evidence_cannot_recreate_it()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var knives = Id(await BeliefAsync(client, "home/kitchen/knives"));

        var forget = await client.DeleteAsync($"/v1/users/{User}/beliefs/{knives}");
        Assert.Equal(HttpStatusCode.NoContent, forget.StatusCode);
        await (await client.GetAsync($"/v1/users/{User}/beliefs/{knives}")).ExpectProblemAsync(HttpStatusCode.NotFound);

        var resent = Batch(Signal("evt-1-resent", User, "purchase", "home/kitchen/knives", ClarityApp.Start.AddDays(-3)));
        await (await client.PostJsonAsync("/v1/signals", resent)).ExpectAsync(HttpStatusCode.OK);
        var subjects = (await SelfModelAsync(client))["beliefs"]!.AsArray().Select(b => b!["subject"]!.GetValue<string>());
        Assert.DoesNotContain("home/kitchen/knives", subjects);
        Assert.Contains("home/kitchen", subjects);
    }

    [Fact]
    public async Task The_default_catalogue_works_unconfigured()
    {
        await using var app = new ClarityApp();
        var catalogue = await (await app.Client().GetAsync("/v1/statements")).ExpectAsync(HttpStatusCode.OK);

        var statements = catalogue["statements"]!.AsArray();
        Assert.True(statements.Count >= 10);
        var cooking = statements.Single(s => Id(s!) == "st-cooking")!;
        Assert.Equal("I enjoy cooking", cooking["text"]!.GetValue<string>());
        Assert.Equal("affinity", cooking["sets"]!["kind"]!.GetValue<string>());
        Assert.Equal("home/kitchen", cooking["sets"]!["subject"]!.GetValue<string>());
        Assert.StartsWith("b-", cooking["sets"]!["beliefId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(statements, s => Assert.StartsWith("st-", Id(s!), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tenant_replaces_the_catalogue_by_configuration()
    {
        await using var app = new ClarityApp(settings: new Dictionary<string, string?>
        {
            ["Clarity:Tenants:acme:ApiKeys:0"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("acme-key"u8)),
            ["Clarity:Tenants:acme:Statements:0:Id"] = "st-tea",
            ["Clarity:Tenants:acme:Statements:0:Text"] = "I drink loose-leaf tea",
            ["Clarity:Tenants:acme:Statements:0:Kind"] = "affinity",
            ["Clarity:Tenants:acme:Statements:0:Subject"] = "grocery/tea",
            ["Clarity:Tenants:acme:Statements:1:Id"] = "st-coffee",
            ["Clarity:Tenants:acme:Statements:1:Text"] = "I grind my own coffee",
            ["Clarity:Tenants:acme:Statements:1:Subject"] = "grocery/coffee",
        });
        var client = app.Client("acme-key");

        var catalogue = await (await client.GetAsync("/v1/statements")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["st-tea", "st-coffee"], catalogue["statements"]!.AsArray().Select(s => Id(s!)));

        var model = await (await client.PostJsonAsync("/v1/users/u-1/statements", new { selected = new[] { "st-coffee" } })).ExpectAsync(HttpStatusCode.OK);
        var coffee = Assert.Single(model["beliefs"]!.AsArray())!;
        Assert.Equal("grocery/coffee", coffee["subject"]!.GetValue<string>());
        Assert.Equal("stated", coffee["source"]!.GetValue<string>());
        await (await client.PostJsonAsync("/v1/users/u-1/statements", new { selected = new[] { "st-cooking" } })).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Statements_for_a_user_come_most_consequential_and_uncertain_first_and_answered_last()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        await (await client.PostJsonAsync($"/v1/users/{User}/statements", new { rejected = new[] { "st-books" } })).ExpectAsync(HttpStatusCode.OK);

        var ranked = (await (await client.GetAsync($"/v1/statements?userId={User}")).ExpectAsync(HttpStatusCode.OK))["statements"]!.AsArray();

        Assert.Equal("st-cooking", Id(ranked[0]!));
        Assert.Equal("st-books", Id(ranked[^1]!));
        Assert.Equal("rejected", ranked[^1]!["answer"]!.GetValue<string>());
        Assert.Equal(0, ranked[^1]!["value"]!.GetValue<double>());
        var values = ranked.Select(s => s!["value"]!.GetValue<double>()).ToList();
        Assert.Equal(values.OrderDescending(), values);
        Assert.True(values[0] > values[1]);
    }

    [Fact]
    public async Task A_new_user_who_answers_three_statements_gets_reranks_that_reflect_them()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        var candidates = Candidates(
            ("book-1", "books/fiction", 0.90),
            ("garden-1", "garden/tools", 0.89),
            ("knife-1", "home/kitchen/knives", 0.88),
            ("drill-1", "home/diy/drills", 0.87),
            ("toy-1", "toys", 0.10));
        var before = await RerankAsync(client, candidates, "u-new");
        Assert.Equal(["book-1", "garden-1", "knife-1", "drill-1", "toy-1"], Order(before));
        Assert.Empty(ReasonIds(before));

        var model = await (await client.PostJsonAsync("/v1/users/u-new/statements",
            new { selected = new[] { "st-cooking", "st-diy" }, rejected = new[] { "st-books" } })).ExpectAsync(HttpStatusCode.OK);
        var beliefs = model["beliefs"]!.AsArray();
        Assert.Equal(3, beliefs.Count);
        Assert.All(beliefs, b => Assert.Equal("stated", b!["source"]!.GetValue<string>()));
        Assert.Equal("Not interested in books", beliefs.Single(b => b!["subject"]!.GetValue<string>() == "books")!["statement"]!.GetValue<string>());

        var after = await RerankAsync(client, candidates, "u-new");
        Assert.Equal(["knife-1", "drill-1", "garden-1", "book-1", "toy-1"], Order(after));
        Assert.Equal(3, ReasonIds(after).Length);
        Assert.True(after["items"]![3]!["reasons"]![0]!["effect"]!.GetValue<double>() < 0);
    }

    [Fact]
    public async Task Statement_answers_are_validated_as_a_whole()
    {
        await using var app = new ClarityApp();
        var client = app.Client();

        var unknown = await (await client.PostJsonAsync($"/v1/users/{User}/statements",
            new { selected = new[] { "st-cooking", "st-nope" }, rejected = new[] { "st-cooking" } })).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["rejected[0]", "selected[1]"], unknown["errors"].Keys().Order());
        await (await client.PostJsonAsync($"/v1/users/{User}/statements", new { })).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var tooMany = Enumerable.Range(0, 21).Select(i => "st-" + i).ToArray();
        await (await client.PostJsonAsync($"/v1/users/{User}/statements", new { selected = tooMany })).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Empty((await SelfModelAsync(client))["beliefs"]!.AsArray());
    }

    [Fact]
    public async Task Export_holds_beliefs_with_trails_corrections_and_every_signal()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var knives = Id(await BeliefAsync(client, "home/kitchen/knives"));
        await (await client.PostAsync($"/v1/users/{User}/beliefs/{knives}/reject", null)).ExpectAsync(HttpStatusCode.OK);
        await (await client.PostJsonAsync($"/v1/users/{User}/statements", new { selected = new[] { "st-garden" } })).ExpectAsync(HttpStatusCode.OK);

        var response = await client.GetAsync($"/v1/users/{User}/export");
        var export = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(User, export["userId"]!.GetValue<string>());
        Assert.Equal(ClarityApp.Start, export["exportedAt"]!.GetValue<DateTimeOffset>());
        var beliefs = export["beliefs"]!.AsArray();
        Assert.Equal("rejected", beliefs.Single(b => Id(b!) == knives)!["verdict"]!.GetValue<string>());
        Assert.Equal("stated", beliefs.Single(b => b!["subject"]!.GetValue<string>() == "garden")!["verdict"]!.GetValue<string>());
        Assert.Equal(3, beliefs.Single(b => b!["subject"]!.GetValue<string>() == "home/kitchen")!["trail"]!.AsArray().Count);
        var cutoff = Assert.Single(export["evidenceCutoffs"]!.AsArray())!;
        Assert.Equal(knives, cutoff["beliefId"]!.GetValue<string>());
        Assert.Equal(3, export["signals"]!["count"]!.GetValue<int>());
        var log = export["signalLog"]!.AsArray();
        Assert.Equal(["evt-1", "evt-2", "evt-3"], log.Select(s => Id(s!)));
        Assert.Equal("home/kitchen/pans", log[2]!["item"]!["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task Decisions_outlive_a_restart_are_exported_and_are_gone_after_erasure()
    {
        var first = new ClarityApp();
        var client = first.Client();
        await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var rerank = await RerankAsync(client, new
        {
            candidates = new object[]
            {
                new { id = "book", category = "books/fiction", score = 0.9 },
                new { id = "knife", category = "home/kitchen/knives", score = 0.8 },
            },
        });
        var decisionId = rerank["decisionId"]!.GetValue<string>();
        var recorded = await (await client.GetAsync($"/v1/users/{User}/decisions/{decisionId}")).ExpectAsync(HttpStatusCode.OK);

        // A new host on the same store: the decision comes back from storage, not from memory.
        await using var second = await first.RestartAsync();
        client = second.Client();
        var reread = await (await client.GetAsync($"/v1/users/{User}/decisions/{decisionId}")).ExpectAsync(HttpStatusCode.OK);
        var export = await (await client.GetAsync($"/v1/users/{User}/export")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(recorded.ToJsonString(), reread.ToJsonString());
        Assert.NotEmpty(reread["response"]!["items"]!.AsArray().Single(i => Id(i!) == "knife")!["reasons"]!.AsArray());
        Assert.NotEmpty(reread["beliefs"]!.AsArray());
        var exported = Assert.Single(export["decisions"]!.AsArray())!;
        Assert.Equal(recorded.ToJsonString(), exported.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/users/{User}")).StatusCode);

        await (await client.GetAsync($"/v1/users/{User}/decisions/{decisionId}")).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await client.GetAsync($"/v1/users/{User}/export")).ExpectAsync(HttpStatusCode.OK))["decisions"]!.AsArray());
    }

    [Fact]
    public async Task Erase_removes_everything_and_forgets_the_signal_ids()
    {
        var first = new ClarityApp();
        var client = first.Client();
        await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var knives = Id(await BeliefAsync(client, "home/kitchen/knives"));
        await (await client.PostAsync($"/v1/users/{User}/beliefs/{knives}/reject", null)).ExpectAsync(HttpStatusCode.OK);
        await (await client.PostJsonAsync("/v1/signals", KitchenLover("u-other", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v1/users/{User}")).StatusCode);

        Assert.Empty((await SelfModelAsync(client))["beliefs"]!.AsArray());
        var export = await (await client.GetAsync($"/v1/users/{User}/export")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(export["beliefs"]!.AsArray());
        Assert.Empty(export["signalLog"]!.AsArray());
        Assert.Empty(export["evidenceCutoffs"]!.AsArray());
        Assert.Equal(0, export["signals"]!["count"]!.GetValue<int>());
        Assert.NotEmpty((await SelfModelAsync(client, "u-other"))["beliefs"]!.AsArray());

        // Nothing comes back after a restart, and the erased ids are new again.
        await using var second = await first.RestartAsync();
        client = second.Client();
        Assert.Empty((await SelfModelAsync(client))["beliefs"]!.AsArray());
        var again = await (await client.PostJsonAsync("/v1/signals", KitchenLover(User, ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, again["accepted"]!.GetValue<int>());
        Assert.Equal("inferred", (await BeliefAsync(client, "home/kitchen/knives"))["source"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/users/u-never-seen")).StatusCode);
    }
}
