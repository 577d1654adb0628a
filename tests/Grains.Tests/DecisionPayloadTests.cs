using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Grains.State;

namespace Clarity.Grains.Tests;

public sealed class DecisionPayloadTests
{
    [Fact]
    public void The_stored_text_is_what_the_general_serializer_writes_and_reads_back_whole()
    {
        var decision = Sample();

        var general = DecisionPayload.SerializeWithGeneralSerializer(decision);
        var stored = DecisionPayload.Serialize(decision);

        Assert.Equal("d-0123456789abcdef", stored.DecisionId);
        Assert.Equal(general, stored.Payload);
        var read = DecisionPayload.Deserialize(stored.Payload);
        Assert.Equal(general, DecisionPayload.Serialize(read).Payload);
        Assert.Equal(knives, read.Drivers["sku-1"][0].Key);
        // Nothing is lost: the full (version 1) rendering of what was read is that of the original.
        Assert.Equal(DecisionPayload.SerializeVersion1(decision), DecisionPayload.SerializeVersion1(read));
        Assert.Same(read.Result.Items[0].Reasons, read.Result.Items[2].Reasons);
    }

    [Fact]
    public void A_version_1_row_stored_before_the_compact_format_still_reads_whole()
    {
        var decision = Sample();
        var version1 = DecisionPayload.SerializeVersion1(decision);
        Assert.StartsWith("{\"version\":1,", version1, StringComparison.Ordinal);

        var read = DecisionPayload.Deserialize(version1);

        Assert.Equal(version1, DecisionPayload.SerializeVersion1(read));
        Assert.Equal(DecisionPayload.Serialize(decision).Payload, DecisionPayload.Serialize(read).Payload);
        Assert.Equal(new BeliefKey(BeliefKind.PriceTier, "home"), read.Drivers["sku-1"][1].Key);
        Assert.Null(read.Result.Items[0].Reasons[1].Key);
    }

    [Fact]
    public void A_version_2_row_stored_before_the_columns_still_reads_whole()
    {
        var decision = Sample();
        var tier = new BeliefKey(BeliefKind.PriceTier, "home");
        // As version 2 wrote the sample: candidates and items as objects.
        var version2 = $$$"""
            {"v":2,"id":"d-0123456789abcdef",
             "req":{"asOf":"2026-11-01T08:30:00.25+02:00","context":"post_purchase","optimizeFor":"diversity","limit":10,"seed":"u:dev|u-1",
              "cats":["home/kitchen/<knives> & co","home"],
              "c":[{"i":"sku-1","c":0,"s":0.9,"p":12.5,"t":["gift","é"]},{"i":"sku-2","c":1},{"i":"sku-4","c":0,"s":0.5},{"i":"sku-5","c":0}]},
             "items":[{"i":"sku-1","r":1,"s":1.0234567890123,"b":0.9,"l":0},{"i":"sku-2","r":2,"s":1e-7,"b":0,"l":1},
              {"i":"sku-4","r":3,"s":0.6,"b":0.5,"l":0},{"i":"sku-5","r":4,"s":0.1,"b":0,"l":0}],
             "sup":[{"i":"sku-3","l":2}],
             "beliefs":[{"id":"{{{knives.Id()}}}","k":0,"t":"Likes \"knives\" – café","c":0.8,"e":3.25,"st":"Active","src":"Inferred"},
              {"id":"{{{tier.Id()}}}","k":1,"t":"Buys mid-priced","c":0.5,"e":0,"st":"Dormant","src":"Corrected"}],
             "reasons":[{"b":"{{{knives.Id()}}}","t":"Likes \"knives\" – café","e":0.1234567890123,"k":0},
              {"b":"objective:diversity","t":"Variety","e":-0.05},{"b":"context:post_purchase","t":"Just bought","e":0}],
             "lists":[[0,1],[],[2]],
             "keys":[{"k":"Affinity","s":"home/kitchen/<knives> & co"},{"k":"PriceTier","s":"home"}],
             "dlists":[[0,0.1234567890123,1,-0.5],[1,-0.25]],
             "drivers":{"sku-1":0,"sku-4":0,"sku-5":1}}
            """;

        var read = DecisionPayload.Deserialize(version2);

        Assert.Equal(DecisionPayload.SerializeVersion1(decision), DecisionPayload.SerializeVersion1(read));
        Assert.Same(read.Result.Items[0].Reasons, read.Result.Items[2].Reasons);
    }

    [Fact]
    public void Items_that_are_not_candidates_or_not_ranked_in_order_keep_their_ids_and_ranks()
    {
        var sample = Sample();
        var decision = sample with
        {
            Result = sample.Result with { Items = [new RankedItem("sku-9", 2, 0.3, 0.2, []), new RankedItem("sku-1", 1, 0.4, 0.9, [])] },
        };

        var read = DecisionPayload.Deserialize(DecisionPayload.Serialize(decision).Payload);

        Assert.Equal(DecisionPayload.SerializeVersion1(decision), DecisionPayload.SerializeVersion1(read));
        Assert.Equal(["sku-9", "sku-1"], read.Result.Items.Select(i => i.Id));
        Assert.Equal([2, 1], read.Result.Items.Select(i => i.Rank));
    }

    [Fact]
    public void Repeated_reasons_and_categories_are_stored_once()
    {
        var decision = Sample();

        var compact = DecisionPayload.Serialize(decision).Payload;

        var version1 = DecisionPayload.SerializeVersion1(decision);
        Assert.Equal(1, Occurrences(compact, "Variety"));
        Assert.Equal(3, Occurrences(version1, "Variety"));
        // Once as the candidates' category, once as the subject of the belief key (beliefs, reasons and drivers refer to it).
        Assert.Equal(2, Occurrences(compact, "kitchen"));
        Assert.True(Occurrences(version1, "kitchen") > 3);
        Assert.True(compact.Length < version1.Length);
        // Ranked items refer to their candidates by index instead of repeating their ids.
        Assert.Equal(1, Occurrences(compact, "sku-2"));
    }

    [Fact]
    public void An_unknown_version_is_refused_rather_than_misread()
    {
        Assert.Throws<InvalidDataException>(() => DecisionPayload.Deserialize("""{"v":99,"id":"d-1"}"""));
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static readonly BeliefKey knives = new(BeliefKind.Affinity, "home/kitchen/<knives> & co");

    private static Decision Sample()
    {
        var at = new DateTimeOffset(2026, 11, 1, 8, 30, 0, 250, TimeSpan.FromHours(2));
        var tier = new BeliefKey(BeliefKind.PriceTier, "home");
        var liked = new Reason(knives.Id(), "Likes \"knives\" – café", 0.1234567890123) { Key = knives };
        var diversity = new Reason(Reranker.DiversityId, "Variety", -0.05);
        // The engine shares one reason list among the items of a category and tier (sku-1, sku-4);
        // sku-5's list is equal but built apart.
        IReadOnlyList<Reason> shared = [liked, diversity];
        var request = new RerankRequest(
            [new Candidate("sku-1", "home/kitchen/<knives> & co", 0.9, 12.5, ["gift", "é"]), new Candidate("sku-2", "home", null, null, null),
             new Candidate("sku-4", "home/kitchen/<knives> & co", 0.5), new Candidate("sku-5", "home/kitchen/<knives> & co")],
            at, "post_purchase", "diversity", 10, "u:dev|u-1");
        var result = new RerankResult(
            [new RankedItem("sku-1", 1, 1.0234567890123, 0.9, shared), new RankedItem("sku-2", 2, 1e-7, 0, []),
             new RankedItem("sku-4", 3, 0.6, 0.5, shared), new RankedItem("sku-5", 4, 0.1, 0, [liked, diversity])],
            [new SuppressedItem("sku-3", [new Reason("context:post_purchase", "Just bought", 0)])],
            "d-0123456789abcdef");
        var decision = new Decision(
            "d-0123456789abcdef",
            request,
            result,
            [new BeliefRecord(knives.Id(), knives, liked.Statement, 0.8, 3.25, BeliefStatus.Active, BeliefSource.Inferred),
             new BeliefRecord(tier.Id(), tier, "Buys mid-priced", 0.5, 0, BeliefStatus.Dormant, BeliefSource.Corrected)],
            new Dictionary<string, Driver[]>(StringComparer.Ordinal) 
            {
                ["sku-1"] = [new Driver(knives, 0.1234567890123), new Driver(tier, -0.5)],
                ["sku-4"] = [new Driver(knives, 0.1234567890123), new Driver(tier, -0.5)],
                ["sku-5"] = [new Driver(tier, -0.25)],
            });

        return decision;
    }
}
