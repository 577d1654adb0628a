using Clarity.Evaluation.Metrics;

namespace Clarity.Evaluation.Tests;

public class RankingMetricsTests
{
    [Fact]
    public void Scores_one_list_exactly()
    {
        // Hits at positions 2 and 4; target has 3 items, one of them (5) bought before.
        var score = RankingMetrics.Score([1, 2, 3, 5, 6], [2, 5, 9], k: 10, known: new HashSet<int> { 5, 7 });

        var dcg = 1 / Math.Log2(3) + 1 / Math.Log2(5);
        var ideal = 1 + 1 / Math.Log2(3) + 1 / Math.Log2(4);
        Assert.Equal(2.0 / 3, score.Recall, 12);
        Assert.Equal(dcg / ideal, score.Ndcg, 12);
        Assert.Equal(1, score.Hit);
        Assert.Equal(0.5, score.Mrr, 12);
        Assert.Equal(1, score.RepeatRecall, 12);
        Assert.Equal(0.5, score.NewRecall, 12);
    }

    [Fact]
    public void Only_the_first_k_distinct_items_count_and_the_ideal_is_capped_at_k()
    {
        var score = RankingMetrics.Score([4, 4, 1, 2, 3], [1, 2, 3], k: 2);

        // Distinct list is 4, 1, 2, ...: only 4 and 1 are in the top 2.
        Assert.Equal(1.0 / 3, score.Recall, 12);
        Assert.Equal((1 / Math.Log2(3)) / (1 + 1 / Math.Log2(3)), score.Ndcg, 12);
        Assert.Equal(0.5, score.Mrr, 12);
        Assert.True(double.IsNaN(score.RepeatRecall));
    }

    [Fact]
    public void A_miss_scores_zero_everywhere()
    {
        var score = RankingMetrics.Score([1, 2], [3], k: 10, known: new HashSet<int>());

        Assert.Equal(new UserScore(0, 0, 0, 0, double.NaN, 0), score);
    }

    [Fact]
    public void Mean_of_defined_values_skips_nan()
    {
        Assert.Equal(0.5, RankingMetrics.MeanDefined([0, double.NaN, 1]));
        Assert.True(double.IsNaN(RankingMetrics.MeanDefined([double.NaN])));
    }
}

public class BootstrapTests
{
    [Fact]
    public void A_constant_difference_has_a_degenerate_interval()
    {
        var interval = Bootstrap.PairedDifference([0.5, 0.7, 0.2], [0.4, 0.6, 0.1], resamples: 200, seed: 1);

        Assert.Equal(0.1, interval.Estimate, 12);
        Assert.Equal(0.1, interval.Low, 12);
        Assert.Equal(0.1, interval.High, 12);
        Assert.True(interval.ExcludesZero);
    }

    [Fact]
    public void The_interval_brackets_the_mean_and_is_reproducible_with_the_seed()
    {
        var values = Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? 1.0 : -1.0).ToArray();

        var a = Bootstrap.MeanInterval(values, 1000, seed: 7);
        var b = Bootstrap.MeanInterval(values, 1000, seed: 7);

        Assert.Equal(a, b);
        Assert.Equal(0, a.Estimate, 12);
        Assert.InRange(a.Low, -0.2, -0.05);
        Assert.InRange(a.High, 0.05, 0.2);
        Assert.False(a.ExcludesZero);
    }

    [Fact]
    public void Quantiles_interpolate_between_order_statistics()
    {
        double[] sorted = [1, 2, 3, 4, 5];

        Assert.Equal(1, Bootstrap.Quantile(sorted, 0));
        Assert.Equal(1.1, Bootstrap.Quantile(sorted, 0.025), 12);
        Assert.Equal(3, Bootstrap.Quantile(sorted, 0.5));
        Assert.Equal(5, Bootstrap.Quantile(sorted, 1));
    }
}
