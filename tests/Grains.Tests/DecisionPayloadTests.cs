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
