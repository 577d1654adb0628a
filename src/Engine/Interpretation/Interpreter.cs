using Clarity.Engine.Beliefs;
using Clarity.Engine.Interpretation;
using Clarity.Engine.Signals;

namespace Clarity.Engine;

/// <summary>Interpretation in context: one signal, read against the user's history, becomes weighted evidence.</summary>
public sealed partial class BeliefEngine
{
    private void Interpret(SelfModel model, ModelCore core, in SignalEntry signal, List<BeliefChange>? changes)
    {
        var options = Options.Interpretation;
        var info = _categories.Get(signal.Category);
        var history = core.History;
        var ticks = signal.UtcTicks;
        var bound = options.MaxCategoryStats;
        var leafAt = history.Touch(info.Path, ticks, bound);
        var rootAt = info.Root == info.Path ? leafAt : history.Touch(info.Root, ticks, bound);
        var tier = Classify(info, signal.Price, signal.Tags, history);
        if (signal.Price is { } price)
        {
            foreach (var path in info.SelfAndAncestors)
            {
                history.Resolve(history.Touch(path, ticks, bound)).ObservePrice(price);
            }
        }
        // After the last touch of the signal (a touch may move the table); the same entry when the
        // leaf is top-level.
        ref var leaf = ref history.Resolve(leafAt);
        ref var root = ref history.Resolve(rootAt);
        // Repeated identical evidence saturates: the k-th repeat in a session counts factor^k.
        var repeat = Math.Pow(options.SaturationFactor, history.Repeats(RepeatKey(signal), options.SaturationMemory));

        switch (signal.Type)
        {
            case SignalType.View or SignalType.Click or SignalType.AddToCart:
                Affinity(core, info, signal, _affinity.Weight(signal) * repeat, changes);
                leaf.AddView(ticks);
                root.AddResearch(signal.ItemId, ticks);
                Engaged(history, ref root);
                if (core.Beliefs.ContainsKey(info.SatiationKey))
                {
                    AddEvidence(core, info.SatiationKey, signal, -options.SatiationBrowseAgainst * repeat, changes, "browsing again");
                }
                break;
            case SignalType.Purchase:
                Purchase(core, info, ref leaf, ref root, signal, tier, repeat, changes);
                break;
            case SignalType.Return when !signal.Ctx.Gift:
                Affinity(core, info, signal, _affinity.Weight(signal), changes);
                if (tier is { } returned)
                {
                    Tier(core, info, returned, -options.PriceTierReturn, signal, changes);
                }
                if (core.Beliefs.ContainsKey(info.SatiationKey))
                {
                    AddEvidence(core, info.SatiationKey, signal, -options.SatiationRepeatAgainst, changes, "returned: still shopping");
                }
                break;
            case SignalType.Rating:
                Affinity(core, info, signal, _affinity.Weight(signal) * repeat, changes);
                Engaged(history, ref root);
                break;
            case SignalType.Consume:
                // A sampled episode (small completion) or the first episode of a category is weak evidence.
                var episode = leaf.ConsumeCount == 0 ? options.SingleEpisodeFactor : 1;
                Affinity(core, info, signal, _affinity.Weight(signal) * episode * repeat, changes);
                leaf.ConsumeCount++;
                Engaged(history, ref root);
                if (info.Attributes.Consumable && (signal.Value ?? 0) >= options.VarietyMinCompletion)
                {
                    Streak(core, info, ref root, signal, changes);
                }
                break;
            case SignalType.Impression or SignalType.Dismiss:
                Affinity(core, info, signal, _affinity.Weight(signal) * repeat, changes);
                break;
        }
        Feedback(model, core, signal, changes);
        history.EndSignal();
    }

    private void Purchase(ModelCore core, CategoryInfo info, ref CategoryStats leaf, ref CategoryStats root, in SignalEntry signal, PriceTier? tier,
        double repeat, List<BeliefChange>? changes)
    {
        var options = Options.Interpretation;
        var history = core.History;
        var ticks = signal.UtcTicks;
        history.LastPurchaseCategory = info.Path;
        history.LastPurchaseItem = signal.ItemId;
        history.LastPurchaseTicks = ticks;
        // A gift, or a purchase in a part of the catalogue the user never engaged with while engaging
        // elsewhere, says nothing about the buyer's own tastes.
        if (signal.Ctx.Gift)
        {
            return;
        }
        if (root.Engagement == 0 && history.Engagement >= options.OutsideProfileMinHistory)
        {
            // Only the first such purchase: it now counts as engagement there, so a second purchase
            // in that part of the catalogue is the user's own (without this, a buyer who only ever
            // purchases would be frozen to the categories of their first few purchases).
            root.Engagement++;
            return;
        }
        var lookback = ticks - (long)(options.LookbackDays * TimeSpan.TicksPerDay);
        var repeatPurchase = leaf.PurchaseCount > 0;
        var durableNeedMet = info.Attributes.Durable && !repeatPurchase;
        if (durableNeedMet && leaf.ViewsSince(lookback) <= options.ReplacementMaxPriorViews)
        {
            // A replacement: satiation for the category, not a taste.
            AddEvidence(core, info.SatiationKey, signal, options.SatiationPurchase, changes, "replacement purchase");
        }
        else
        {
            if (repeatPurchase)
            {
                if (core.Beliefs.ContainsKey(info.SatiationKey))
                {
                    AddEvidence(core, info.SatiationKey, signal, -options.SatiationRepeatAgainst, changes, "bought again");
                }
                Replenishment(core, info, ref leaf, signal, changes);
            }
            var researchedDurable = durableNeedMet && options.SatiateResearchedDurables;
            if (researchedDurable)
            {
                // Compared first or not, a durable need is met: out of the market for the category.
                // The views before it already counted as interest; the purchase itself is no more.
                AddEvidence(core, info.SatiationKey, signal, options.SatiationPurchase, changes, "bought after comparing");
            }
            ItemRepeat(core, signal, changes);
            if (!researchedDurable)
            {
                Affinity(core, info, signal, _affinity.Weight(signal) * repeat, changes);
            }
            if (tier is { } bought)
            {
                Tier(core, info, bought, options.PriceTierPurchase * repeat, signal, changes);
            }
            var researched = root.ResearchedInVisit(ticks, (long)(options.ResearchGapHours * TimeSpan.TicksPerHour));
            if (researched >= options.ResearchViews)
            {
                AddEvidence(core, info.ResearcherKey, signal, options.ResearcherSupport, changes, $"{researched} items viewed before buying");
            }
            else if (researched <= 1)
            {
                AddEvidence(core, info.ResearcherKey, signal, -options.ResearcherAgainst, changes, "bought without comparing");
            }
            if (info.Attributes.Consumable)
            {
                Streak(core, info, ref root, signal, changes);
            }
            Engaged(history, ref root);
        }
        root.ClearResearch();
        leaf.RecordPurchase(ticks);
    }

    private void Replenishment(ModelCore core, CategoryInfo info, ref CategoryStats leaf, in SignalEntry signal, List<BeliefChange>? changes)
    {
        var options = Options.Interpretation;
        var interval = signal.UtcTicks - leaf.LastPurchaseTicks;
        double effect;
        string note;
        if (leaf.IntervalCount == 0)
        {
            // One interval says nothing about regularity, except where the tenant says the category
            // is re-bought; elsewhere the third purchase tests the interval.
            if (!info.Attributes.Replenishable)
            {
                return;
            }
            effect = options.ReplenishmentFirstRepeat;
            note = "bought again";
        }
        else
        {
            var regular = Math.Abs(interval / leaf.MeanIntervalTicks - 1) <= options.ReplenishmentTolerance;
            effect = regular ? options.ReplenishmentRegular : -options.ReplenishmentIrregular;
            note = regular ? "bought again at the usual interval" : "bought again off the usual interval";
        }
        if (AddEvidence(core, info.ReplenishmentKey, signal, effect, changes, note) is not { } belief)
        {
            return;
        }
        var mean = (leaf.MeanIntervalTicks * leaf.IntervalCount + interval) / (leaf.IntervalCount + 1);
        belief.ExpectedAt = signal.OccurredAt.AddTicks((long)mean);
    }

    private void Streak(ModelCore core, CategoryInfo info, ref CategoryStats root, in SignalEntry signal, List<BeliefChange>? changes)
    {
        var options = Options.Interpretation;
        if (string.Equals(root.StreakGenre, info.Genre, StringComparison.Ordinal))
        {
            root.StreakLength++;
        }
        else
        {
            if (root.StreakGenre is { } previous)
            {
                root.GenreSwitches++;
                // "Ready for a change" from the genre of the streak that just ended held: the change
                // came. The belief is about the current streak, so it is emptied (dormant) rather
                // than left to decay while it still reads as a claim about what comes next.
                var ended = new BeliefKey(BeliefKind.Variety, previous);
                if (core.Beliefs.ContainsKey(ended))
                {
                    EmptyEvidence(core, ended, signal, changes, $"changed genre after {root.StreakLength} in a row");
                }
            }
            root.StreakGenre = info.Genre;
            root.StreakLength = 1;
        }
        root.GenreItems++;
        var before = root.GenreItems - root.StreakLength;
        if (root.StreakLength < options.VarietyStreak || before < options.VarietyMinHistory)
        {
            return;
        }
        // Switches among the items before the streak (the switch into the streak is not one of them).
        var rate = (root.GenreSwitches - 1.0) / (before - 1);
        if (rate < options.AlternatorRate / 2)
        {
            AddEvidence(core, info.VarietyKey, signal, -options.VarietyAgainst, changes, "sticks with a genre");
        }
        else if (root.StreakLength > options.VarietySettledAfter)
        {
            // Longer than an alternator's streaks run: whoever keeps going this long, alternator or
            // occasional switcher, is settling on the genre.
            AddEvidence(core, info.VarietyKey, signal, -options.VarietyAgainst, changes, $"settling on the genre; {root.StreakLength} in a row");
        }
        else if (rate >= options.AlternatorRate)
        {
            AddEvidence(core, info.VarietyKey, signal, options.VarietySupport, changes, $"alternates genres; {root.StreakLength} in a row");
        }
    }

    private void Affinity(ModelCore core, CategoryInfo info, in SignalEntry signal, double weight, List<BeliefChange>? changes)
    {
        if (weight == 0)
        {
            return;
        }
        var scale = 1.0;
        foreach (var key in info.AffinityKeys)
        {
            AddEvidence(core, key, signal, weight * scale, changes);
            scale *= Options.Affinity.AncestorAttenuation;
            if (scale == 0)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Dirichlet evidence over budget / mid / premium. Each tier is stored as its Beta marginal
    /// (support = its count, against = the others' counts), so the three confidences always sum to 1.
    /// Positive weight counts for <paramref name="tier"/>; negative weight moves that mass to the other two.
    /// </summary>
    private void Tier(ModelCore core, CategoryInfo info, PriceTier tier, double weight, in SignalEntry signal, List<BeliefChange>? changes)
    {
        for (var i = 0; i < info.TierKeys.Length; i++)
        {
            var key = info.TierKeys[i];
            if (weight > 0)
            {
                AddEvidence(core, key, signal, i == (int)tier ? weight : -weight, changes);
            }
            else if (i == (int)tier)
            {
                AddEvidence(core, key, signal, weight, changes, "returned");
            }
            else
            {
                // Half of the returned mass to each other tier: support for this one, against the third.
                AddEvidence(core, key, signal, -weight / 2, changes);
                AddEvidence(core, key, signal, weight / 2, changes);
            }
        }
    }

    /// <summary>The price tier of an item relative to its category's usual price, or from its tags.</summary>
    internal PriceTier? Classify(CategoryInfo info, double? itemPrice, IReadOnlyList<string>? itemTags, History history)
    {
        return Classify(itemPrice is null ? null : UsualPrice(info, history), itemPrice, itemTags);
    }

    /// <summary>As above with the category's usual price already looked up (the reranker does it once per category).</summary>
    internal PriceTier? Classify(double? usualPrice, double? itemPrice, IReadOnlyList<string>? itemTags)
    {
        var options = Options.Interpretation;
        if (itemPrice is { } price && usualPrice is { } usual)
        {
            var ratio = price / usual;
            return ratio >= options.PremiumAtRatio ? PriceTier.Premium : ratio <= options.BudgetAtRatio ? PriceTier.Budget : PriceTier.Mid;
        }
        if (itemTags is { } tags)
        {
            foreach (var tag in tags)
            {
                if (tag is "premium" or "luxury")
                {
                    return PriceTier.Premium;
                }
                if (tag is "budget" or "value")
                {
                    return PriceTier.Budget;
                }
            }
        }
        return null;
    }

    internal double? UsualPrice(CategoryInfo info, History history)
    {
        if (info.Attributes.UsualPrice is { } configured)
        {
            return configured;
        }
        foreach (var path in info.SelfAndAncestors)
        {
            if (history.Find(path) is { } stats && stats.PriceCount >= Options.Interpretation.UsualPriceMinSamples)
            {
                return stats.UsualPrice;
            }
        }
        return null;
    }

    /// <summary>
    /// A signal answering a recorded decision credits or blames the beliefs that moved its item:
    /// engagement with a boosted item supports them, an ignored impression or a dismissal of it
    /// contradicts them, engagement with a demoted item contradicts the demotion.
    /// </summary>
    private void Feedback(SelfModel model, ModelCore core, in SignalEntry signal, List<BeliefChange>? changes)
    {
        if (signal.Ctx.DecisionId is not { } decisionId
            || model.Decisions.Find(decisionId) is not { } decision
            || !decision.Drivers.TryGetValue(signal.ItemId, out var drivers))
        {
            return;
        }
        var options = Options.Interpretation;
        var engaged = signal.Type switch
        {
            SignalType.Click or SignalType.AddToCart or SignalType.Purchase => true,
            SignalType.Consume => (signal.Value ?? 0) >= options.VarietyMinCompletion,
            SignalType.Rating => (signal.Value ?? 0) >= 4,
            _ => false,
        };
        var weight = signal.Type switch
        {
            SignalType.Impression => -options.FeedbackIgnored,
            SignalType.Dismiss => -options.FeedbackDismissed,
            _ => engaged ? options.FeedbackCredit : 0,
        };
        if (weight == 0)
        {
            return;
        }
        // Made once and only when a belief records it: a signal answering a decision is the common
        // case after a rerank, and the note is all of its evidence that needs a new object.
        string? note = null;
        foreach (var driver in drivers)
        {
            if (driver.Key.Kind == BeliefKind.Satiation || !core.Beliefs.ContainsKey(driver.Key))
            {
                continue;
            }
            // Engagement with an item a belief demoted is evidence against that belief.
            var effect = driver.Effect > 0 ? weight : engaged ? -weight : 0;
            if (effect == 0)
            {
                continue;
            }
            if (driver.Key.Kind == BeliefKind.PriceTier)
            {
                // "<tier>@<scope>", read in place (no substring, no closure per driver).
                var subject = driver.Key.Subject.AsSpan();
                var at = subject.IndexOf('@');
                Tier(core, _categories.Get(subject[(at + 1)..]), PriceTiers.FromWire(subject[..at]), effect, signal, changes);
            }
            else
            {
                AddEvidence(core, driver.Key, signal, effect, changes, note ??= $"feedback on {decisionId}");
            }
        }
    }

    private static void Engaged(History history, ref CategoryStats root)
    {
        history.Engagement++;
        root.Engagement++;
    }

    // (type, item, session or UTC day): the unit within which repeats saturate.
    private static long RepeatKey(in SignalEntry signal)
    {
        var session = signal.Ctx.SessionId is { } id
            ? StableHash(id)
            : signal.UtcTicks / TimeSpan.TicksPerDay;
        return (StableHash(signal.ItemId) * 31 + session) * 31 + (long)signal.Type;
    }

    // FNV-1a: stable across processes (string.GetHashCode is randomised per process).
    internal static long StableHash(string text)
    {
        var hash = unchecked((long)14695981039346656037UL);
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 1099511628211L);
        }
        return hash;
    }
}
