using System.Globalization;

namespace Clarity.Evaluation.Scenarios;

/// <summary>How a category is bought: once in years, at a regular interval, often, or consumed as media.</summary>
public enum CategoryRole
{
    Regular,
    Durable,
    Replenishable,
    Media,
}

/// <summary>The latent type of a simulated user: the behaviour whose truth the engine should recover.</summary>
public enum Archetype
{
    ReplacementBuyer,
    GiftBuyer,
    GenreAlternator,
    PremiumBuyer,
    Researcher,
    TasteChange,
    Ignorer,
    Replenisher,
}

public sealed record SimCategory(int Index, string Path, CategoryRole Role, double BasePrice)
{
    public string Root => Path[..Path.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>The catalog's median price of the category (what a tenant knows about its own prices).</summary>
    public double UsualPrice => BasePrice;
}

/// <summary>Tier 0 budget, 1 mid, 2 premium.</summary>
public sealed record SimItem(int Index, string Id, int Category, int Tier, double Price);

/// <summary>
/// The simulated shop: a category tree with durable, replenishable, regular and media leaves, each
/// with items at three price tiers. Fixed (no randomness) so every run sees the same catalog.
/// </summary>
public sealed class Catalog
{
    public static readonly string[] TierNames = ["budget", "mid", "premium"];

    private static readonly (string Path, CategoryRole Role, double Price)[] Leaves =
    [
        ("home/bathroom/toilet-seats", CategoryRole.Durable, 40),
        ("home/kitchen/knives", CategoryRole.Durable, 60),
        ("home/kitchen/coffee", CategoryRole.Replenishable, 12),
        ("home/decor/candles", CategoryRole.Regular, 15),
        ("electronics/tv", CategoryRole.Durable, 600),
        ("electronics/audio/headphones", CategoryRole.Durable, 120),
        ("electronics/power/batteries", CategoryRole.Replenishable, 8),
        ("electronics/accessories/cables", CategoryRole.Regular, 10),
        ("books/crime", CategoryRole.Media, 10),
        ("books/scifi", CategoryRole.Media, 10),
        ("books/romance", CategoryRole.Media, 9),
        ("books/history", CategoryRole.Media, 14),
        ("grocery/tea", CategoryRole.Replenishable, 6),
        ("grocery/snacks", CategoryRole.Regular, 4),
        ("fashion/shoes/running", CategoryRole.Regular, 90),
        ("fashion/tops/shirts", CategoryRole.Regular, 35),
        ("toys/building-sets", CategoryRole.Regular, 45),
        ("garden/tools/mowers", CategoryRole.Durable, 250),
    ];

    public const int ItemsPerTier = 6;

    public Catalog()
    {
        var items = new List<SimItem>();
        var categories = new List<SimCategory>();
        var byCategory = new List<int[]>();
        for (var c = 0; c < Leaves.Length; c++)
        {
            var (path, role, price) = Leaves[c];
            categories.Add(new SimCategory(c, path, role, price));
            var ids = new List<int>();
            for (var tier = 0; tier < 3; tier++)
            {
                for (var j = 0; j < ItemsPerTier; j++)
                {
                    // Tiers do not overlap: budget 0.45-0.7, mid 0.85-1.2, premium 1.6-2.4 of the base price.
                    var (low, high) = tier switch { 0 => (0.45, 0.7), 1 => (0.85, 1.2), _ => (1.6, 2.4) };
                    var p = Math.Round(price * (low + (high - low) * j / (ItemsPerTier - 1.0)), 2);
                    var index = items.Count;
                    items.Add(new SimItem(index, string.Create(CultureInfo.InvariantCulture, $"c{c:00}-{TierNames[tier][0]}{j}"), c, tier, p));
                    ids.Add(index);
                }
            }
            byCategory.Add([.. ids]);
        }
        Categories = categories;
        Items = items;
        ItemsOf = [.. byCategory];
    }

    public IReadOnlyList<SimCategory> Categories { get; }

    public IReadOnlyList<SimItem> Items { get; }

    /// <summary>Item indices per category, budget first.</summary>
    public int[][] ItemsOf { get; }

    public SimCategory CategoryOf(int item) => Categories[Items[item].Category];

    public int[] Of(CategoryRole role) => [.. Categories.Where(c => c.Role == role).Select(c => c.Index)];
}
