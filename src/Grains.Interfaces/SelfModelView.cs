namespace Clarity.Grains.Interfaces;

/// <summary>The self-model as the API returns it (GET /v1/users/{userId}/self-model).</summary>
[GenerateSerializer, Immutable, Alias("Clarity.SelfModelView")]
public sealed record SelfModelView
{
    [Id(0)] public required string UserId { get; init; }

    [Id(1)] public required DateTimeOffset AsOf { get; init; }

    /// <summary>Ordered by confidence times evidence, highest first.</summary>
    [Id(2)] public required IReadOnlyList<BeliefView> Beliefs { get; init; }
}

/// <summary>One belief evaluated at the model's <c>asOf</c>.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.BeliefView")]
public sealed record BeliefView
{
    [Id(0)] public required string Id { get; init; }

    /// <summary>affinity, satiation, replenishment, researcher, price-tier or variety.</summary>
    [Id(1)] public required string Kind { get; init; }

    [Id(2)] public required string Subject { get; init; }

    [Id(3)] public required string Statement { get; init; }

    /// <summary>Probability that the statement is true of the user at asOf, in [0, 1].</summary>
    [Id(4)] public required double Confidence { get; init; }

    /// <summary>Supporting plus contradicting evidence still counting at asOf after decay.</summary>
    [Id(5)] public required double Evidence { get; init; }

    [Id(6)] public required int Observations { get; init; }

    [Id(7)] public required int Contradictions { get; init; }

    /// <summary>inferred, stated or corrected.</summary>
    [Id(8)] public required string Source { get; init; }

    /// <summary>active or dormant.</summary>
    [Id(9)] public required string Status { get; init; }

    [Id(10)] public required DateTimeOffset FirstObservedAt { get; init; }

    [Id(11)] public required DateTimeOffset LastObservedAt { get; init; }

    [Id(12)] public required double HalfLifeDays { get; init; }

    /// <summary>For replenishment beliefs: when the next purchase is expected; omitted otherwise.</summary>
    [Id(13)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ExpectedAt { get; init; }

    /// <summary>
    /// What the user said about it: "confirmed", "rejected" or "stated"; omitted for a plain
    /// inference. A rejected belief moves no rerank; its statement is the one the user rejected.
    /// </summary>
    [Id(20)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Verdict { get; init; }

    /// <summary>
    /// Whether the statement reads as the kind's proposition (true) or its negation (false, e.g.
    /// "Not interested in ..."); confidence is always that of the proposition.
    /// </summary>
    [Id(21)] public bool Holds { get; init; } = true;

    /// <summary>The signals behind the belief, most recent first; only on single-belief reads and exports.</summary>
    [Id(22)]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<TrailEntryView>? Trail { get; init; }
}
