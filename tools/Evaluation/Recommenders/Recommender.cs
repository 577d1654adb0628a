using Clarity.Evaluation.Protocol;

namespace Clarity.Evaluation.Recommenders;

/// <summary>A recommender fitted for one split: it may read every customer's known baskets, never a target.</summary>
public interface IRecommender
{
    string Name { get; }

    /// <summary>At most <paramref name="k"/> distinct item ids, best first.</summary>
    IReadOnlyList<int> Recommend(CustomerBaskets customer, int k);
}

/// <summary>Which baskets the global statistics (popularity, co-occurrence) are counted from.</summary>
public static class Training
{
    /// <summary>
    /// Every basket that is not a target of <paramref name="split"/>: evaluated customers' known
    /// baskets, and all baskets of customers with too few baskets to be evaluated (they are never
    /// a target). A user-based split, as in Li et al.; other customers' later baskets do count.
    /// </summary>
    public static IEnumerable<(CustomerBaskets Customer, Basket Basket)> Baskets(Dataset data, Split split, bool includeUnevaluated = true)
    {
        foreach (var customer in includeUnevaluated ? data.AllCustomers : data.Evaluated)
        {
            var known = customer.Baskets.Count >= data.MinBaskets ? customer.Known(split) : customer.Baskets;
            foreach (var basket in known)
            {
                yield return (customer, basket);
            }
        }
    }

    /// <summary>Top k of a dense score array: highest first; ties by the tie-break array (higher first), then lower id.</summary>
    public static List<int> TopK(double[] scores, int k, double[]? tieBreak = null, IReadOnlyCollection<int>? among = null, bool positiveOnly = true)
    {
        var heap = new PriorityQueue<int, (double Score, double Tie, int Id)>(k + 1, WorstFirst.Instance);
        void Offer(int id)
        {
            var s = scores[id];
            if (positiveOnly && s <= 0)
            {
                return;
            }
            heap.Enqueue(id, (s, tieBreak?[id] ?? 0, id));
            if (heap.Count > k)
            {
                heap.Dequeue();
            }
        }
        if (among is null)
        {
            for (var id = 0; id < scores.Length; id++)
            {
                Offer(id);
            }
        }
        else
        {
            foreach (var id in among)
            {
                Offer(id);
            }
        }
        var result = new List<int>(heap.Count);
        while (heap.Count > 0)
        {
            result.Add(heap.Dequeue());
        }
        result.Reverse();
        return result;
    }

    // The heap's root is the worst kept item: lowest score, then lowest tie-break, then highest id.
    private sealed class WorstFirst : IComparer<(double Score, double Tie, int Id)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((double Score, double Tie, int Id) x, (double Score, double Tie, int Id) y)
        {
            var c = x.Score.CompareTo(y.Score);
            if (c != 0)
            {
                return c;
            }
            c = x.Tie.CompareTo(y.Tie);
            return c != 0 ? c : y.Id.CompareTo(x.Id);
        }
    }
}
