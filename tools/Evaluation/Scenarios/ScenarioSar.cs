using Clarity.Engine.Signals;

namespace Clarity.Evaluation.Scenarios;

/// <summary>
/// The behavioural baseline on the simulated shop, SAR-style like the real-data one: item-item
/// Jaccard similarity over every user's positively interacted items before the cut, user-item
/// affinity = time-decayed, event-weighted counts, score = affinity · similarity. It sees what a
/// typical recommender sees (views, clicks, carts, purchases, consumes, good ratings) and ignores
/// impressions, dismissals and gift flags.
/// </summary>
public sealed class ScenarioSar
{
    private readonly Catalog _catalog;
    private readonly float[] _similarity;
    private readonly int _n;

    public ScenarioSar(Catalog catalog, IReadOnlyList<SimUser> users, double cut, double halfLifeDays)
    {
        _catalog = catalog;
        HalfLifeDays = halfLifeDays;
        _n = catalog.Items.Count;
        var counts = new int[_n * _n];
        var seen = new bool[_n];
        var list = new List<int>();
        foreach (var user in users)
        {
            list.Clear();
            foreach (var e in user.Events)
            {
                if (e.Day >= cut)
                {
                    break;
                }
                if (e.IsPositive && !seen[e.Item])
                {
                    seen[e.Item] = true;
                    list.Add(e.Item);
                }
            }
            foreach (var i in list)
            {
                foreach (var j in list)
                {
                    counts[i * _n + j]++;
                }
                seen[i] = false;
            }
        }
        _similarity = new float[_n * _n];
        for (var i = 0; i < _n; i++)
        {
            for (var j = 0; j < _n; j++)
            {
                var both = counts[i * _n + j];
                var union = counts[i * _n + i] + counts[j * _n + j] - both;
                _similarity[i * _n + j] = union > 0 ? (float)both / union : 0;
            }
        }
    }

    public double HalfLifeDays { get; }

    public static double Weight(SimEvent e) => e.Type switch
    {
        SignalType.View => 1,
        SignalType.Click => 2,
        SignalType.AddToCart => 3,
        SignalType.Purchase => 5,
        SignalType.Consume => e.Value >= 0.5 ? 3 : 0,
        SignalType.Rating => e.Value >= 4 ? 3 : 0,
        _ => 0,
    };

    /// <summary>Scores of every item for <paramref name="user"/> from events before <paramref name="cut"/>, decayed to <paramref name="asOf"/>.</summary>
    public double[] Scores(SimUser user, double cut, double asOf)
    {
        var affinity = new Dictionary<int, double>();
        foreach (var e in user.Events)
        {
            if (e.Day >= cut)
            {
                break;
            }
            var w = Weight(e);
            if (w > 0)
            {
                affinity[e.Item] = affinity.GetValueOrDefault(e.Item) + w * Math.Pow(2, -(asOf - e.Day) / HalfLifeDays);
            }
        }
        var scores = new double[_n];
        foreach (var (i, a) in affinity)
        {
            var row = i * _n;
            for (var j = 0; j < _n; j++)
            {
                scores[j] += a * _similarity[row + j];
            }
        }
        return scores;
    }

    /// <summary>The top <paramref name="depth"/> items with their scores; ties by item index.</summary>
    public List<(int Item, double Score)> Top(SimUser user, double cut, double asOf, int depth)
    {
        var scores = Scores(user, cut, asOf);
        return [.. Enumerable.Range(0, _n).OrderByDescending(j => scores[j]).ThenBy(j => j).Take(depth).Select(j => (j, scores[j]))];
    }

    public Catalog Catalog => _catalog;
}
