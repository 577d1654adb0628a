using Clarity.Evaluation.Protocol;

namespace Clarity.Evaluation.Recommenders;

/// <summary>How ties between a customer's equally frequent items are broken.</summary>
public enum FrequencyTieBreak
{
    /// <summary>The more recently bought item first.</summary>
    Recency,

    /// <summary>The globally more popular item first.</summary>
    Popularity,

    /// <summary>The item first bought earlier first (a stable sort over the order of first purchase).</summary>
    FirstBought,

    /// <summary>Item codes in ordinal order (what a group-by on the code followed by a stable sort gives).</summary>
    ItemCode,
}

/// <summary>What "frequent" counts.</summary>
public enum FrequencyCount
{
    /// <summary>Known baskets holding the item.</summary>
    Baskets,

    /// <summary>Invoice lines of the item (an item can appear on several lines of one invoice).</summary>
    Lines,

    /// <summary>Units bought.</summary>
    Units,
}

/// <summary>
/// Each customer's own most frequent items: the number of known baskets containing the item.
/// Customers with fewer than k distinct items get only those (no padding) unless
/// <paramref name="padWithPopular"/>.
/// </summary>
public sealed class PersonalFrequency(Dataset data, Split split, FrequencyTieBreak tieBreak = FrequencyTieBreak.Recency, bool padWithPopular = false, FrequencyCount count = FrequencyCount.Baskets) : IRecommender
{
    private readonly double[] _popularity = MostPopular.Counts(data, split);
    private readonly MostPopular? _pad = padWithPopular ? new MostPopular(data, split) : null;

    public string Name => "own-most-frequent";

    public IReadOnlyList<int> Recommend(CustomerBaskets customer, int k)
    {
        var counts = new Dictionary<int, (double Count, int Last)>();
        var first = new Dictionary<int, int>();
        var index = 0;
        foreach (var basket in customer.Known(split))
        {
            for (var i = 0; i < basket.Items.Length; i++)
            {
                var item = basket.Items[i];
                first.TryAdd(item, first.Count);
                var (sum, _) = counts.GetValueOrDefault(item);
                var add = count switch
                {
                    FrequencyCount.Lines => basket.Lines[i],
                    FrequencyCount.Units => (double)basket.Units[i],
                    _ => 1.0,
                };
                counts[item] = (sum + add, index);
            }
            index++;
        }
        var ranked = (tieBreak == FrequencyTieBreak.FirstBought
                ? counts.OrderByDescending(p => p.Value.Count).ThenBy(p => first[p.Key])
                : tieBreak == FrequencyTieBreak.ItemCode
                ? counts.OrderByDescending(p => p.Value.Count).ThenBy(p => data.Items.Code(p.Key), StringComparer.Ordinal)
                : counts
                    .OrderByDescending(p => p.Value.Count)
                    .ThenByDescending(p => tieBreak == FrequencyTieBreak.Recency ? p.Value.Last : _popularity[p.Key])
                    .ThenByDescending(p => tieBreak == FrequencyTieBreak.Recency ? _popularity[p.Key] : p.Value.Last)
                    .ThenBy(p => p.Key))
            .Select(p => p.Key)
            .Take(k)
            .ToList();
        if (_pad is not null && ranked.Count < k)
        {
            foreach (var item in _pad.Recommend(customer, k + ranked.Count))
            {
                if (ranked.Count >= k)
                {
                    break;
                }
                if (!counts.ContainsKey(item))
                {
                    ranked.Add(item);
                }
            }
        }
        return ranked;
    }
}
