namespace Clarity.Engine;

/// <summary>
/// What a tenant knows about one category (and everything below it, unless a more specific path is
/// configured). Looked up by the longest configured prefix of a signal's category.
/// </summary>
public sealed class CategoryAttributes
{
    /// <summary>Bought once and kept for years (toilet seats, sofas): a purchase without browsing is a replacement. Default false.</summary>
    public bool Durable { get; set; }

    /// <summary>Bought again at regular intervals (coffee, dog food): a repeat purchase is expected, not satiation. Default false.</summary>
    public bool Replenishable { get; set; }

    /// <summary>Consumed in episodes (movies, books): consumption feeds the genre-streak (variety) interpreter. Default false.</summary>
    public bool Consumable { get; set; }

    /// <summary>Typical time before a durable item is replaced, in days; satiation lasts about this long. Default 1825 (five years).</summary>
    public double ReplacementIntervalDays { get; set; } = 1825;

    /// <summary>The category's usual price, when the tenant knows it; otherwise learned from the prices the user sees. Default unset.</summary>
    public double? UsualPrice { get; set; }
}

/// <summary>
/// How signals are interpreted in the context of the user's history. Each constant is a weight of
/// evidence (in units where a purchase for oneself is 2) or a threshold, named so that the evaluation
/// harness can calibrate it.
/// </summary>
public sealed class InterpretationOptions
{
    /// <summary>
    /// Category attributes by path prefix. Defaults cover common retail and media trees so that an
    /// unconfigured tenant gets sensible behaviour; tenant entries add to or override them.
    /// </summary>
    public Dictionary<string, CategoryAttributes> Categories { get; set; } = DefaultCategories();

    /// <summary>
    /// The k-th repeat of the same (signal type, item) within one session (or one UTC day without a
    /// session) counts <c>SaturationFactor^k</c>: 30 views of one item are worth at most
    /// 1/(1-factor) views. Default 0.5.
    /// </summary>
    public double SaturationFactor { get; set; } = 0.5;

    /// <summary>Repeat counters kept per user for saturation (oldest forgotten first). Default 128.</summary>
    public int SaturationMemory { get; set; } = 128;

    /// <summary>The first consume in a category (a single episode) counts this share. Default 0.4.</summary>
    public double SingleEpisodeFactor { get; set; } = 0.4;

    /// <summary>Days before a purchase in which browsing of the same category is looked for. Default 30.</summary>
    public double LookbackDays { get; set; } = 30;

    /// <summary>A durable purchase with at most this many views of its category in the lookback is a replacement. Default 1.</summary>
    public int ReplacementMaxPriorViews { get; set; } = 1;

    /// <summary>
    /// A first purchase in a durable category after comparing items (more views than
    /// <see cref="ReplacementMaxPriorViews"/>) also makes satiation, like a replacement, and is not
    /// affinity evidence: a researched TV is still the only TV needed for years. Default true; false
    /// reads it as a new taste (affinity) instead.
    /// </summary>
    public bool SatiateResearchedDurables { get; set; } = true;

    /// <summary>Satiation evidence from a replacement purchase (prior 1:1, so confidence 0.83 at once). Default 4.</summary>
    public double SatiationPurchase { get; set; } = 4;

    /// <summary>
    /// Satiation's half-life as a share of the category's replacement interval: with the default 1 and
    /// weight 4, satiation stays above the rerank filter threshold (0.75) for about one interval.
    /// </summary>
    public double SatiationHalfLifeShare { get; set; } = 1;

    /// <summary>A view or click in a satiated category: weak evidence the user is still shopping. Default 0.3.</summary>
    public double SatiationBrowseAgainst { get; set; } = 0.3;

    /// <summary>A repeat purchase or a return in a satiated category contradicts satiation. Default 4.</summary>
    public double SatiationRepeatAgainst { get; set; } = 4;

    /// <summary>
    /// A purchase in a top-level category with no earlier engagement, by a user with at least this many
    /// engagement signals elsewhere, is far outside the profile and treated like a gift. Default 5.
    /// </summary>
    public int OutsideProfileMinHistory { get; set; } = 5;

    /// <summary>Replenishment evidence for the first repeat purchase of a replenishable category (elsewhere none: one interval is no pattern). Default 1.</summary>
    public double ReplenishmentFirstRepeat { get; set; } = 1;

    /// <summary>
    /// Evidence for the item-level "re-buys this item" belief per repeat purchase of the same item, at
    /// any interval. Default 1: the first repeat makes it active at confidence 1/2. 0 turns it off.
    /// </summary>
    public double ItemRepeatSupport { get; set; } = 1;

    /// <summary>
    /// Evidence for "re-buys this item" from the first purchase of an item. Default 0: elsewhere one
    /// purchase says nothing about the next; a tenant whose customers mostly re-stock (wholesale,
    /// groceries) sets it, and the evaluation tunes it on validation.
    /// </summary>
    public double ItemFirstPurchaseSupport { get; set; }

    /// <summary>Items whose purchases are remembered per user for item-level repeat purchase (least recently bought forgotten first). Default 256; 0 turns it off.</summary>
    public int MaxItemStats { get; set; } = 256;

    /// <summary>Replenishment evidence for a repeat purchase at the usual interval. Default 1.5.</summary>
    public double ReplenishmentRegular { get; set; } = 1.5;

    /// <summary>Evidence against replenishment for a repeat far from the usual interval. Default 0.75.</summary>
    public double ReplenishmentIrregular { get; set; } = 0.75;

    /// <summary>A repeat within this relative distance of the mean interval is regular. Default 0.35.</summary>
    public double ReplenishmentTolerance { get; set; } = 0.35;

    /// <summary>Distinct items viewed in the top-level category in the research before a purchase (see ResearchGapHours) that make it researched. Default 5.</summary>
    public int ResearchViews { get; set; } = 5;

    /// <summary>
    /// Views count as research for a purchase when chained back from it with no gap longer than this
    /// many hours: an afternoon of comparing is one research effort; short visits on different days
    /// between two purchases are browsing, and counting them (every view since the last purchase)
    /// made most frequent browsers "researchers". Default 3.
    /// </summary>
    public double ResearchGapHours { get; set; } = 3;

    /// <summary>Researcher evidence per researched purchase. Default 1.5.</summary>
    public double ResearcherSupport { get; set; } = 1.5;

    /// <summary>Evidence against the researcher trait for a purchase with at most one view before it. Default 0.75.</summary>
    public double ResearcherAgainst { get; set; } = 0.75;

    /// <summary>Price-tier (Dirichlet) evidence per purchase for oneself. Default 1.5.</summary>
    public double PriceTierPurchase { get; set; } = 1.5;

    /// <summary>Price-tier evidence a return moves away from the returned item's tier. Default 2.</summary>
    public double PriceTierReturn { get; set; } = 2;

    /// <summary>Price at or above usual x this is premium. Default 1.3.</summary>
    public double PremiumAtRatio { get; set; } = 1.3;

    /// <summary>Price at or below usual x this is budget. Default 0.77.</summary>
    public double BudgetAtRatio { get; set; } = 0.77;

    /// <summary>Prices of a category seen before its learned usual price is trusted. Default 3.</summary>
    public int UsualPriceMinSamples { get; set; } = 3;

    /// <summary>Path depth of price-tier subjects: 1 = top-level category ("home"). Default 1.</summary>
    public int PriceTierDepth { get; set; } = 1;

    /// <summary>Path depth of a genre for the variety interpreter: 2 = "movies/drama". Default 2.</summary>
    public int GenreDepth { get; set; } = 2;

    /// <summary>A streak of this many consumptions of one genre can make "ready for a change". Default 3.</summary>
    public int VarietyStreak { get; set; } = 3;

    /// <summary>Consumptions before the streak needed to judge whether the user alternates. Default 4.</summary>
    public int VarietyMinHistory { get; set; } = 4;

    /// <summary>
    /// Share of genre switches before the streak that makes an alternator. Default 0.2: someone who
    /// reads three to six of a genre and then moves on switches after about one item in five. It was
    /// 0.5 (a switch at least every other item), which took mixers for alternators and missed the
    /// streaky ones: in the scenarios' validation period 17 of 300 genre alternators had a variety
    /// belief at the cut and its confidence told a finished streak from an unfinished one no better
    /// than chance (AUC 0.54); at 0.2 (with <see cref="VarietySettledAfter"/> 6) 97 had one, AUC 0.70.
    /// </summary>
    public double AlternatorRate { get; set; } = 0.2;

    /// <summary>
    /// Variety evidence per streak item at or beyond the streak length, for an alternator. Default 1.5:
    /// one full streak of an alternator gives confidence 0.56 (prior 1:2), past the override threshold.
    /// </summary>
    public double VarietySupport { get; set; } = 1.5;

    /// <summary>
    /// An alternator's streak longer than this reads as settling on the genre: each further item is
    /// evidence against a change (<see cref="VarietyAgainst"/>) instead of for it. Default 6. With
    /// the alternator rate at 0.5, in the scenarios' validation period such users switched after
    /// 29-52% of streak items up to 5 in a row, 35% at 6, 25% at 7 and 5% beyond, and 5 gave the best
    /// validation Brier skill; with the rate at 0.2, 6 keeps the variety calibration (validation ECE
    /// 0.029) where never settling (1000) loses it (0.075, Brier skill 0.07) for a little more
    /// discrimination of finished streaks (AUC 0.72 against 0.70).
    /// </summary>
    public int VarietySettledAfter { get; set; } = 6;

    /// <summary>Evidence against variety per streak item for a user who rarely switches (rate below half the alternator rate). Default 0.5.</summary>
    public double VarietyAgainst { get; set; } = 0.5;

    /// <summary>A consume counts for streaks only from this completed fraction. Default 0.5.</summary>
    public double VarietyMinCompletion { get; set; } = 0.5;

    /// <summary>Category statistics kept per user (least recently touched forgotten first). Default 128.</summary>
    public int MaxCategoryStats { get; set; } = 128;

    /// <summary>
    /// Signals kept sorted by event time so that a late signal is interpreted as if it had arrived in
    /// order (the model is rebuilt from the folded state plus this window). Default 64.
    /// </summary>
    public int ReorderWindowSignals { get; set; } = 64;

    /// <summary>Signals older than the newest by more than this many days leave the reorder window. Default 7.</summary>
    public double ReorderWindowDays { get; set; } = 7;

    /// <summary>Evidence for a belief that drove a decision whose item the user then engaged with. Default 0.5.</summary>
    public double FeedbackCredit { get; set; } = 0.5;

    /// <summary>Evidence against a belief that boosted an item the user was shown and ignored. Default 0.5.</summary>
    public double FeedbackIgnored { get; set; } = 0.5;

    /// <summary>Evidence against a belief that boosted an item the user dismissed. Default 1.5.</summary>
    public double FeedbackDismissed { get; set; } = 1.5;

    /// <summary>
    /// Defaults: home and bathroom fittings, furniture, appliances and electronics are durable with
    /// their typical lifetimes; groceries, pet food and personal care are replenishable; media is
    /// consumable.
    /// </summary>
    public static Dictionary<string, CategoryAttributes> DefaultCategories() => new(StringComparer.Ordinal)
    {
        ["home/bathroom"] = new() { Durable = true, ReplacementIntervalDays = 1825 },
        ["home/furniture"] = new() { Durable = true, ReplacementIntervalDays = 2555 },
        ["home/appliances"] = new() { Durable = true, ReplacementIntervalDays = 3650 },
        ["appliances"] = new() { Durable = true, ReplacementIntervalDays = 3650 },
        ["furniture"] = new() { Durable = true, ReplacementIntervalDays = 2555 },
        ["electronics"] = new() { Durable = true, ReplacementIntervalDays = 1460 },
        ["grocery"] = new() { Replenishable = true },
        ["pets"] = new() { Replenishable = true },
        ["health"] = new() { Replenishable = true },
        ["beauty"] = new() { Replenishable = true },
        ["movies"] = new() { Consumable = true },
        ["tv"] = new() { Consumable = true },
        ["books"] = new() { Consumable = true },
        ["music"] = new() { Consumable = true },
        ["podcasts"] = new() { Consumable = true },
        ["games"] = new() { Consumable = true },
    };

    internal void Validate(string prefix, List<string> errors)
    {
        void Range(string key, double value, double min, double max)
        {
            if (!double.IsFinite(value) || value < min || value > max)
            {
                errors.Add($"{prefix}:{key} must be between {min} and {max} (got {value}).");
            }
        }
        void Count(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                errors.Add($"{prefix}:{key} must be between {min} and {max} (got {value}).");
            }
        }
        Range(nameof(SaturationFactor), SaturationFactor, 0, 0.99);
        Count(nameof(SaturationMemory), SaturationMemory, 0, 10_000);
        Range(nameof(SingleEpisodeFactor), SingleEpisodeFactor, 0, 1);
        Range(nameof(LookbackDays), LookbackDays, 0, 3650);
        Count(nameof(ReplacementMaxPriorViews), ReplacementMaxPriorViews, 0, 1000);
        Range(nameof(SatiationHalfLifeShare), SatiationHalfLifeShare, 0.01, 100);
        Count(nameof(OutsideProfileMinHistory), OutsideProfileMinHistory, 1, 1_000_000);
        Range(nameof(ReplenishmentTolerance), ReplenishmentTolerance, 0.01, 10);
        Count(nameof(ResearchViews), ResearchViews, 1, 1000);
        Range(nameof(ResearchGapHours), ResearchGapHours, 0.01, 24 * 30);
        Range(nameof(PremiumAtRatio), PremiumAtRatio, 1, 100);
        Range(nameof(BudgetAtRatio), BudgetAtRatio, 0.01, 1);
        Count(nameof(UsualPriceMinSamples), UsualPriceMinSamples, 1, 1000);
        Count(nameof(PriceTierDepth), PriceTierDepth, 1, 8);
        Count(nameof(GenreDepth), GenreDepth, 1, 8);
        Count(nameof(VarietyStreak), VarietyStreak, 2, 1000);
        Count(nameof(VarietyMinHistory), VarietyMinHistory, 2, 1000);
        Count(nameof(VarietySettledAfter), VarietySettledAfter, 1, 1000);
        Range(nameof(AlternatorRate), AlternatorRate, 0.01, 1);
        Range(nameof(VarietyMinCompletion), VarietyMinCompletion, 0, 1);
        Count(nameof(MaxCategoryStats), MaxCategoryStats, 1, 100_000);
        Count(nameof(MaxItemStats), MaxItemStats, 0, 100_000);
        Count(nameof(ReorderWindowSignals), ReorderWindowSignals, 0, 10_000);
        Range(nameof(ReorderWindowDays), ReorderWindowDays, 0, 3650);
        foreach (var (key, value) in new[]
        {
            (nameof(SatiationPurchase), SatiationPurchase), (nameof(SatiationBrowseAgainst), SatiationBrowseAgainst),
            (nameof(SatiationRepeatAgainst), SatiationRepeatAgainst), (nameof(ReplenishmentFirstRepeat), ReplenishmentFirstRepeat), (nameof(ItemRepeatSupport), ItemRepeatSupport), (nameof(ItemFirstPurchaseSupport), ItemFirstPurchaseSupport),
            (nameof(ReplenishmentRegular), ReplenishmentRegular), (nameof(ReplenishmentIrregular), ReplenishmentIrregular),
            (nameof(ResearcherSupport), ResearcherSupport), (nameof(ResearcherAgainst), ResearcherAgainst),
            (nameof(PriceTierPurchase), PriceTierPurchase), (nameof(PriceTierReturn), PriceTierReturn),
            (nameof(VarietySupport), VarietySupport), (nameof(VarietyAgainst), VarietyAgainst),
            (nameof(FeedbackCredit), FeedbackCredit), (nameof(FeedbackIgnored), FeedbackIgnored), (nameof(FeedbackDismissed), FeedbackDismissed),
        })
        {
            Range(key, value, 0, 1000);
        }
        if (BudgetAtRatio >= PremiumAtRatio)
        {
            errors.Add($"{prefix}:BudgetAtRatio ({BudgetAtRatio}) must be below PremiumAtRatio ({PremiumAtRatio}).");
        }
        foreach (var (path, attributes) in Categories)
        {
            var key = $"{prefix}:Categories:{path}";
            if (string.IsNullOrWhiteSpace(path) || path.StartsWith('/') || path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal))
            {
                errors.Add($"{key}: '{path}' is not a category path like 'home/bathroom'.");
            }
            if (attributes is null)
            {
                errors.Add($"{key} must have attributes.");
                continue;
            }
            Range($"Categories:{path}:ReplacementIntervalDays", attributes.ReplacementIntervalDays, 1, 36500);
            if (attributes.UsualPrice is { } price && (!double.IsFinite(price) || price <= 0))
            {
                errors.Add($"{key}:UsualPrice must be a positive number (got {price}).");
            }
            if (attributes.Durable && attributes.Replenishable)
            {
                errors.Add($"{key}: a category cannot be both Durable and Replenishable.");
            }
        }
    }

    /// <summary>The attributes of the longest configured prefix of <paramref name="category"/>, or the defaults.</summary>
    internal CategoryAttributes For(string category)
    {
        foreach (var path in Beliefs.CategoryPath.SelfAndAncestors(category))
        {
            if (Categories.TryGetValue(path, out var attributes))
            {
                return attributes;
            }
        }
        return Unconfigured;
    }

    private static readonly CategoryAttributes Unconfigured = new();
}
