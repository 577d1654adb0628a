using Clarity.Evaluation.Protocol;

namespace Clarity.Evaluation.Recommenders;

/// <summary>A recommender: global statistics from the training split, the customer's own known baskets, never a target.</summary>
public interface IRecommender
{
    string Name { get; }

    /// <summary>At most <paramref name="k"/> distinct item ids, best first, for the target basket of <paramref name="split"/>.</summary>
    IReadOnlyList<int> Recommend(CustomerBaskets customer, Split split, int k);
}

/// <summary>What global statistics are fitted on, and the top-k selection every recommender shares.</summary>
public static class Training
{
    /// <summary>
    /// The training split: every evaluated customer's history, i.e. each basket that is neither a
    /// validation nor a test basket. Customers with too few baskets are not part of the data set
    /// (filter first, then split, as in Li et al.). Global statistics fitted on it serve both the
    /// validation and the test predictions; at test time a customer's own profile also includes
    /// the validation basket. This is the variant that reproduces the data README's reference
    /// numbers (see tools/Evaluation/README.md for the variants tried).
    /// </summary>
    public static IEnumerable<Basket> Baskets(Dataset data)
    {
        foreach (var customer in data.Evaluated)
        {
            foreach (var basket in customer.Known(Split.Validation))
            {
                yield return basket;
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
