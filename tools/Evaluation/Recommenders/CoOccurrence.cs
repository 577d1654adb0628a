using Clarity.Evaluation.Protocol;

namespace Clarity.Evaluation.Recommenders;

/// <summary>
/// Symmetric item-item co-occurrence counts over training baskets: C[i,j] is the number of
/// baskets containing both i and j; C[i,i] the number containing i. Dense (n² floats): a few
/// thousand items fit in tens of megabytes and make scoring a tight loop.
/// </summary>
public sealed class CoOccurrenceMatrix
{
    private readonly float[] _counts;

    public CoOccurrenceMatrix(Dataset data)
    {
        Size = data.Items.Count;
        _counts = new float[(long)Size * Size];
        foreach (var basket in Training.Baskets(data))
        {
            var items = basket.Items;
            for (var a = 0; a < items.Length; a++)
            {
                var row = (long)items[a] * Size;
                for (var b = 0; b < items.Length; b++)
                {
                    _counts[row + items[b]]++;
                }
            }
        }
        Diagonal = new float[Size];
        for (var i = 0; i < Size; i++)
        {
            Diagonal[i] = _counts[(long)i * Size + i];
        }
    }

    public int Size { get; }

    /// <summary>C[i,i] for every item: the number of training baskets holding it.</summary>
    public float[] Diagonal { get; }

    public float Count(int i, int j) => _counts[(long)i * Size + j];

    public ReadOnlySpan<float> Row(int i) => new(_counts, i * Size, Size);

    /// <summary>Jaccard similarity of the baskets containing i and those containing j (1 on the diagonal of a bought item).</summary>
    public double Jaccard(int i, int j)
    {
        var both = Count(i, j);
        var union = Diagonal[i] + Diagonal[j] - both;
        return union <= 0 ? 0 : both / union;
    }
}

/// <summary>
/// Item co-occurrence collaborative filtering over the customer's last baskets: the score of an
/// item is the sum, over the distinct items of the last <see cref="Baskets"/> known baskets, of
/// how many training baskets hold both (the item with itself does not count).
/// </summary>
public sealed class CoOccurrenceCf(CoOccurrenceMatrix matrix, int baskets = 5) : IRecommender
{
    public string Name => "co-occurrence-cf";

    public int Baskets => baskets;

    public IReadOnlyList<int> Recommend(CustomerBaskets customer, Split split, int k)
    {
        var profile = new HashSet<int>();
        foreach (var basket in customer.Known(split).Reverse().Take(baskets))
        {
            profile.UnionWith(basket.Items);
        }
        var scores = new double[matrix.Size];
        foreach (var i in profile)
        {
            var row = matrix.Row(i);
            for (var j = 0; j < row.Length; j++)
            {
                scores[j] += row[j];
            }
            scores[i] -= row[i];
        }
        return Training.TopK(scores, k);
    }
}

/// <summary>
/// SAR-style recommender (the behavioural baseline of EVALUATION.md): user-item affinity is the
/// time-decayed count of known baskets holding the item (half-life in days, measured back from the
/// request time), item-item similarity is Jaccard co-occurrence, and an item's score is
/// affinity · similarity. Already bought items stay eligible: in next-basket data repeats are most
/// of what is bought.
/// </summary>
public sealed class SarCf(CoOccurrenceMatrix matrix, double halfLifeDays = 30) : IRecommender
{
    public string Name => "sar-cf";

    public double HalfLifeDays => halfLifeDays;

    /// <summary>The decayed affinity of each known item at <paramref name="asOf"/>.</summary>
    public Dictionary<int, double> Affinity(CustomerBaskets customer, Split split, DateTime asOf)
    {
        var affinity = new Dictionary<int, double>();
        foreach (var basket in customer.Known(split))
        {
            var age = (asOf - basket.Time).TotalDays;
            var weight = Math.Pow(2, -Math.Max(0, age) / halfLifeDays);
            foreach (var item in basket.Items)
            {
                affinity[item] = affinity.GetValueOrDefault(item) + weight;
            }
        }
        return affinity;
    }

    public IReadOnlyList<int> Recommend(CustomerBaskets customer, Split split, int k) => Score(customer, split, k).Select(p => p.Item).ToList();

    /// <summary>Top k items with their scores, best first; the request time is the target basket's time.</summary>
    public List<(int Item, double Score)> Score(CustomerBaskets customer, Split split, int k)
    {
        var affinity = Affinity(customer, split, customer.Target(split).Time);
        var scores = new double[matrix.Size];
        var diagonal = matrix.Diagonal;
        foreach (var (i, a) in affinity)
        {
            var row = matrix.Row(i);
            var selfI = row[i];
            for (var j = 0; j < row.Length; j++)
            {
                var both = row[j];
                if (both > 0)
                {
                    scores[j] += a * both / (selfI + diagonal[j] - both);
                }
            }
        }
        return Training.TopK(scores, k).Select(j => (j, scores[j])).ToList();
    }
}
