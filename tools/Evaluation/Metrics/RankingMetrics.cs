namespace Clarity.Evaluation.Metrics;

/// <summary>Ranking quality of one recommendation list against one target basket, at a cutoff k.</summary>
/// <remarks>
/// <see cref="RepeatRecall"/> and <see cref="NewRecall"/> are NaN when the target has no repeat
/// (respectively new) items; averages skip NaN, as in Li et al. (TOIS 2023).
/// </remarks>
public readonly record struct UserScore(double Recall, double Ndcg, double Hit, double Mrr, double RepeatRecall, double NewRecall);

public static class RankingMetrics
{
    /// <summary>
    /// Scores the first <paramref name="k"/> items of <paramref name="ranked"/> (duplicates count
    /// once) against the distinct items of <paramref name="target"/>. Binary relevance; NDCG's ideal
    /// puts min(|target|, k) hits at the top. <paramref name="known"/> is the set of items the user
    /// bought before the target: target items in it are repeats, the others are new.
    /// </summary>
    public static UserScore Score(IReadOnlyList<int> ranked, IReadOnlyCollection<int> target, int k, IReadOnlySet<int>? known = null)
    {
        var truth = target as IReadOnlySet<int> ?? target.ToHashSet();
        if (truth.Count == 0)
        {
            throw new ArgumentException("The target basket is empty.", nameof(target));
        }
        var seen = new HashSet<int>();
        int hits = 0, repeatHits = 0, newHits = 0;
        double dcg = 0, mrr = 0;
        var position = 0;
        foreach (var item in ranked)
        {
            if (position >= k)
            {
                break;
            }
            if (!seen.Add(item))
            {
                continue;
            }
            if (truth.Contains(item))
            {
                hits++;
                dcg += 1.0 / Math.Log2(position + 2);
                if (mrr == 0)
                {
                    mrr = 1.0 / (position + 1);
                }
                if (known is not null && known.Contains(item))
                {
                    repeatHits++;
                }
                else
                {
                    newHits++;
                }
            }
            position++;
        }
        double ideal = 0;
        for (var i = 0; i < Math.Min(truth.Count, k); i++)
        {
            ideal += 1.0 / Math.Log2(i + 2);
        }
        var repeats = known is null ? 0 : truth.Count(known.Contains);
        var news = truth.Count - repeats;
        return new UserScore(
            (double)hits / truth.Count,
            dcg / ideal,
            hits > 0 ? 1 : 0,
            mrr,
            repeats == 0 ? double.NaN : (double)repeatHits / repeats,
            news == 0 ? double.NaN : (double)newHits / news);
    }

    /// <summary>Mean of the values that are not NaN (NaN when there are none).</summary>
    public static double MeanDefined(IEnumerable<double> values)
    {
        double sum = 0;
        var n = 0;
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                sum += v;
                n++;
            }
        }
        return n == 0 ? double.NaN : sum / n;
    }
}
