namespace Clarity.Engine.Beliefs;

/// <summary>
/// A belief evaluated at one instant: what the API and rerank read. <see cref="Confidence"/> is the
/// calibrated probability users see (the self-model's <c>confidence</c>, the reasons of a rerank);
/// <see cref="Posterior"/> is the raw decayed Beta mean that the engine's own logic acts on (flips,
/// rerank effects and thresholds, Thompson sampling; see <see cref="CalibrationMap"/>). For a
/// belief the user stated, confirmed or rejected both are the user's word, never remapped.
/// </summary>
public sealed record BeliefSnapshot(
    Belief Belief,
    double Confidence,
    double Posterior,
    double Evidence,
    BeliefStatus Status,
    bool Holds,
    string Statement,
    double HalfLifeDays)
{
    public string Id => Belief.Id;

    public BeliefKey Key => Belief.Key;

    /// <summary>The ordering key of the self-model: confidence times evidence.</summary>
    public double Weight => Confidence * Evidence;
}

/// <summary>What an operation changed, as data: tests assert on it and the trail reuses it.</summary>
public enum ChangeKind
{
    Created,
    Evidence,
    Flipped,
    Activated,
    Dormant,
    Pruned,
}

public sealed record BeliefChange(ChangeKind Kind, string BeliefId, BeliefKey Key, string? SignalId = null, double Effect = 0);
