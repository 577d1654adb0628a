using Clarity.Evaluation.Protocol;

namespace Clarity.Evaluation.Recommenders;

/// <summary>
/// The same most popular items for everyone: popularity is the number of training baskets holding
/// the item; ties go to the item first seen in the file.
/// </summary>
public sealed class MostPopular : IRecommender
{
    private readonly List<int> _top;

    public MostPopular(Dataset data, int depth = 100)
    {
        Scores = Counts(data);
        _top = Training.TopK(Scores, depth);
    }

    public string Name => "most-popular";

    /// <summary>Popularity per dense item id.</summary>
    public double[] Scores { get; }

    public IReadOnlyList<int> Recommend(CustomerBaskets customer, Split split, int k) => _top.Count <= k ? _top : _top.GetRange(0, k);

    public static double[] Counts(Dataset data)
    {
        var scores = new double[data.Items.Count];
        foreach (var basket in Training.Baskets(data))
        {
            foreach (var item in basket.Items)
            {
                scores[item]++;
            }
        }
        return scores;
    }
}
