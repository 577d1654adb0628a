namespace Clarity.Engine.Signals;

/// <summary>What a user did, as the engine sees it.</summary>
public enum SignalType
{
    View,
    Click,
    AddToCart,
    Purchase,
    Return,
    Rating,
    Consume,
    Impression,
    Dismiss,
}

/// <summary>The item a signal is about. <see cref="Category"/> is a '/'-separated path, most general first.</summary>
public sealed record ItemRef(string Id, string Category, double? Price = null, IReadOnlyList<string>? Tags = null);

/// <summary>Where a signal happened: the session, the rerank decision it answers, and whether it was a gift.</summary>
public sealed record SignalContext(string? SessionId = null, string? DecisionId = null, bool Gift = false)
{
    public static readonly SignalContext None = new();
}

/// <summary>
/// One event of one user. <see cref="OccurredAt"/> is event time; the engine orders by it, never by
/// arrival, so late and out-of-order signals give the same model.
/// </summary>
public sealed record Signal(
    string Id,
    SignalType Type,
    DateTimeOffset OccurredAt,
    ItemRef Item,
    double? Value = null,
    SignalContext? Context = null)
{
    public SignalContext Ctx => Context ?? SignalContext.None;
}
