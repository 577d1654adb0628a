using Clarity.Evaluation.Protocol;

namespace Clarity.Evaluation.Recommenders;

/// <summary>How ties between a customer's equally frequent items are broken.</summary>
public enum FrequencyTieBreak
{
    /// <summary>
    /// Item codes in ordinal order: what a group-by on the code followed by a stable sort gives,
    /// and the variant that reproduces the reference numbers.
    /// </summary>
    ItemCode,

    /// <summary>The more recently bought item first (a stronger baseline; reported as an extra row).</summary>
    Recency,
}

/// <summary>
/// Each customer's own most frequent items: the number of the customer's known baskets holding
/// the item. Customers with fewer than k distinct items get only those (no padding).
/// </summary>
public sealed class PersonalFrequency(Dataset data, FrequencyTieBreak tieBreak = FrequencyTieBreak.ItemCode) : IRecommender
{
    public string Name => tieBreak == FrequencyTieBreak.ItemCode ? "own-most-frequent" : "own-most-frequent-recent";

    public IReadOnlyList<int> Recommend(CustomerBaskets customer, Split split, int k) =>
        Counts(customer, split)
            .OrderByDescending(p => p.Value.Baskets)
            .ThenByDescending(p => tieBreak == FrequencyTieBreak.Recency ? p.Value.Last : 0)
            .ThenBy(p => data.Items.Code(p.Key), StringComparer.Ordinal)
            .Select(p => p.Key)
            .Take(k)
            .ToList();

    /// <summary>Per known item: baskets holding it and the index of the last such basket.</summary>
    public static Dictionary<int, (int Baskets, int Last)> Counts(CustomerBaskets customer, Split split)
    {
        var counts = new Dictionary<int, (int Baskets, int Last)>();
        var index = 0;
        foreach (var basket in customer.Known(split))
        {
            foreach (var item in basket.Items)
            {
                counts[item] = (counts.GetValueOrDefault(item).Baskets + 1, index);
            }
            index++;
        }
        return counts;
    }
}
