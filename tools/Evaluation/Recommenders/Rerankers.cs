using Clarity.Evaluation.Protocol;

namespace Clarity.Evaluation.Recommenders;

/// <summary>One candidate from the behavioural baseline: a dense item id and its upstream score.</summary>
public readonly record struct Scored(int Item, double Score);

/// <summary>Re-orders the baseline's candidates for one customer and split; never adds items.</summary>
public interface IReranker
{
    string Name { get; }

    IReadOnlyList<int> Rerank(CustomerBaskets customer, Split split, IReadOnlyList<Scored> candidates, int k);
}

/// <summary>The baseline's own order: the control every re-ranker is compared against.</summary>
public sealed class KeepOrder(string name) : IReranker
{
    public string Name => name;

    public IReadOnlyList<int> Rerank(CustomerBaskets customer, Split split, IReadOnlyList<Scored> candidates, int k) =>
        candidates.Take(k).Select(c => c.Item).ToList();
}

/// <summary>
/// Rule control: "never recommend a category bought in the last W days". Candidates whose product
/// type (the root of the derived category) the customer bought within <paramref name="days"/> of the
/// request move below all others, keeping their order.
/// </summary>
public sealed class RecentCategorySuppression(string[] categoryRoots, double days = 30) : IReranker
{
    public string Name => $"rule-suppress-recent-category-{days:0}d";

    public IReadOnlyList<int> Rerank(CustomerBaskets customer, Split split, IReadOnlyList<Scored> candidates, int k)
    {
        var asOf = customer.Target(split).Time;
        var recent = new HashSet<string>(StringComparer.Ordinal);
        foreach (var basket in customer.Known(split))
        {
            if ((asOf - basket.Time).TotalDays <= days)
            {
                foreach (var item in basket.Items)
                {
                    recent.Add(categoryRoots[item]);
                }
            }
        }
        return candidates
            .Select((c, i) => (c.Item, Suppressed: recent.Contains(categoryRoots[c.Item]), Index: i))
            .OrderBy(c => c.Suppressed)
            .ThenBy(c => c.Index)
            .Take(k)
            .Select(c => c.Item)
            .ToList();
    }
}

/// <summary>
/// Rule control: "boost the user's own most frequent items". Score = upstream score scaled to
/// [0, 1] + <paramref name="weight"/> × (baskets holding the item / the customer's most bought item's baskets).
/// </summary>
public sealed class OwnFrequencyBoost(double weight = 1) : IReranker
{
    public string Name => $"rule-boost-own-frequent-{weight:0.##}";

    public IReadOnlyList<int> Rerank(CustomerBaskets customer, Split split, IReadOnlyList<Scored> candidates, int k)
    {
        var counts = PersonalFrequency.Counts(customer, split);
        var most = counts.Count == 0 ? 1 : counts.Values.Max(v => v.Baskets);
        var scaled = MinMax(candidates);
        return candidates
            .Select((c, i) => (c.Item, Score: scaled[i] + weight * counts.GetValueOrDefault(c.Item).Baskets / most, Index: i))
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Index)
            .Take(k)
            .Select(c => c.Item)
            .ToList();
    }

    internal static double[] MinMax(IReadOnlyList<Scored> candidates)
    {
        if (candidates.Count == 0)
        {
            return [];
        }
        var min = candidates.Min(c => c.Score);
        var max = candidates.Max(c => c.Score);
        return candidates.Select(c => max > min ? (c.Score - min) / (max - min) : 1.0).ToArray();
    }
}

/// <summary>
/// Rule control: a category diversity pass. Walks the candidates in order and defers any item whose
/// product type already has <paramref name="perCategory"/> items in the list; deferred items fill
/// the remaining places in their original order.
/// </summary>
public sealed class CategoryDiversity(string[] categoryRoots, int perCategory = 2) : IReranker
{
    public string Name => $"rule-diversity-{perCategory}-per-type";

    public IReadOnlyList<int> Rerank(CustomerBaskets customer, Split split, IReadOnlyList<Scored> candidates, int k)
    {
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<int>(k);
        var deferred = new List<int>();
        foreach (var c in candidates)
        {
            if (result.Count >= k)
            {
                break;
            }
            var root = categoryRoots[c.Item];
            var n = taken.GetValueOrDefault(root);
            if (n < perCategory)
            {
                taken[root] = n + 1;
                result.Add(c.Item);
            }
            else
            {
                deferred.Add(c.Item);
            }
        }
        foreach (var item in deferred)
        {
            if (result.Count >= k)
            {
                break;
            }
            result.Add(item);
        }
        return result;
    }
}
