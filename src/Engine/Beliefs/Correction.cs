namespace Clarity.Engine.Beliefs;

/// <summary>What the user said about a belief.</summary>
public enum UserVerdict
{
    /// <summary>The user confirmed an inferred belief: it holds as shown (source "corrected").</summary>
    Confirmed,

    /// <summary>The user rejected a belief: it stops influencing reranks (source "corrected").</summary>
    Rejected,

    /// <summary>The user answered a catalogue statement (source "stated").</summary>
    Stated,
}

/// <summary>
/// The user's word on one belief. <see cref="Holds"/> is the statement the user spoke about: for a
/// confirmation or a stated answer it is what holds; for a rejection it is the statement rejected.
/// </summary>
public sealed record Correction(UserVerdict Verdict, bool Holds, DateTimeOffset At);

public sealed partial class Belief
{
    /// <summary>The user's word on this belief, or null for a plain inference.</summary>
    public Correction? Correction { get; set; }
}
