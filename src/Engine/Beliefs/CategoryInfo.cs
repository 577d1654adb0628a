using System.Collections.Concurrent;

namespace Clarity.Engine.Beliefs;

/// <summary>
/// Everything the engine derives from a category path, computed once per distinct path: its
/// ancestors, top-level category, genre, price-tier scope and tenant attributes. Keeps the per-signal
/// path free of substring allocations.
/// </summary>
public sealed class CategoryInfo
{
    internal CategoryInfo(string path, InterpretationOptions options)
    {
        Path = path;
        SelfAndAncestors = [.. CategoryPath.SelfAndAncestors(path)];
        Root = SelfAndAncestors[^1];
        Genre = AtDepth(options.GenreDepth);
        TierScope = AtDepth(options.PriceTierDepth);
        Attributes = options.For(path);
        AffinityKeys = [.. SelfAndAncestors.Select(p => new BeliefKey(BeliefKind.Affinity, p))];
        SatiationKeys = [.. SelfAndAncestors.Select(p => new BeliefKey(BeliefKind.Satiation, p))];
        SatiationKey = SatiationKeys[0];
        ReplenishmentKey = new BeliefKey(BeliefKind.Replenishment, path);
        ResearcherKey = new BeliefKey(BeliefKind.Researcher, Root);
        VarietyKey = new BeliefKey(BeliefKind.Variety, Genre);
        TierKeys = [.. PriceTiers.All.Select(t => PriceTiers.Key(t, TierScope))];
    }

    public string Path { get; }

    /// <summary>The path, then each ancestor up to the top-level category.</summary>
    public string[] SelfAndAncestors { get; }

    public string Root { get; }

    /// <summary>The ancestor at the configured genre depth ("movies/drama"), or the path itself when shallower.</summary>
    public string Genre { get; }

    /// <summary>The ancestor whose price-tier Dirichlet this category's prices feed.</summary>
    public string TierScope { get; }

    public CategoryAttributes Attributes { get; }

    internal BeliefKey[] AffinityKeys { get; }

    internal BeliefKey SatiationKey { get; }

    /// <summary>Satiation keys of the path and each ancestor, in <see cref="SelfAndAncestors"/> order.</summary>
    internal BeliefKey[] SatiationKeys { get; }

    internal BeliefKey ReplenishmentKey { get; }

    internal BeliefKey ResearcherKey { get; }

    internal BeliefKey VarietyKey { get; }

    /// <summary>Budget, mid and premium keys of this category's scope, in <see cref="PriceTier"/> order.</summary>
    internal BeliefKey[] TierKeys { get; }

    private string AtDepth(int depth) =>
        SelfAndAncestors.Length <= depth ? Path : SelfAndAncestors[SelfAndAncestors.Length - depth];
}

/// <summary>A shared, bounded cache of <see cref="CategoryInfo"/> by path; safe for concurrent grains.</summary>
internal sealed class CategoryIndex
{
    // Categories are a tenant's tree: thousands, not millions. The bound stops a hostile client from
    // growing the cache without limit; beyond it infos are computed per call.
    private const int MaxCached = 100_000;
    private readonly InterpretationOptions _options;
    private readonly ConcurrentDictionary<string, CategoryInfo> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CategoryInfo>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public CategoryIndex(InterpretationOptions options)
    {
        _options = options;
        _bySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>As <see cref="Get(string)"/> for a path inside a longer string (a price-tier subject's scope), without cutting it out when cached.</summary>
    public CategoryInfo Get(ReadOnlySpan<char> path) =>
        _bySpan.TryGetValue(path, out var info) ? info : Get(path.ToString());

    public CategoryInfo Get(string path)
    {
        if (_cache.TryGetValue(path, out var info))
        {
            return info;
        }
        info = new CategoryInfo(path, _options);
        if (_cache.Count < MaxCached)
        {
            _cache.TryAdd(path, info);
        }
        return info;
    }
}

/// <summary>The three mutually exclusive price tiers of one Dirichlet.</summary>
public enum PriceTier
{
    Budget,
    Mid,
    Premium,
}

public static class PriceTiers
{
    public static readonly PriceTier[] All = [PriceTier.Budget, PriceTier.Mid, PriceTier.Premium];

    public static string Wire(this PriceTier tier) => tier switch
    {
        PriceTier.Budget => "budget",
        PriceTier.Mid => "mid",
        _ => "premium",
    };

    /// <summary>The tier named by <see cref="Wire"/>.</summary>
    internal static PriceTier FromWire(ReadOnlySpan<char> wire) => wire switch
    {
        "budget" => PriceTier.Budget,
        "mid" => PriceTier.Mid,
        "premium" => PriceTier.Premium,
        _ => throw new ArgumentException($"Not a price tier: {wire}.", nameof(wire)),
    };

    /// <summary>A price-tier belief's subject: "premium@home".</summary>
    public static BeliefKey Key(PriceTier tier, string scope) => new(BeliefKind.PriceTier, $"{tier.Wire()}@{scope}");
}
