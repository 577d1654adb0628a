namespace Clarity.Evaluation.Metrics;

/// <summary>A mean difference and its 95% percentile interval.</summary>
public sealed record Interval(double Estimate, double Low, double High)
{
    public bool ExcludesZero => Low > 0 || High < 0;
}

/// <summary>
/// Paired bootstrap over users: each resample draws users with replacement and takes the mean of
/// the per-user differences, so both methods are always compared on the same users.
/// </summary>
public static class Bootstrap
{
    public static Interval MeanInterval(IReadOnlyList<double> values, int resamples, int seed, double level = 0.95)
    {
        var n = values.Count;
        if (n == 0)
        {
            return new Interval(double.NaN, double.NaN, double.NaN);
        }
        var random = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += values[random.Next(n)];
            }
            means[r] = sum / n;
        }
        Array.Sort(means);
        var alpha = (1 - level) / 2;
        return new Interval(values.Average(), Quantile(means, alpha), Quantile(means, 1 - alpha));
    }

    /// <summary>Interval of mean(a - b) over paired per-user values.</summary>
    public static Interval PairedDifference(IReadOnlyList<double> a, IReadOnlyList<double> b, int resamples, int seed)
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException("Paired samples must have the same length.", nameof(b));
        }
        var diff = new double[a.Count];
        for (var i = 0; i < diff.Length; i++)
        {
            diff[i] = a[i] - b[i];
        }
        return MeanInterval(diff, resamples, seed);
    }

    /// <summary>Linear interpolation between order statistics (type 7, as numpy's default).</summary>
    public static double Quantile(double[] sorted, double p)
    {
        if (sorted.Length == 1)
        {
            return sorted[0];
        }
        var h = (sorted.Length - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
