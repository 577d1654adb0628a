using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Grains.State;

namespace Clarity.Grains.Tests;

public sealed class DecisionPayloadTests
{
    [Fact]
    public void The_stored_text_is_what_the_general_serializer_writes_and_reads_back_whole()
    {
        var at = new DateTimeOffset(2026, 11, 1, 8, 30, 0, 250, TimeSpan.FromHours(2));
        var knives = new BeliefKey(BeliefKind.Affinity, "home/kitchen/<knives> & co");
        var tier = new BeliefKey(BeliefKind.PriceTier, "home");
        var liked = new Reason(knives.Id(), "Likes \"knives\" – café", 0.1234567890123) { Key = knives };
        var diversity = new Reason(Reranker.DiversityId, "Variety", -0.05);
        var request = new RerankRequest(
            [new Candidate("sku-1", "home/kitchen/<knives> & co", 0.9, 12.5, ["gift", "é"]), new Candidate("sku-2", "home", null, null, null)],
            at, "post_purchase", "diversity", 10, "u:dev|u-1");
        var result = new RerankResult(
            [new RankedItem("sku-1", 1, 1.0234567890123, 0.9, [liked, diversity]), new RankedItem("sku-2", 2, 1e-7, 0, [])],
            [new SuppressedItem("sku-3", [new Reason("context:post_purchase", "Just bought", 0)])],
            "d-0123456789abcdef");
        var decision = new Decision(
            "d-0123456789abcdef",
            request,
            result,
            [new BeliefRecord(knives.Id(), knives, liked.Statement, 0.8, 3.25, BeliefStatus.Active, BeliefSource.Inferred),
             new BeliefRecord(tier.Id(), tier, "Buys mid-priced", 0.5, 0, BeliefStatus.Dormant, BeliefSource.Corrected)],
            new Dictionary<string, Driver[]>(StringComparer.Ordinal) { ["sku-1"] = [new Driver(knives, 0.1234567890123), new Driver(tier, -0.5)] });

        var general = DecisionPayload.SerializeWithGeneralSerializer(decision);
        var stored = DecisionPayload.Serialize(decision);

        Assert.Equal("d-0123456789abcdef", stored.DecisionId);
        Assert.Equal(general, stored.Payload);
        var read = DecisionPayload.Deserialize(stored.Payload);
        Assert.Equal(general, DecisionPayload.Serialize(read).Payload);
        Assert.Equal(knives, read.Drivers["sku-1"][0].Key);
    }
}
