namespace Clarity.Engine.Interpretation;

/// <summary>An entry of a <see cref="StatsTable{T}"/>: statistics stored by value under their key.</summary>
internal interface IStatsEntry
{
    string Key { get; set; }

    /// <summary>The next entry of the bucket's chain (or of the freed chain), -1 at the end.</summary>
    int Next { get; set; }

    /// <summary>Latest event time that touched the entry: the least recently touched is evicted first.</summary>
    long TouchedTicks { get; set; }

    /// <summary>Takes its own copy of whatever it shares with the other history (see <see cref="History.Share"/>).</summary>
    void Unshare();
}

/// <summary>
/// What the interpreters remember about one category (or top-level category) of one user: enough to
/// tell a replacement from a researched purchase, a regular re-buy from a one-off, a streak from an
/// alternation, and a category's usual price. Bounded: a few numbers and small capped collections.
/// </summary>
/// <remarks>
/// A value stored inline in its history's table (88 bytes; as an object behind a dictionary entry
/// it took 116): statistics are the largest part of a self-model after its beliefs. Changed only
/// through a reference into the table (<see cref="History.Resolve"/>).
/// </remarks>
internal struct CategoryStats : IStatsEntry
{
    private const int ViewMemory = 8;
    private const int ResearchMemory = 32;
    private const int PriceMemory = 50;

    public string Key { get; set; }

    public int Next { get; set; }

    public long TouchedTicks { get; set; }

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

    // The view ring and the top-level part are also held by the other history's copy of this
    // entry (copy-on-write, see History.Share) until either side touches it.
    private bool _shared;

    // Top level: engagement, the comparison set since the last purchase, the genre streak. Kept
    // apart and allocated on first use: only top-level categories have them, and a user holds
    // several statistics per category path (leaf, ancestors).
    private TopLevel? _top;

    /// <summary>
    /// The top-level part of a top-level category's statistics, shared by reference: the reranker
    /// holds this per category instead of a copy of the whole entry. <see cref="Empty"/> stands for
    /// statistics that have none yet.
    /// </summary>
    internal sealed class TopLevel
    {
        public static readonly TopLevel Empty = new();

        public int Engagement;
        public Dictionary<string, long>? Research;
        public string? Genre;
        public int Length;
        public int Items;
        public int Switches;

        public string? StreakGenre => Genre;

        public bool HasResearched(string itemId) => Research is { } research && research.ContainsKey(itemId);

        public TopLevel Clone()
        {
            var copy = (TopLevel)MemberwiseClone();
            copy.Research = Research is null ? null : new Dictionary<string, long>(Research, StringComparer.Ordinal);
            return copy;
        }
    }

    private TopLevel Top => _top ??= new();

    public int Engagement { readonly get => _top?.Engagement ?? 0; set => Top.Engagement = value; }

    public string? StreakGenre { readonly get => _top?.Genre; set => Top.Genre = value; }

    public int StreakLength { readonly get => _top?.Length ?? 0; set => Top.Length = value; }

    public int GenreItems { readonly get => _top?.Items ?? 0; set => Top.Items = value; }

    public int GenreSwitches { readonly get => _top?.Switches ?? 0; set => Top.Switches = value; }

    public void MarkShared() => _shared = true;

    public void Unshare()
    {
        if (_shared)
        {
            _shared = false;
            _views = (long[]?)_views?.Clone();
            _top = _top?.Clone();
        }
    }

    public void AddView(long ticks)
    {
        _views ??= new long[ViewMemory];
        _views[_viewCount % ViewMemory] = ticks;
        _viewCount++;
    }

    public readonly int ViewsSince(long ticks)
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

    public readonly double UsualPrice => Math.Exp(PriceLogSum / PriceCount);

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
    public readonly int ResearchedInVisit(long ticks, long gapTicks)
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

    /// <summary>The top-level part as it stands (<see cref="TopLevel.Empty"/> when there is none); read-only for callers.</summary>
    public readonly TopLevel TopView => _top ?? TopLevel.Empty;

    public readonly bool HasResearched(string itemId) => _top?.Research is { } research && research.ContainsKey(itemId);

    public readonly void ClearResearch() => _top?.Research?.Clear();

    public void RecordPurchase(long ticks) => PurchaseIntervals.Record(ref LastPurchaseTicks, ref PurchaseCount, ref MeanIntervalTicks, ref IntervalCount, ticks);

    public readonly StatsDocument ToDocument() => new(
        Key, TouchedTicks, _views, _viewCount, LastPurchaseTicks, PurchaseCount, MeanIntervalTicks, IntervalCount, ConsumeCount,
        PriceLogSum, PriceCount, Engagement, _top?.Research, StreakGenre, StreakLength, GenreItems, GenreSwitches);

    public static CategoryStats FromDocument(StatsDocument d) => new()
    {
        Key = d.Path,
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
}

/// <summary>
/// One item's purchases and their interval, for item-level repeat purchase: the purchase counters
/// of <see cref="CategoryStats"/> only (56 bytes instead of 88; a user holds one per item bought).
/// </summary>
internal struct ItemStats : IStatsEntry
{
    public string Key { get; set; }

    public int Next { get; set; }

    public long TouchedTicks { get; set; }

    public long LastPurchaseTicks;
    public double MeanIntervalTicks;
    public int PurchaseCount;
    public int IntervalCount;

    /// <summary>Nothing to copy: an item's statistics hold no references.</summary>
    public readonly void Unshare()
    {
    }

    public void RecordPurchase(long ticks) => PurchaseIntervals.Record(ref LastPurchaseTicks, ref PurchaseCount, ref MeanIntervalTicks, ref IntervalCount, ticks);

    // The same document as a category's, the counters an item does not keep at zero (as they always were).
    public readonly StatsDocument ToDocument() => new(
        Key, TouchedTicks, null, 0, LastPurchaseTicks, PurchaseCount, MeanIntervalTicks, IntervalCount, 0, 0, 0, 0, null, null, 0, 0, 0);

    public static ItemStats FromDocument(StatsDocument d) => new()
    {
        Key = d.Path,
        TouchedTicks = d.Touched,
        LastPurchaseTicks = d.LastPurchase,
        PurchaseCount = d.PurchaseCount,
        MeanIntervalTicks = d.MeanInterval,
        IntervalCount = d.IntervalCount,
    };
}

/// <summary>
/// A reference to an entry taken by <see cref="StatsTable{T}.Touch"/>, valid for the rest of the
/// signal even if a later touch evicts the entry (see <see cref="StatsTable{T}.Resolve"/>).
/// </summary>
internal readonly record struct StatsHandle(int Index, int Evictions);

/// <summary>
/// Statistics by key, stored by value in one array with a bucket array beside it, bounded by
/// evicting the least recently touched. Enumeration order is exactly a <see cref="Dictionary{TKey, TValue}"/>'s
/// (entries in insertion order, a removed entry's slot reused by the next addition), because a
/// snapshot's memory document lists statistics in that order.
/// </summary>
internal sealed class StatsTable<T>
    where T : struct, IStatsEntry
{
    // Entry index + 1 of the first entry of each bucket's chain (0: empty).
    private int[] _buckets = [];
    private T[] _entries = [];
    // Entries used so far (live or freed), the head of the freed entries' chain and how many it holds.
    private int _used;
    private int _free = -1;
    private int _freeCount;
    // Evictions so far, and the entries they removed since the last ForgetEvicted, as they were:
    // a handle taken before an eviction keeps working on its entry's last state, as a reference to
    // an evicted object would (see Resolve).
    private int _evictions;
    private List<(int Index, int Eviction, T Entry)>? _evicted;

    public int Count => _used - _freeCount;

    public void Reserve(int capacity)
    {
        if (capacity > _entries.Length)
        {
            Resize(capacity);
        }
    }

    /// <summary>The entry for <paramref name="key"/>, created (evicting the least recently touched at the bound) when new, touched at <paramref name="ticks"/>.</summary>
    public StatsHandle Touch(string key, long ticks, int bound)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            if (Count >= bound)
            {
                Evict();
            }
            index = Insert(new T { Key = key });
        }
        else
        {
            // The other history keeps what it shared; this one takes its own copy.
            _entries[index].Unshare();
        }
        ref var entry = ref _entries[index];
        entry.TouchedTicks = Math.Max(entry.TouchedTicks, ticks);
        return new StatsHandle(index, _evictions);
    }

    /// <summary>
    /// The entry a handle refers to: in the table, or, when a touch after the handle evicted it,
    /// its evicted copy (changes to it are lost with it, as they would be to an evicted object's).
    /// </summary>
    public ref T Resolve(StatsHandle handle)
    {
        if (handle.Evictions != _evictions && _evicted is { } evicted)
        {
            var entries = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(evicted);
            for (var i = 0; i < entries.Length; i++)
            {
                if (entries[i].Eviction >= handle.Evictions && entries[i].Index == handle.Index)
                {
                    return ref entries[i].Entry;
                }
            }
        }
        return ref _entries[handle.Index];
    }

    /// <summary>Drops the evicted copies: no handle taken before this call is used after it.</summary>
    public void ForgetEvicted() => _evicted = null;

    /// <summary>A copy of the entry for <paramref name="key"/>, null when there is none (for readers).</summary>
    public T? Find(string key)
    {
        var index = IndexOf(key);
        return index >= 0 ? _entries[index] : null;
    }

    /// <summary>The index of the entry for <paramref name="key"/>, -1 when there is none; read it with <see cref="At"/> before any touch.</summary>
    public int Lookup(string key) => IndexOf(key);

    public ref readonly T At(int index) => ref _entries[index];

    /// <summary>Adds or replaces a stored entry (a restore).</summary>
    public void Restore(T stats)
    {
        var index = IndexOf(stats.Key);
        if (index >= 0)
        {
            stats.Next = _entries[index].Next;
            _entries[index] = stats;
        }
        else
        {
            Insert(stats);
        }
    }

    /// <summary>The live entries in enumeration order.</summary>
    public IEnumerable<T> Entries()
    {
        for (var i = 0; i < _used; i++)
        {
            if (_entries[i].Key is not null)
            {
                yield return _entries[i];
            }
        }
    }

    /// <summary>A copy of this table; <paramref name="markShared"/> marks what both then hold until one side touches it.</summary>
    public StatsTable<T> Share(Action<T[], int>? markShared)
    {
        markShared?.Invoke(_entries, _used);
        return new StatsTable<T>
        {
            _buckets = (int[])_buckets.Clone(),
            _entries = (T[])_entries.Clone(),
            _used = _used,
            _free = _free,
            _freeCount = _freeCount,
        };
    }

    private int IndexOf(string key)
    {
        if (_buckets.Length == 0)
        {
            return -1;
        }
        var entries = _entries;
        for (var i = _buckets[Bucket(key)] - 1; i >= 0; i = entries[i].Next)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    private int Bucket(string key) => (int)(Hash(key) % (uint)_buckets.Length);

    // Not randomized like string hashing (a table is bounded, so a crafted collision costs a scan of
    // at most the bound), and cheap: four characters a step, as the runtime's own non-randomized
    // string hash. Every signal looks up five or more paths.
    private static uint Hash(string key)
    {
        var chars = key.AsSpan();
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<char, uint>(chars);
        var first = 352654597u;
        var second = first;
        var i = 0;
        for (; i + 1 < words.Length; i += 2)
        {
            first = (System.Numerics.BitOperations.RotateLeft(first, 5) + first) ^ words[i];
            second = (System.Numerics.BitOperations.RotateLeft(second, 5) + second) ^ words[i + 1];
        }
        if (i < words.Length)
        {
            first = (System.Numerics.BitOperations.RotateLeft(first, 5) + first) ^ words[i];
        }
        if ((chars.Length & 1) != 0)
        {
            second = (System.Numerics.BitOperations.RotateLeft(second, 5) + second) ^ chars[^1];
        }
        return first + (second * 1566083941u);
    }

    private int Insert(T stats)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _free;
            _free = _entries[index].Next;
            _freeCount--;
        }
        else
        {
            if (_used == _entries.Length)
            {
                // Grow by a few entries rather than doubling: a user's statistics are much of their
                // self-model and slack is held for its life; a resize costs at most the bound's worth.
                Resize(Math.Max(4, _entries.Length + Math.Max(2, _entries.Length / 8)));
            }
            index = _used++;
        }
        ref var bucket = ref _buckets[Bucket(stats.Key)];
        stats.Next = bucket - 1;
        _entries[index] = stats;
        bucket = index + 1;
        return index;
    }

    // Least recently touched first (by event time, then by key so the choice is deterministic).
    private void Evict()
    {
        var victim = -1;
        var oldest = long.MaxValue;
        for (var i = 0; i < _used; i++)
        {
            ref var entry = ref _entries[i];
            if (entry.Key is null)
            {
                continue;
            }
            if (entry.TouchedTicks < oldest || (entry.TouchedTicks == oldest && victim >= 0 && string.CompareOrdinal(entry.Key, _entries[victim].Key) < 0))
            {
                victim = i;
                oldest = entry.TouchedTicks;
            }
        }
        if (victim >= 0)
        {
            (_evicted ??= []).Add((victim, _evictions, _entries[victim]));
            _evictions++;
            Remove(victim);
        }
    }

    private void Remove(int index)
    {
        ref var bucket = ref _buckets[Bucket(_entries[index].Key)];
        if (bucket - 1 == index)
        {
            bucket = _entries[index].Next + 1;
        }
        else
        {
            var previous = bucket - 1;
            while (_entries[previous].Next != index)
            {
                previous = _entries[previous].Next;
            }
            _entries[previous].Next = _entries[index].Next;
        }
        _entries[index] = default;
        _entries[index].Next = _free;
        _free = index;
        _freeCount++;
    }

    // Entries keep their indices (and so the enumeration order); the chains are rebuilt. Only
    // called while no entry is freed, or with room to spare (a reserve), where freed entries keep
    // their place in the freed chain.
    private void Resize(int capacity)
    {
        Array.Resize(ref _entries, capacity);
        _buckets = new int[capacity];
        for (var i = 0; i < _used; i++)
        {
            ref var entry = ref _entries[i];
            if (entry.Key is null)
            {
                continue;
            }
            ref var bucket = ref _buckets[Bucket(entry.Key)];
            entry.Next = bucket - 1;
            bucket = i + 1;
        }
    }
}

/// <summary>The interpreters' memory of one user: category statistics, repeat counters, the last purchase.</summary>
internal sealed class History
{
    // Tables are allocated on first use: the folded state holds none until a signal leaves the
    // reorder window, and many users never repeat a (type, item, session) or buy an item twice.
    private StatsTable<CategoryStats>? _stats;
    // Per item: its purchases and their interval, for item-level repeat purchase.
    private StatsTable<ItemStats>? _items;
    private RepeatCounts? _repeats;

    /// <summary>Engagement signals (not impressions, not gifts) across all categories.</summary>
    public int Engagement;

    public string? LastPurchaseCategory;
    public string? LastPurchaseItem;
    public long LastPurchaseTicks;

    public int StatsCount => _stats?.Count ?? 0;

    public int ItemCount => _items?.Count ?? 0;

    public IEnumerable<CategoryStats> Stats => _stats?.Entries() ?? [];

    public IEnumerable<ItemStats> Items => _items?.Entries() ?? [];

    /// <summary>
    /// The statistics of a category, created when new (evicting the least recently touched beyond
    /// the bound). Change them through <see cref="Resolve"/>, after the signal's last touch.
    /// </summary>
    public StatsHandle Touch(string category, long ticks, int bound) =>
        (_stats ??= new()).Touch(category, ticks, bound);

    public ref CategoryStats Resolve(StatsHandle handle) => ref _stats!.Resolve(handle);

    /// <summary>The purchase counters of one item, created (evicting the least recently bought item beyond the bound) when new.</summary>
    public ref ItemStats TouchItem(string itemId, long ticks, int bound)
    {
        // Used at once, before any other touch: no evicted copy is needed.
        var items = _items ??= new();
        var handle = items.Touch(itemId, ticks, bound);
        items.ForgetEvicted();
        return ref items.Resolve(handle);
    }

    /// <summary>Ends a signal's touches: its handles are not used any more, so evicted copies can go.</summary>
    public void EndSignal() => _stats?.ForgetEvicted();

    public CategoryStats? Find(string category) => _stats?.Find(category);

    /// <summary>The top-level part of a category's statistics, null when the category has none (for the reranker).</summary>
    public CategoryStats.TopLevel? FindTop(string category) =>
        _stats is { } stats && stats.Lookup(category) is var index and >= 0 ? stats.At(index).TopView : null;

    public ItemStats? FindItem(string itemId) => _items?.Find(itemId);

    /// <summary>
    /// How many times this (type, item, session) was seen before; counts it. Keys are 64-bit hashes:
    /// a rare collision only makes one signal count less, never more.
    /// </summary>
    public int Repeats(long key, int bound) => bound <= 0 ? 0 : (_repeats ??= new()).Count(key, bound);

    public IEnumerable<long[]> RepeatEntries() => _repeats?.Entries() ?? [];

    /// <summary>Sizes the tables for a restore of that many statistics (instead of growing their way up to it).</summary>
    public void Reserve(int stats, int items)
    {
        if (stats > 0)
        {
            (_stats ??= new()).Reserve(stats);
        }
        if (items > 0)
        {
            (_items ??= new()).Reserve(items);
        }
    }

    public void Restore(CategoryStats stats) => (_stats ??= new()).Restore(stats);

    public void RestoreItem(ItemStats stats) => (_items ??= new()).Restore(stats);

    public void RestoreRepeat(long key, int count, int bound)
    {
        if (bound > 0)
        {
            (_repeats ??= new()).Restore(key, count, bound);
        }
    }

    /// <summary>
    /// A copy whose statistics' view rings and top-level parts are shared with this one until either
    /// side touches them (only <see cref="Touch(string, long, int)"/> hands out statistics to change).
    /// The current state is rebuilt from the folded one at every late signal and restore.
    /// </summary>
    public History Share() => new()
    {
        Engagement = Engagement,
        LastPurchaseCategory = LastPurchaseCategory,
        LastPurchaseItem = LastPurchaseItem,
        LastPurchaseTicks = LastPurchaseTicks,
        _stats = _stats?.Share(MarkShared),
        _items = _items?.Share(null),
        _repeats = _repeats?.Clone(),
    };

    private static void MarkShared(CategoryStats[] entries, int used)
    {
        for (var i = 0; i < used; i++)
        {
            entries[i].MarkShared();
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

/// <summary>The running mean of the intervals between purchases that category and item statistics both keep.</summary>
internal static class PurchaseIntervals
{
    /// <summary>A new interval weighs at least a ninth (the count stops at 8), so a changed habit shows.</summary>
    public static void Record(ref long lastTicks, ref int purchases, ref double meanIntervalTicks, ref int intervals, long ticks)
    {
        if (purchases > 0 && ticks > lastTicks)
        {
            var interval = ticks - lastTicks;
            meanIntervalTicks = (meanIntervalTicks * intervals + interval) / (intervals + 1);
            intervals = Math.Min(intervals + 1, 8);
        }
        lastTicks = Math.Max(lastTicks, ticks);
        purchases++;
    }
}
