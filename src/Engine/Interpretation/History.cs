namespace Clarity.Engine.Interpretation;

/// <summary>
/// What the interpreters remember about one category (or top-level category) of one user: enough to
/// tell a replacement from a researched purchase, a regular re-buy from a one-off, a streak from an
/// alternation, and a category's usual price. Bounded: a few numbers and small capped collections.
/// </summary>
internal sealed class CategoryStats
{
    private const int ViewMemory = 8;
    private const int ResearchMemory = 32;
    private const int PriceMemory = 50;

    public long TouchedTicks;

    /// <summary>Held by both the folded and the current history (copy-on-write, see <see cref="History.Share"/>).</summary>
    public bool Shared;

    // Leaf level: recent view instants (ring), purchases and their interval.
    private long[]? _views;
    private int _viewCount;
    public long LastPurchaseTicks;
    public int PurchaseCount;
    public double MeanIntervalTicks;
    public int IntervalCount;
    public int ConsumeCount;

    // Usual price: mean of log prices, an exponentially weighted mean after PriceMemory samples.
    public double PriceLogSum;
    public int PriceCount;

    // Top level: engagement, the comparison set since the last purchase, the genre streak. Kept
    // apart and allocated on first use: only top-level categories have them, and a user holds
    // several statistics per category path (leaf, ancestors, items).
    private TopLevel? _top;

    private sealed class TopLevel
    {
        public int Engagement;
        public Dictionary<string, long>? Research;
        public string? Genre;
        public int Length;
        public int Items;
        public int Switches;

        public TopLevel Clone()
        {
            var copy = (TopLevel)MemberwiseClone();
            copy.Research = Research is null ? null : new Dictionary<string, long>(Research, StringComparer.Ordinal);
            return copy;
        }
    }

    private TopLevel Top => _top ??= new();

    public int Engagement { get => _top?.Engagement ?? 0; set => Top.Engagement = value; }

    public string? StreakGenre { get => _top?.Genre; set => Top.Genre = value; }

    public int StreakLength { get => _top?.Length ?? 0; set => Top.Length = value; }

    public int GenreItems { get => _top?.Items ?? 0; set => Top.Items = value; }

    public int GenreSwitches { get => _top?.Switches ?? 0; set => Top.Switches = value; }

    public void AddView(long ticks)
    {
        _views ??= new long[ViewMemory];
        _views[_viewCount % ViewMemory] = ticks;
        _viewCount++;
    }

    public int ViewsSince(long ticks)
    {
        if (_views is null)
        {
            return 0;
        }
        var count = 0;
        for (var i = 0; i < Math.Min(_viewCount, ViewMemory); i++)
        {
            if (_views[i] >= ticks)
            {
                count++;
            }
        }
        return count;
    }

    public void ObservePrice(double price)
    {
        var log = Math.Log(Math.Max(price, 0.01));
        if (PriceCount >= PriceMemory)
        {
            PriceLogSum *= (PriceMemory - 1.0) / PriceMemory;
            PriceCount = PriceMemory - 1;
        }
        PriceLogSum += log;
        PriceCount++;
    }

    public double UsualPrice => Math.Exp(PriceLogSum / PriceCount);

    public void AddResearch(string itemId, long ticks)
    {
        var research = Top.Research ??= new(StringComparer.Ordinal);
        if (research.Count >= ResearchMemory && !research.ContainsKey(itemId))
        {
            return;
        }
        research[itemId] = ticks;
    }

    /// <summary>
    /// Distinct items viewed in the research that ends at <paramref name="ticks"/>: views chained
    /// back from it with no gap longer than <paramref name="gapTicks"/>. Short visits on different
    /// days between two purchases are browsing, not a comparison before buying.
    /// </summary>
    public int ResearchedInVisit(long ticks, long gapTicks)
    {
        if (_top?.Research is not { Count: > 0 } research)
        {
            return 0;
        }
        Span<long> times = stackalloc long[ResearchMemory];
        var n = 0;
        foreach (var at in research.Values)
        {
            if (at <= ticks && n < times.Length)
            {
                times[n++] = at;
            }
        }
        times = times[..n];
        times.Sort();
        var count = 0;
        var previous = ticks;
        for (var i = n - 1; i >= 0 && previous - times[i] <= gapTicks; i--)
        {
            count++;
            previous = times[i];
        }
        return count;
    }

    public bool HasResearched(string itemId) => _top?.Research is { } research && research.ContainsKey(itemId);

    public void ClearResearch() => _top?.Research?.Clear();

    public void RecordPurchase(long ticks)
    {
        if (PurchaseCount > 0 && ticks > LastPurchaseTicks)
        {
            var interval = ticks - LastPurchaseTicks;
            MeanIntervalTicks = (MeanIntervalTicks * IntervalCount + interval) / (IntervalCount + 1);
            IntervalCount = Math.Min(IntervalCount + 1, 8);
        }
        LastPurchaseTicks = Math.Max(LastPurchaseTicks, ticks);
        PurchaseCount++;
    }

    public StatsDocument ToDocument(string path) => new(
        path, TouchedTicks, _views, _viewCount, LastPurchaseTicks, PurchaseCount, MeanIntervalTicks, IntervalCount, ConsumeCount,
        PriceLogSum, PriceCount, Engagement, _top?.Research, StreakGenre, StreakLength, GenreItems, GenreSwitches);

    public static CategoryStats FromDocument(StatsDocument d) => new()
    {
        _top = d.Engagement == 0 && d.Research is null && d.StreakGenre is null && d.StreakLength == 0 && d.GenreItems == 0 && d.GenreSwitches == 0
            ? null
            : new TopLevel
            {
                Engagement = d.Engagement,
                Research = d.Research is null ? null : new Dictionary<string, long>(d.Research, StringComparer.Ordinal),
                Genre = d.StreakGenre,
                Length = d.StreakLength,
                Items = d.GenreItems,
                Switches = d.GenreSwitches,
            },
        TouchedTicks = d.Touched,
        _views = d.Views is { Length: ViewMemory } views ? views : null,
        _viewCount = d.Views is { Length: ViewMemory } ? d.ViewCount : 0,
        LastPurchaseTicks = d.LastPurchase,
        PurchaseCount = d.PurchaseCount,
        MeanIntervalTicks = d.MeanInterval,
        IntervalCount = d.IntervalCount,
        ConsumeCount = d.ConsumeCount,
        PriceLogSum = d.PriceLogSum,
        PriceCount = d.PriceCount,
    };

    public CategoryStats Clone()
    {
        var copy = (CategoryStats)MemberwiseClone();
        copy.Shared = false;
        copy._views = (long[]?)_views?.Clone();
        copy._top = _top?.Clone();
        return copy;
    }
}

/// <summary>The interpreters' memory of one user: category statistics, repeat counters, the last purchase.</summary>
internal sealed class History
{
    // Collections are allocated on first use: the folded state holds none until a signal leaves the
    // reorder window, and many users never repeat a (type, item, session) or buy an item twice.
    private Dictionary<string, CategoryStats>? _stats;
    // Per item: its purchases and their interval (the same counters as a leaf category), for item-level repeat purchase.
    private Dictionary<string, CategoryStats>? _items;
    private RepeatCounts? _repeats;

    /// <summary>Engagement signals (not impressions, not gifts) across all categories.</summary>
    public int Engagement;

    public string? LastPurchaseCategory;
    public string? LastPurchaseItem;
    public long LastPurchaseTicks;

    public IReadOnlyDictionary<string, CategoryStats> Stats => _stats ?? NoStats;

    public IReadOnlyDictionary<string, CategoryStats> Items => _items ?? NoStats;

    private static IReadOnlyDictionary<string, CategoryStats> NoStats =>
        System.Collections.ObjectModel.ReadOnlyDictionary<string, CategoryStats>.Empty;

    public CategoryStats Touch(string category, long ticks, int bound) =>
        Touch(_stats ??= new(StringComparer.Ordinal), category, ticks, bound);

    /// <summary>The purchase counters of one item, created (evicting the least recently bought item beyond the bound) when new.</summary>
    public CategoryStats TouchItem(string itemId, long ticks, int bound) =>
        Touch(_items ??= new(StringComparer.Ordinal), itemId, ticks, bound);

    public CategoryStats? Find(string category) => _stats is not null && _stats.TryGetValue(category, out var stats) ? stats : null;

    public CategoryStats? FindItem(string itemId) => _items is not null && _items.TryGetValue(itemId, out var stats) ? stats : null;

    private static CategoryStats Touch(Dictionary<string, CategoryStats> map, string key, long ticks, int bound)
    {
        if (!map.TryGetValue(key, out var stats))
        {
            if (map.Count >= bound)
            {
                Evict(map);
            }
            else if (map.Count == map.Capacity && map.Count >= 16)
            {
                // Grow by half rather than letting the dictionary double: a user's statistics are
                // most of their self-model. Resizing keeps the entries' order (which exports follow).
                map.EnsureCapacity(map.Count + (map.Count / 2));
            }
            stats = new CategoryStats();
            map.Add(key, stats);
        }
        else if (stats.Shared)
        {
            // The other history keeps the original, now its own.
            stats.Shared = false;
            stats = stats.Clone();
            map[key] = stats;
        }
        stats.TouchedTicks = Math.Max(stats.TouchedTicks, ticks);
        return stats;
    }

    // Least recently touched first (by event time, then by key so the choice is deterministic).
    private static void Evict(Dictionary<string, CategoryStats> map)
    {
        string? victim = null;
        long oldest = long.MaxValue;
        foreach (var (path, stats) in map)
        {
            if (stats.TouchedTicks < oldest || (stats.TouchedTicks == oldest && string.CompareOrdinal(path, victim) < 0))
            {
                victim = path;
                oldest = stats.TouchedTicks;
            }
        }
        if (victim is not null)
        {
            map.Remove(victim);
        }
    }

    /// <summary>
    /// How many times this (type, item, session) was seen before; counts it. Keys are 64-bit hashes:
    /// a rare collision only makes one signal count less, never more.
    /// </summary>
    public int Repeats(long key, int bound) => bound <= 0 ? 0 : (_repeats ??= new()).Count(key, bound);

    public IEnumerable<long[]> RepeatEntries() => _repeats?.Entries() ?? [];

    /// <summary>Sizes the maps for a restore of that many statistics (instead of doubling their way up to it).</summary>
    public void Reserve(int stats, int items)
    {
        if (stats > 0)
        {
            (_stats ??= new(stats, StringComparer.Ordinal)).EnsureCapacity(stats);
        }
        if (items > 0)
        {
            (_items ??= new(items, StringComparer.Ordinal)).EnsureCapacity(items);
        }
    }

    public void Restore(string category, CategoryStats stats) => (_stats ??= new(StringComparer.Ordinal))[category] = stats;

    public void RestoreItem(string itemId, CategoryStats stats) => (_items ??= new(StringComparer.Ordinal))[itemId] = stats;

    public void RestoreRepeat(long key, int count, int bound)
    {
        if (bound > 0)
        {
            (_repeats ??= new()).Restore(key, count, bound);
        }
    }

    /// <summary>
    /// A copy that shares every statistics object with this one until either side touches it (only
    /// <see cref="Touch(string, long, int)"/> and <see cref="TouchItem"/> hand out statistics to change). The current
    /// state is rebuilt from the folded one at every late signal and restore, and most statistics
    /// are never touched by the reorder window: shared, a user holds them once instead of twice.
    /// </summary>
    public History Share()
    {
        var copy = new History
        {
            Engagement = Engagement,
            LastPurchaseCategory = LastPurchaseCategory,
            LastPurchaseItem = LastPurchaseItem,
            LastPurchaseTicks = LastPurchaseTicks,
            _stats = Shared(_stats),
            _items = Shared(_items),
            _repeats = _repeats?.Clone(),
        };
        return copy;

        static Dictionary<string, CategoryStats>? Shared(Dictionary<string, CategoryStats>? map)
        {
            if (map is null)
            {
                return null;
            }
            var copy = new Dictionary<string, CategoryStats>(map.Count, StringComparer.Ordinal);
            foreach (var (key, stats) in map)
            {
                stats.Shared = true;
                copy.Add(key, stats);
            }
            return copy;
        }
    }
}

/// <summary>
/// How many times each recent (type, item, session) key was seen, the oldest forgotten beyond the
/// bound: a ring of (key, count) in the order keys were first seen. A linear scan of at most the
/// bound (128 by default) costs less than it saves: a dictionary plus a queue of the same keys took
/// about 450 bytes for a user's first seven signals and 2.5 KB for forty.
/// </summary>
internal sealed class RepeatCounts
{
    private Entry[] _ring = [];
    private int _start;
    private int _length;

    private struct Entry
    {
        public long Key;
        public int Count;
    }

    /// <summary>How many times <paramref name="key"/> was seen before; counts it.</summary>
    public int Count(long key, int bound)
    {
        var index = IndexOf(key);
        if (index >= 0)
        {
            return _ring[index].Count++;
        }
        Append(key, 1, bound);
        return 0;
    }

    /// <summary>Adds a stored entry unless its key is already counted.</summary>
    public void Restore(long key, int count, int bound)
    {
        if (IndexOf(key) < 0)
        {
            Append(key, count, bound);
        }
    }

    /// <summary>[key, count] pairs, oldest first.</summary>
    public IEnumerable<long[]> Entries()
    {
        for (var i = 0; i < _length; i++)
        {
            var entry = _ring[(_start + i) % _ring.Length];
            yield return [entry.Key, entry.Count];
        }
    }

    public RepeatCounts Clone()
    {
        var copy = new RepeatCounts { _ring = new Entry[_length], _length = _length };
        for (var i = 0; i < _length; i++)
        {
            copy._ring[i] = _ring[(_start + i) % _ring.Length];
        }
        return copy;
    }

    private int IndexOf(long key)
    {
        var ring = _ring;
        for (var i = 0; i < _length; i++)
        {
            var index = _start + i;
            if (index >= ring.Length)
            {
                index -= ring.Length;
            }
            if (ring[index].Key == key)
            {
                return index;
            }
        }
        return -1;
    }

    private void Append(long key, int count, int bound)
    {
        if (_length == _ring.Length)
        {
            // Full: grow (unrolled, oldest first) unless at the bound, where the oldest makes room.
            if (_length < bound)
            {
                var grown = new Entry[Math.Min(bound, Math.Max(4, _length * 2))];
                for (var i = 0; i < _length; i++)
                {
                    grown[i] = _ring[(_start + i) % _ring.Length];
                }
                _ring = grown;
                _start = 0;
            }
            else
            {
                _start = (_start + 1) % _ring.Length;
                _length--;
            }
        }
        _ring[(_start + _length) % _ring.Length] = new Entry { Key = key, Count = count };
        _length++;
        // A smaller bound than the ring was built for (options changed between restores).
        while (_length > bound)
        {
            _start = (_start + 1) % _ring.Length;
            _length--;
        }
    }
}
