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
    // a user hold a single entry, and an array of one cost 64 bytes for its 40.
    private TrailEntry _newest;
    private TrailEntry[] _older = [];
    private int _trailCount;
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

    private TrailEntry TrailAt(int index) => index == 0 ? _newest : _older[index - 1];

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
        if (_trailCount < bound)
        {
            if (_trailCount > 0 && _trailCount - 1 == _older.Length)
            {
                // Grow by doubling up to the bound: many beliefs hold a single entry, most a few.
                Array.Resize(ref _older, Math.Min(bound - 1, Math.Max(1, _older.Length * 2)));
            }
            _trailCount++;
        }
        // The oldest entry falls off the end when the trail is full.
        var older = _trailCount - 1;
        if (index == 0)
        {
            if (older > 0)
            {
                Array.Copy(_older, 0, _older, 1, older - 1);
                _older[0] = _newest;
            }
            _newest = entry;
        }
        else
        {
            Array.Copy(_older, index - 1, _older, index, older - index);
            _older[index - 1] = entry;
        }
    }

    internal string Statement(bool holds) => Statements.Cached(Key, holds);

    public Belief Clone()
    {
        var copy = (Belief)MemberwiseClone();
        copy.Shared = false;
        copy._older = _trailCount <= 1 ? [] : _older.AsSpan(0, _trailCount - 1).ToArray();
        return copy;
    }

    public void RestoreTrail(IEnumerable<TrailEntry> entries)
    {
        TrailEntry[] trail = [.. entries];
        _trailCount = trail.Length;
        _newest = trail.Length > 0 ? trail[0] : default;
        _older = trail.Length > 1 ? trail[1..] : [];
    }
}
