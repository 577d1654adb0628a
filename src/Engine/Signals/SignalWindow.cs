namespace Clarity.Engine.Signals;

/// <summary>
/// The reorder window's signals in event-time order, stored by value in one array
/// (<see cref="SignalEntry"/>, 72 bytes a signal instead of a signal and an item object plus a list
/// slot, 144). Every active user holds up to <see cref="InterpretationOptions.ReorderWindowSignals"/>
/// of them, so they were about a tenth of a small self-model and most of a large one's window. The
/// engine reads entries in place (<see cref="At"/>); a signal object is made again only when the
/// window is read out for a snapshot.
/// </summary>
internal sealed class SignalWindow
{
    private SignalEntry[] _entries = [];
    private int _start;
    private int _count;

    public int Count => _count;

    public long TicksAt(int index) => At(index).UtcTicks;

    /// <summary><see cref="BeliefEngine.EventOrder"/> of <paramref name="signal"/> against the signal at <paramref name="index"/>.</summary>
    public int Compare(in SignalEntry signal, int index)
    {
        ref readonly var entry = ref At(index);
        return BeliefEngine.EventOrder(signal.UtcTicks, signal.Id, entry.UtcTicks, entry.Id);
    }

    /// <summary>The event time and id of the signal at <paramref name="index"/>.</summary>
    public (long UtcTicks, string Id) Key(int index) => (At(index).UtcTicks, At(index).Id);

    /// <summary>
    /// The signal at <paramref name="index"/>, in place: valid until the window next changes (an
    /// insert or a removal moves entries), so read it before changing the window.
    /// </summary>
    public ref readonly SignalEntry At(int index) => ref Slot(index);

    // A ring: a full window drops its oldest signal at every new one, and moving the other 63
    // entries (72 bytes each) down every time cost more than the signal's interpretation saved.
    private ref SignalEntry Slot(int index)
    {
        var slot = _start + index;
        return ref _entries[slot < _entries.Length ? slot : slot - _entries.Length];
    }

    public void Add(in SignalEntry signal) => Insert(_count, signal);

    public void Insert(int index, in SignalEntry signal)
    {
        if (_count == _entries.Length)
        {
            // Grow by a few entries rather than doubling: a window holds up to the bound (64 by
            // default) and stays about as long as it is, so slack is held for the life of the user;
            // a resize copies at most the bound's worth of entries.
            var grown = new SignalEntry[Math.Max(4, _count + Math.Max(2, _count / 8))];
            for (var i = 0; i < _count; i++)
            {
                grown[i] = Slot(i);
            }
            _entries = grown;
            _start = 0;
        }
        // Later signals move up one (a late signal lands near the end, so few move).
        for (var i = _count; i > index; i--)
        {
            Slot(i) = Slot(i - 1);
        }
        _count++;
        Slot(index) = signal;
    }

    /// <summary>The index of <paramref name="signal"/>'s (time, id), or the bitwise complement of where it belongs (as <see cref="List{T}.BinarySearch(T)"/>).</summary>
    public int BinarySearch(in SignalEntry signal)
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
            Slot(i) = default;
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
        var entries = signals.Select(static s => new SignalEntry(s)).ToArray();
        Array.Sort(entries, static (a, b) => BeliefEngine.EventOrder(a.UtcTicks, a.Id, b.UtcTicks, b.Id));
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
            signals[i] = Slot(i).ToSignal();
        }
        return signals;
    }
}
