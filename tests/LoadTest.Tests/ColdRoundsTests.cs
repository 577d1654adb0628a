namespace Clarity.LoadTest.Tests;

/// <summary>
/// The many-users probe's cold rounds: how the working set is cut into slices, which side goes
/// first, and how the per-round ratios become the reported one. The probe itself needs PostgreSQL and
/// gateway processes (the tool's own runs); these are the parts that decide what the figure means.
/// </summary>
public sealed class ColdRoundsTests
{
    [Theory]
    [InlineData(100_000, 5)]
    [InlineData(20_000, 5)]
    [InlineData(500, 2)]
    [InlineData(7, 3)]
    [InlineData(3, 3)]
    public void TheSlicesCoverTheWorkingSetOnceInNearlyEqualSizes(int workingSet, int rounds)
    {
        var slices = Enumerable.Range(0, rounds).Select(r => ScaleProbe.ColdSlice(workingSet, rounds, r)).ToList();

        var members = slices.SelectMany(s => Enumerable.Range(s.First, s.Count)).ToList();
        Assert.Equal(Enumerable.Range(0, workingSet), members);
        Assert.True(slices.Max(s => s.Count) - slices.Min(s => s.Count) <= 1, string.Join(", ", slices));
        Assert.All(slices, s => Assert.True(s.Count > 0));
    }

    [Fact]
    public void TheFloorGoesFirstInTheFirstRoundAndTheSidesAlternate()
    {
        Assert.Equal([true, false, true, false, true], Enumerable.Range(0, 5).Select(ScaleProbe.FloorFirst));
    }

    [Fact]
    public void TheRatioIsTheMedianOfThePerRoundRatiosNotTheRatioOfTheMedians()
    {
        var result = new ScaleResult { Store = "test" };
        // Activations per second in each round, floor and Clarity.
        (double Floor, double Clarity)[] rates = [(1_000, 500), (2_000, 2_000), (4_000, 8_000), (3_000, 1_500)];
        for (var i = 0; i < rates.Length; i++)
        {
            result.ColdRounds.Add(new ColdRound(i, ScaleProbe.FloorFirst(i), 1_000, Run(rates[i].Floor), Run(rates[i].Clarity), null, null));
        }

        // Per-round ratios 0.5, 1.0, 2.0, 0.5: median (0.5 + 1.0) / 2. The ratio of the median rates
        // (Clarity 1,750/s over floor 2,500/s) would be 0.7.
        Assert.Equal(0.75, result.ActivationRatio, precision: 9);
    }

    private static RunResult Run(double perSecond) =>
        new(Requests: (long)perSecond, Errors: 0, Elapsed: TimeSpan.FromSeconds(1), P50Ms: 1, P99Ms: 2, P999Ms: 3, MaxMs: 4, FirstError: null);
}
