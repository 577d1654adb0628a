using Clarity.Evaluation.Protocol;

namespace Clarity.Evaluation.Recommenders;

/// <summary>How popularity is counted.</summary>
public enum PopularityCount
{
    /// <summary>Number of training baskets containing the item.</summary>
    Baskets,

    /// <summary>Number of distinct customers who bought the item in training.</summary>
    Customers,
}

/// <summary>The same top-k most popular items for everyone (ties: lower dense id, i.e. first seen in the file).</summary>
public sealed class MostPopular : IRecommender
{
    private readonly List<int> _top;

    public MostPopular(Dataset data, Split split, PopularityCount count = PopularityCount.Baskets, int depth = 200)
    {
        Scores = Counts(data, split, count);
        _top = Training.TopK(Scores, depth);
    }

    public string Name => "most-popular";

    /// <summary>Popularity per dense item id.</summary>
    public double[] Scores { get; }

    public IReadOnlyList<int> Recommend(CustomerBaskets customer, int k) => _top.Count <= k ? _top : _top.GetRange(0, k);

    public static double[] Counts(Dataset data, Split split, PopularityCount count = PopularityCount.Baskets)
    {
        var scores = new double[data.Items.Count];
        if (count == PopularityCount.Baskets)
        {
            foreach (var (_, basket) in Training.Baskets(data, split))
            {
                foreach (var item in basket.Items)
                {
                    scores[item]++;
                }
            }
            return scores;
        }
        CustomerBaskets? current = null;
        var seen = new HashSet<int>();
        foreach (var (customer, basket) in Training.Baskets(data, split))
        {
            if (!ReferenceEquals(customer, current))
            {
                current = customer;
                seen.Clear();
            }
            foreach (var item in basket.Items)
            {
                if (seen.Add(item))
                {
                    scores[item]++;
                }
            }
        }
        return scores;
    }
}
