using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;

namespace Clarity.Engine;

/// <summary>
/// Item-level repeat purchase: buying the same item again is evidence for "re-buys this item", a
/// replenishment belief whose subject is the item (<see cref="ItemSubjects"/>) and whose expected
/// date is the last purchase plus the item's mean interval. Category replenishment needs a regular
/// interval; this one does not, because a shop's re-stockers re-buy their staples at irregular
/// intervals and that habit is still the best predictor of their next basket.
/// </summary>
public sealed partial class BeliefEngine
{
    private void ItemRepeat(ModelCore core, in SignalEntry signal, List<BeliefChange>? changes)
    {
        var options = Options.Interpretation;
        if (options.MaxItemStats == 0)
        {
            return;
        }
        var ticks = signal.UtcTicks;
        ref var item = ref core.History.TouchItem(signal.ItemId, ticks, options.MaxItemStats);
        if (item.PurchaseCount == 0 && options.ItemFirstPurchaseSupport > 0)
        {
            // Where most purchases are re-stocking (a tenant's setting), a first purchase already
            // hints at the next; the belief stays weak until the item is actually bought again.
            AddEvidence(core, ItemSubjects.Replenishment(signal.ItemId), signal, options.ItemFirstPurchaseSupport, changes, "bought this item");
        }
        // Another line of the same item at the same instant (one basket) is not a repeat.
        else if (item.PurchaseCount > 0 && ticks > item.LastPurchaseTicks && options.ItemRepeatSupport > 0)
        {
            var interval = ticks - item.LastPurchaseTicks;
            var count = item.PurchaseCount + 1;
            if (AddEvidence(core, ItemSubjects.Replenishment(signal.ItemId), signal, options.ItemRepeatSupport, changes,
                    $"bought this item for the {count}{OrdinalSuffix(count)} time") is { } belief)
            {
                var mean = (item.MeanIntervalTicks * item.IntervalCount + interval) / (item.IntervalCount + 1);
                belief.ExpectedAt = signal.OccurredAt.AddTicks((long)mean);
            }
        }
        if (item.PurchaseCount == 0 || ticks != item.LastPurchaseTicks)
        {
            item.RecordPurchase(ticks);
        }
    }

    // A suffix rather than the whole ordinal: the note is then made as one string, not two.
    private static string OrdinalSuffix(int n) => (n % 100) switch
    {
        11 or 12 or 13 => "th",
        _ => (n % 10) switch
        {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        },
    };
}
