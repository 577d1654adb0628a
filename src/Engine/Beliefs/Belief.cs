using Clarity.Engine.Signals;

namespace Clarity.Engine.Beliefs;

/// <summary>One entry of a belief's audit trail: the signal that moved it and by how much.</summary>
/// <remarks>
/// A value, not an object: trails are most of a self-model's memory, and recording evidence should not
/// allocate. The instant is kept as UTC ticks plus the offset it was given in (40 bytes in all).
/// </remarks>
public readonly record struct TrailEntry
{
    private readonly long _utcTicks;
    private readonly short _offsetMinutes;

    public TrailEntry(string signalId, SignalType type, DateTimeOffset occurredAt, double effect, string? note = null)
    {
        SignalId = signalId;
        Type = type;
        _utcTicks = occurredAt.UtcTicks;
        _offsetMinutes = (short)(occurredAt.Offset.Ticks / TimeSpan.TicksPerMinute);
        Effect = effect;
        Note = note;
    }

    public string SignalId { get; }

    public SignalType Type { get; }

    public DateTimeOffset OccurredAt =>
        new DateTimeOffset(_utcTicks, TimeSpan.Zero).ToOffset(new TimeSpan(_offsetMinutes * TimeSpan.TicksPerMinute));

    /// <summary>UTC ticks of <see cref="OccurredAt"/>.</summary>
    public long OccurredAtUtcTicks => _utcTicks;

    public double Effect { get; }

    public string? Note { get; }
}

/// <summary>
/// A proposition about one user with its evidence as a decayed Beta posterior: prior pseudo-counts
/// of the kind plus decayed sums of supporting and contradicting weights. Confidence and evidence
/// are computed at read time from <c>asOf</c>; nothing here depends on when it was last touched.
/// </summary>
public sealed partial class Belief
{
    // Memory: a user holds one of these per belief (twice while the reorder window is replayed), so
    // instants are UTC ticks plus the offset they were given in, and the small enums are bytes; the
    // properties give back exactly the values set (136 bytes instead of 176, before the trail). The
    // newest trail entry is held inline (40 bytes) and only older ones in an array: most beliefs of
    // a user hold a single entry, and an array of one cost 64 bytes for its 40. The older entries
    // are a ring starting at _olderStart: in-order evidence lands in front, and shifting a full trail
    // down at every signal moved 19 entries of 40 bytes, through write barriers, for each belief the
    // signal touched (the apply benchmark: 2.3-2.8 us before, 1.3-1.7 us after).
    private TrailEntry _newest;
    private TrailEntry[] _older = [];
    // Both within TrailLength's bound (at most 1,000): two shorts cost what one int did.
    private short _trailCount;
    private short _olderStart;
    private long _firstUtcTicks;
    private long _lastUtcTicks;
    private long _expectedUtcTicks;
    private short _firstOffsetMinutes;
    private short _lastOffsetMinutes;
    private short _expectedOffsetMinutes;
    private bool _hasExpected;
    private byte _source = (byte)BeliefSource.Inferred;
    private byte _status = (byte)BeliefStatus.Dormant;
    private byte _reportedStatus = (byte)BeliefStatus.Dormant;

    /// <summary>
    /// Held by both the folded and the current state (copy-on-write, see <see cref="ModelCore"/>):
    /// whichever changes it first takes a copy. Fits in the object's padding.
    /// </summary>
    internal bool Shared;

    public Belief(BeliefKey key, DateTimeOffset firstObservedAt)
    {
        Key = key;
        Id = key.Id();
        FirstObservedAt = firstObservedAt;
        LastObservedAt = firstObservedAt;
    }

    private static short OffsetMinutes(DateTimeOffset at) => (short)(at.Offset.Ticks / TimeSpan.TicksPerMinute);

    private static DateTimeOffset Instant(long utcTicks, short offsetMinutes) =>
        new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(new TimeSpan(offsetMinutes * TimeSpan.TicksPerMinute));

    public BeliefKey Key { get; }

    public string Id { get; }

    // Fields, not properties: the engine adds to them in place.
    internal DecayedMass SupportMass;
    internal DecayedMass AgainstMass;

    /// <summary>Decayed sum of supporting weights.</summary>
    public DecayedMass Support { get => SupportMass; set => SupportMass = value; }

    /// <summary>Decayed sum of contradicting weights.</summary>
    public DecayedMass Against { get => AgainstMass; set => AgainstMass = value; }

    public int Observations { get; set; }

    public int Contradictions { get; set; }

    public DateTimeOffset FirstObservedAt
    {
        get => Instant(_firstUtcTicks, _firstOffsetMinutes);
        set => (_firstUtcTicks, _firstOffsetMinutes) = (value.UtcTicks, OffsetMinutes(value));
    }

    public DateTimeOffset LastObservedAt
    {
        get => Instant(_lastUtcTicks, _lastOffsetMinutes);
        set => (_lastUtcTicks, _lastOffsetMinutes) = (value.UtcTicks, OffsetMinutes(value));
    }

    /// <summary>UTC ticks of <see cref="FirstObservedAt"/> (compared on every piece of evidence).</summary>
    internal long FirstObservedUtcTicks => _firstUtcTicks;

    /// <summary>UTC ticks of <see cref="LastObservedAt"/>.</summary>
    internal long LastObservedUtcTicks => _lastUtcTicks;

    public BeliefSource Source { get => (BeliefSource)_source; set => _source = (byte)value; }

    /// <summary>
    /// The status right after the latest evidence. Kept because the active/dormant thresholds differ
    /// (hysteresis): the next status depends on the previous one. Between pieces of evidence the
    /// mass only decays, so the status at any later instant follows in closed form from this one.
    /// </summary>
    public BeliefStatus Status { get => (BeliefStatus)_status; set => _status = (byte)value; }

    /// <summary>The status last reported by housekeeping (not stored: a restart may report a transition again).</summary>
    internal BeliefStatus ReportedStatus { get => (BeliefStatus)_reportedStatus; set => _reportedStatus = (byte)value; }

    /// <summary>For replenishment: when the next purchase is expected (last purchase plus the mean interval).</summary>
    public DateTimeOffset? ExpectedAt
    {
        get => _hasExpected ? Instant(_expectedUtcTicks, _expectedOffsetMinutes) : null;
        set
        {
            _hasExpected = value.HasValue;
            (_expectedUtcTicks, _expectedOffsetMinutes) = value is { } at ? (at.UtcTicks, OffsetMinutes(at)) : (0, (short)0);
        }
    }

    /// <summary>Whether the statement held at the last evaluation (a flip is when this changes).</summary>
    public bool Holds { get; set; } = true;

    /// <summary>Most recent first, bounded by <see cref="EngineOptions.TrailLength"/>.</summary>
    public IReadOnlyList<TrailEntry> Trail => new TrailList(this);

    private TrailEntry TrailAt(int index) => index == 0 ? _newest : OlderSlot(index - 1);

    // The index-th older entry (0 = the one after the newest); valid for index < _older.Length.
    private ref TrailEntry OlderSlot(int index)
    {
        var slot = _olderStart + index;
        return ref _older[slot < _older.Length ? slot : slot - _older.Length];
    }

    private sealed class TrailList(Belief belief) : IReadOnlyList<TrailEntry>
    {
        public TrailEntry this[int index] =>
            (uint)index < (uint)belief._trailCount ? belief.TrailAt(index) : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => belief._trailCount;

        public IEnumerator<TrailEntry> GetEnumerator()
        {
            for (var i = 0; i < belief._trailCount; i++)
            {
                yield return belief.TrailAt(i);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    internal void Record(in TrailEntry entry, int bound)
    {
        // Keep newest first by event time; insertion is near the front for in-order arrival.
        var at = entry.OccurredAtUtcTicks;
        var index = 0;
        while (index < _trailCount && TrailAt(index).OccurredAtUtcTicks > at)
        {
            index++;
        }
        if (index >= bound)
        {
            return;
        }
        var older = _trailCount - 1;
        var grows = _trailCount < bound;
        // The oldest entry falls off the end when the trail is full.
        var olderAfter = grows ? older + 1 : older;
        if (olderAfter <= 0)
        {
            // The first entry, or a bound of one: only the inline entry.
            _newest = entry;
            _trailCount = Math.Max(_trailCount, (short)1);
            return;
        }
        if (olderAfter > _older.Length)
        {
            // Grow by doubling up to the bound: many beliefs hold a single entry, most a few.
            Grow(Math.Min(bound - 1, Math.Max(1, _older.Length * 2)), older);
        }
        if (index == 0)
        {
            // The ring's start moves back one: the previous newest becomes the first older entry,
            // written over the slot of the entry that falls off when the trail is full.
            _olderStart = (short)(_olderStart == 0 ? _older.Length - 1 : _olderStart - 1);
            _older[_olderStart] = _newest;
            _newest = entry;
        }
        else
        {
            // A late entry: the older entries behind it move one place towards the end.
            for (var i = olderAfter - 1; i > index - 1; i--)
            {
                OlderSlot(i) = OlderSlot(i - 1);
            }
            OlderSlot(index - 1) = entry;
        }
        if (grows)
        {
            _trailCount++;
        }
    }

    // Unrolls the ring into a larger array starting at 0.
    private void Grow(int length, int older)
    {
        var grown = new TrailEntry[length];
        for (var i = 0; i < older; i++)
        {
            grown[i] = OlderSlot(i);
        }
        _older = grown;
        _olderStart = 0;
    }

    private TrailEntry[] OlderInOrder()
    {
        if (_trailCount <= 1)
        {
            return [];
        }
        var copy = new TrailEntry[_trailCount - 1];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = OlderSlot(i);
        }
        return copy;
    }

    internal string Statement(bool holds) => Statements.Cached(Key, holds);

    public Belief Clone()
    {
        var copy = (Belief)MemberwiseClone();
        copy.Shared = false;
        copy._older = OlderInOrder();
        copy._olderStart = 0;
        return copy;
    }

    public void RestoreTrail(IEnumerable<TrailEntry> entries)
    {
        TrailEntry[] trail = [.. entries];
        _trailCount = checked((short)trail.Length);
        _newest = trail.Length > 0 ? trail[0] : default;
        _older = trail.Length > 1 ? trail[1..] : [];
        _olderStart = 0;
    }
}
