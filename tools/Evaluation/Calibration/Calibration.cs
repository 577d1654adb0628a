using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;

namespace Clarity.Evaluation.Calibration;

/// <summary>One observed event after the cut, in the neutral form both data sources reduce to.</summary>
public sealed record OutcomeEvent(double Day, SignalType Type, string ItemId, string Category, double? Value = null, bool Gift = false, int Tier = -1)
{
    /// <summary>Engagement that shows interest: clicks, carts, own purchases, mostly completed consumes, good ratings.</summary>
    public bool IsEngagement => Type is SignalType.Click or SignalType.AddToCart
        || (Type == SignalType.Purchase && !Gift)
        || (Type == SignalType.Consume && Value >= 0.5) || (Type == SignalType.Rating && Value >= 4);
}

/// <summary>Horizons (days) of the event each belief kind predicts.</summary>
public sealed record Horizons
{
    /// <summary>Affinity: engagement in the category (or, when only purchases are observed, a purchase) within this. Default 30.</summary>
    public double Affinity { get; init; } = 30;

    /// <summary>Affinity on purchase-only data (the real log): a purchase in the category within this. Default 90.</summary>
    public double AffinityPurchasesOnly { get; init; } = 90;

    /// <summary>Satiation: no purchase in the category within this. Default 90 (EVALUATION.md).</summary>
    public double Satiation { get; init; } = 90;

    /// <summary>
    /// Replenishment: the due window is the expected date plus or minus this share of the interval
    /// (expected date minus the last purchase). Default 0.25, the reranker's default
    /// <c>ReplenishmentDueShare</c>: the window in which the engine boosts the item is what it claims.
    /// </summary>
    public double ReplenishmentDueShare { get; init; } = 0.25;

    /// <summary>Replenishment: days of held-out time an instant must leave for the due window to be seen (a window ending later is unscored). Default 60.</summary>
    public double Replenishment { get; init; } = 60;

    /// <summary>Researcher, price tier: the first purchase in the subject within this is what is predicted. Default 90.</summary>
    public double NextPurchase { get; init; } = 90;

    /// <summary>Variety: the next consume within this. Default 30.</summary>
    public double Variety { get; init; } = 30;

    /// <summary>
    /// Researcher: views of the subject count as research for a purchase when chained back from it
    /// with no gap longer than this (days). Default 3 hours, as the engine's
    /// Interpretation:ResearchGapHours: it was every view in the 14 days before the purchase, which
    /// made frequent browsers' purchases "researched" too, so a belief that told researchers apart
    /// could not be calibrated against it.
    /// </summary>
    public double ResearchGap { get; init; } = 3.0 / 24;

    /// <summary>Researcher: this many views before a purchase make it "researched". Default 4.</summary>
    public int ResearchViews { get; init; } = 4;

    /// <summary>
    /// Days between the instants at which beliefs are scored within a held-out period (the cut, the
    /// cut + step, ...): a kind is scored at every instant whose horizon still ends inside the period,
    /// so short-lived beliefs (variety lasts days after a streak) are caught often enough. Default 5.
    /// </summary>
    public double InstantStep { get; init; } = 5;

    /// <summary>Days after an instant the kind's event needs to be observed.</summary>
    public double Span(BeliefKind kind, bool purchasesOnly) => kind switch
    {
        BeliefKind.Affinity => purchasesOnly ? AffinityPurchasesOnly : Affinity,
        BeliefKind.Satiation => Satiation,
        BeliefKind.Replenishment => Replenishment,
        BeliefKind.Variety => Variety,
        _ => NextPurchase,
    };

    /// <summary>The scoring instants from <paramref name="cut"/> for a kind whose events must be seen before <paramref name="end"/> (at least the cut).</summary>
    public IEnumerable<double> Instants(double cut, double end, BeliefKind kind, bool purchasesOnly)
    {
        yield return cut;
        for (var t = cut + InstantStep; t + Span(kind, purchasesOnly) <= end + 1e-9; t += InstantStep)
        {
            yield return t;
        }
    }
}

/// <summary>
/// The event each belief kind predicts (EVALUATION.md): the belief's confidence is read as the
/// probability of that event within the kind's horizon after the cut. Null when the event is not
/// defined for this user (e.g. a researcher belief when no purchase follows) or not decided by
/// <c>end</c>, the end of the observed period (only a replenishment window can end later).
/// </summary>
public static class KindEvents
{
    public static bool? Outcome(BeliefKind kind, string subject, double cut, IReadOnlyList<OutcomeEvent> before, IReadOnlyList<OutcomeEvent> after, Horizons h, bool purchasesOnly,
        double? nextDay = null, double end = double.PositiveInfinity)
    {
        switch (kind)
        {
            case BeliefKind.Affinity:
                return purchasesOnly
                    ? after.Any(e => e.Day < cut + h.AffinityPurchasesOnly && e.Type == SignalType.Purchase && !e.Gift && Within(e, subject))
                    : after.Any(e => e.Day < cut + h.Affinity && e.IsEngagement && Within(e, subject));
            case BeliefKind.Satiation:
                return !after.Any(e => e.Day < cut + h.Satiation && e.Type == SignalType.Purchase && !e.Gift && Within(e, subject));
            case BeliefKind.Replenishment:
            {
                // "Buys it again at a regular interval", dated: the engine boosts the subject within
                // the due window around its expected date, so the claim is that the next own purchase
                // falls in that window, not merely that one happens by a date (frequent but irregular
                // buyers do that without any regularity). Early, late (or none) all miss.
                if (nextDay is not { } expected
                    || before.LastOrDefault(e => e.Type == SignalType.Purchase && !e.Gift && Within(e, subject)) is not { } last
                    || expected - last.Day <= 0)
                {
                    return null;
                }
                var window = h.ReplenishmentDueShare * (expected - last.Day);
                var next = after.FirstOrDefault(e => e.Day < end && e.Type == SignalType.Purchase && !e.Gift && Within(e, subject));
                if (ItemSubjects.ItemId(subject) is not null)
                {
                    // "Re-buys this item" claims no regularity: its rerank effect grows toward the
                    // expected date and stays there. The event: bought again by the expected date (or
                    // the instant, when overdue) plus the same share of the interval.
                    var until = Math.Max(expected, cut) + window;
                    return next is not null && next.Day <= until ? true : until <= end ? false : null;
                }
                if (next is null)
                {
                    return expected + window <= end ? false : null;
                }
                return next.Day >= expected - window && next.Day <= expected + window;
            }
            case BeliefKind.Researcher:
            {
                if (purchasesOnly)
                {
                    // Research is views before a purchase; a purchase-only log has no views, so the
                    // event cannot be observed (it would read as "never researched").
                    return null;
                }
                var purchase = after.FirstOrDefault(e => e.Day < cut + h.NextPurchase && e.Type == SignalType.Purchase && !e.Gift && Within(e, subject));
                if (purchase is null)
                {
                    return null;
                }
                // Views of the subject chained back from the purchase with no gap longer than the
                // research gap (short visits on different days are browsing, not research).
                var times = before.Concat(after).Where(e => e.Type == SignalType.View && e.Day <= purchase.Day && Within(e, subject))
                    .Select(e => e.Day).OrderDescending();
                var views = 0;
                var previous = purchase.Day;
                foreach (var day in times)
                {
                    if (previous - day > h.ResearchGap)
                    {
                        break;
                    }
                    views++;
                    previous = day;
                }
                return views >= h.ResearchViews;
            }
            case BeliefKind.PriceTier:
            {
                var at = subject.IndexOf('@', StringComparison.Ordinal);
                if (at < 0)
                {
                    return null;
                }
                var tier = subject[..at];
                var scope = subject[(at + 1)..];
                var purchase = after.FirstOrDefault(e => e.Day < cut + h.NextPurchase && e.Type == SignalType.Purchase && !e.Gift && e.Tier >= 0 && Within(e, scope));
                return purchase is null ? null : string.Equals(Scenarios.Catalog.TierNames[purchase.Tier], tier, StringComparison.OrdinalIgnoreCase);
            }
            case BeliefKind.Variety:
            {
                var consume = after.FirstOrDefault(e => e.Day < cut + h.Variety && e.Type == SignalType.Consume);
                return consume is null ? null : !Within(consume, subject);
            }
            default:
                return null;
        }
    }

    /// <summary>A subject is a category path, an item id, or an item-level belief's "item:&lt;id&gt;".</summary>
    public static bool Within(OutcomeEvent e, string subject) =>
        e.ItemId == subject || (ItemSubjects.ItemId(subject) is { } item ? e.ItemId == item : CategoryPath.IsWithin(e.Category, subject));
}

/// <summary>Calibration of one belief kind: Brier score, Brier skill against the base rate, ECE over 15 equal-width bins.</summary>
public sealed record KindCalibration(
    string Kind, int Predictions, double BaseRate, double MeanConfidence, double Brier, double BrierSkill, double Ece,
    List<ReliabilityBin> Bins)
{
    public const int BinCount = 15;

    public static KindCalibration Of(string kind, IReadOnlyList<(double P, bool O)> pairs)
    {
        var n = pairs.Count;
        if (n == 0)
        {
            return new KindCalibration(kind, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, []);
        }
        var baseRate = pairs.Average(x => x.O ? 1.0 : 0.0);
        var brier = pairs.Average(x => Math.Pow(x.P - (x.O ? 1 : 0), 2));
        var reference = baseRate * (1 - baseRate);
        var skill = reference > 0 ? 1 - brier / reference : double.NaN;
        var bins = new List<ReliabilityBin>();
        var ece = 0.0;
        for (var b = 0; b < BinCount; b++)
        {
            var low = (double)b / BinCount;
            var high = (double)(b + 1) / BinCount;
            var members = pairs.Where(x => x.P >= low && (x.P < high || (b == BinCount - 1 && x.P <= 1))).ToList();
            if (members.Count == 0)
            {
                continue;
            }
            var meanP = members.Average(x => x.P);
            var meanO = members.Average(x => x.O ? 1.0 : 0.0);
            ece += (double)members.Count / n * Math.Abs(meanP - meanO);
            bins.Add(new ReliabilityBin(low, high, members.Count, meanP, meanO));
        }
        return new KindCalibration(kind, n, baseRate, pairs.Average(x => x.P), brier, skill, ece, bins);
    }
}

public sealed record ReliabilityBin(double Low, double High, int Count, double MeanConfidence, double ObservedRate);
