namespace Clarity.Engine.Signals;

/// <summary>
/// The reorder window's signals in event-time order, stored by value in one array: 72 bytes a
/// signal instead of a signal and an item object plus a list slot (144). Every active user holds
/// up to <see cref="InterpretationOptions.ReorderWindowSignals"/> of them, so they were about a
/// tenth of a small self-model and most of a large one's window. A signal is made again, equal in
/// every field, when it is interpreted (a replay, a fold) or read out for a snapshot.
/// </summary>
internal sealed class SignalWindow
{
    private Entry[] _entries = [];
    private int _start;
    private int _count;

    private struct Entry
    {
        public string Id;
        public string ItemId;
        public string Category;
        public IReadOnlyList<string>? Tags;
        public SignalContext? Context;
        public long UtcTicks;
        public double Price;
        public double Value;
        public short OffsetMinutes;
        public SignalType Type;
        public bool HasPrice;
        public bool HasValue;

        public static Entry From(Signal signal) => new()
        {
            Id = signal.Id,
            ItemId = signal.Item.Id,
            Category = signal.Item.Category,
            Tags = signal.Item.Tags,
            Context = signal.Context,
            UtcTicks = signal.OccurredAt.UtcTicks,
            OffsetMinutes = (short)(signal.OccurredAt.Offset.Ticks / TimeSpan.TicksPerMinute),
            Type = signal.Type,
            Price = signal.Item.Price ?? 0,
            HasPrice = signal.Item.Price.HasValue,
            Value = signal.Value ?? 0,
            HasValue = signal.Value.HasValue,
        };

        public readonly Signal ToSignal() => new(
            Id,
            Type,
            OffsetMinutes == 0
                ? new DateTimeOffset(UtcTicks, TimeSpan.Zero)
                : new DateTimeOffset(UtcTicks, TimeSpan.Zero).ToOffset(new TimeSpan(OffsetMinutes * TimeSpan.TicksPerMinute)),
            new ItemRef(ItemId, Category, HasPrice ? Price : null, Tags),
            HasValue ? Value : null,
            Context);
    }

    public int Count => _count;

    /// <summary>The signal at <paramref name="index"/> (a new object each time).</summary>
    public Signal this[int index] => At(index).ToSignal();

    public long TicksAt(int index) => At(index).UtcTicks;

    /// <summary><see cref="BeliefEngine.EventOrder"/> of <paramref name="signal"/> against the signal at <paramref name="index"/>.</summary>
    public int Compare(Signal signal, int index)
    {
        ref var entry = ref At(index);
        var order = signal.OccurredAt.UtcTicks.CompareTo(entry.UtcTicks);
        return order != 0 ? order : string.CompareOrdinal(signal.Id, entry.Id);
    }

    /// <summary>The event time and id of the signal at <paramref name="index"/>.</summary>
    public (long UtcTicks, string Id) Key(int index) => (At(index).UtcTicks, At(index).Id);

    // A ring: a full window drops its oldest signal at every new one, and moving the other 63
    // entries (72 bytes each) down every time cost more than the signal's interpretation saved.
    private ref Entry At(int index)
    {
        var slot = _start + index;
        return ref _entries[slot < _entries.Length ? slot : slot - _entries.Length];
    }

    public void Add(Signal signal) => Insert(_count, signal);

    public void Insert(int index, Signal signal)
    {
        if (_count == _entries.Length)
        {
            // Grow by a few entries rather than doubling: a window holds up to the bound (64 by
            // default) and stays about as long as it is, so slack is held for the life of the user;
            // a resize copies at most the bound's worth of entries.
            var grown = new Entry[Math.Max(4, _count + Math.Max(2, _count / 8))];
            for (var i = 0; i < _count; i++)
            {
                grown[i] = At(i);
            }
            _entries = grown;
            _start = 0;
        }
        // Later signals move up one (a late signal lands near the end, so few move).
        for (var i = _count; i > index; i--)
        {
            At(i) = At(i - 1);
        }
        _count++;
        At(index) = Entry.From(signal);
    }

    /// <summary>The index of <paramref name="signal"/>'s (time, id), or the bitwise complement of where it belongs (as <see cref="List{T}.BinarySearch(T)"/>).</summary>
    public int BinarySearch(Signal signal)
    {
        var low = 0;
        var high = _count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = Compare(signal, middle);
            if (order == 0)
            {
                return middle;
            }
            if (order > 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return ~low;
    }

    /// <summary>Drops the <paramref name="count"/> oldest signals.</summary>
    public void RemoveOldest(int count)
    {
        for (var i = 0; i < count; i++)
        {
            At(i) = default;
        }
        _start = (_start + count) % _entries.Length;
        _count -= count;
    }

    public void Clear()
    {
        _entries = [];
        _start = 0;
        _count = 0;
    }

    /// <summary>Replaces the window with <paramref name="signals"/>, sorted by event time then id.</summary>
    public void Restore(IEnumerable<Signal> signals)
    {
        var entries = signals.Select(Entry.From).ToArray();
        Array.Sort(entries, static (a, b) =>
        {
            var order = a.UtcTicks.CompareTo(b.UtcTicks);
            return order != 0 ? order : string.CompareOrdinal(a.Id, b.Id);
        });
        _entries = entries;
        _start = 0;
        _count = entries.Length;
    }

    /// <summary>The window's signals, oldest first (new objects).</summary>
    public IReadOnlyList<Signal> ToList()
    {
        var signals = new Signal[_count];
        for (var i = 0; i < _count; i++)
        {
            signals[i] = At(i).ToSignal();
        }
        return signals;
    }
}
