using Clarity.Engine.Beliefs;
using Clarity.Engine.Interpretation;

namespace Clarity.Engine.Ranking;

public sealed partial class Reranker
{
    // Re-rank: an item the user keeps re-buying moves up, by confidence and evidence, a share of it
    // right after the last purchase growing to all of it once the item's usual interval has passed.
    private Reason? ItemRepeatReason(Pass state, Candidate candidate, History history, long asOf)
    {
        var options = engine.Options.Rerank;
        if (options.ItemReplenishmentWeight == 0
            || history.FindItem(candidate.Id) is not { PurchaseCount: > 0 } stats
            || state.Active(ItemSubjects.Replenishment(candidate.Id)) is not { } belief
            || !belief.Value.Holds)
        {
            return null;
        }
        var timing = 1.0;
        if (stats.MeanIntervalTicks > 0)
        {
            var elapsed = Math.Max(0, asOf - stats.LastPurchaseTicks);
            timing = options.ItemReplenishmentEarlyShare
                + (1 - options.ItemReplenishmentEarlyShare) * Math.Min(1, elapsed / stats.MeanIntervalTicks);
        }
        var effect = options.ItemReplenishmentWeight * state.Confidence(belief) * Certainty(belief) * timing;
        return Significant(Reason(belief, effect));
    }
}
