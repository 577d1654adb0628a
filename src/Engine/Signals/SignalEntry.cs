namespace Clarity.Engine.Signals;

/// <summary>
/// A signal by value: the form the reorder window stores (72 bytes, where a signal and its item
/// object plus a list slot took 144) and the form the interpreters read. A signal is interpreted
/// when it arrives, again at every replay of the window for a late signal, and once more when it is
/// folded out of the window; reading the stored entry in place means none of these makes an object
/// (re-making a <see cref="Signal"/> and its <see cref="ItemRef"/> at every fold was 128 bytes, the
/// only allocation of Apply's own in steady state).
/// </summary>
/// <remarks>
/// Passed by reference (<c>in</c>): it is nine words. The instant is UTC ticks plus the offset it
/// was given in, as <see cref="Beliefs.TrailEntry"/> keeps it, so <see cref="OccurredAt"/> is
/// exactly the signal's, offset included.
/// </remarks>
internal readonly struct SignalEntry
{
    public SignalEntry(Signal signal)
    {
        Id = signal.Id;
        ItemId = signal.Item.Id;
        Category = signal.Item.Category;
        Tags = signal.Item.Tags;
        Context = signal.Context;
        UtcTicks = signal.OccurredAt.UtcTicks;
        OffsetMinutes = (short)(signal.OccurredAt.Offset.Ticks / TimeSpan.TicksPerMinute);
        Type = signal.Type;
        _price = signal.Item.Price ?? 0;
        _hasPrice = signal.Item.Price.HasValue;
        _value = signal.Value ?? 0;
        _hasValue = signal.Value.HasValue;
    }

    // Nullable doubles as a value and a flag each: two double? fields would take 32 bytes, these
    // take 16 and two flag bytes that fit beside the offset and the type.
    private readonly double _price;
    private readonly double _value;
    private readonly bool _hasPrice;
    private readonly bool _hasValue;

    public string Id { get; }

    public SignalType Type { get; }

    /// <summary>UTC ticks of <see cref="OccurredAt"/>: what ordering and decay read.</summary>
    public long UtcTicks { get; }

    /// <summary>The offset of <see cref="OccurredAt"/> in minutes (offsets are whole minutes).</summary>
    public short OffsetMinutes { get; }

    public DateTimeOffset OccurredAt => OffsetMinutes == 0
        ? new DateTimeOffset(UtcTicks, TimeSpan.Zero)
        : new DateTimeOffset(UtcTicks, TimeSpan.Zero).ToOffset(new TimeSpan(OffsetMinutes * TimeSpan.TicksPerMinute));

    /// <summary><see cref="ItemRef.Id"/>.</summary>
    public string ItemId { get; }

    /// <summary><see cref="ItemRef.Category"/>.</summary>
    public string Category { get; }

    /// <summary><see cref="ItemRef.Price"/>.</summary>
    public double? Price => _hasPrice ? _price : null;

    /// <summary><see cref="ItemRef.Tags"/>.</summary>
    public IReadOnlyList<string>? Tags { get; }

    public double? Value => _hasValue ? _value : null;

    public SignalContext? Context { get; }

    public SignalContext Ctx => Context ?? SignalContext.None;

    /// <summary>The signal again, equal in every field (a new object: for snapshots, not for interpretation).</summary>
    public Signal ToSignal() => new(Id, Type, OccurredAt, new ItemRef(ItemId, Category, Price, Tags), Value, Context);
}
