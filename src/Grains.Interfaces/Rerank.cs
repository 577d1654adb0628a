namespace Clarity.Grains.Interfaces;

/// <summary>A rerank request (POST /v1/users/{userId}/rerank), validated by the caller.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.RerankCall")]
public sealed record RerankCall
{
    [Id(0)] public required IReadOnlyList<CandidateData> Candidates { get; init; }

    /// <summary>browse (default), post_purchase, search, home, or a tenant-defined string.</summary>
    [Id(1)] public string Context { get; init; } = "browse";

    /// <summary>relevance (default), diversity or exploration.</summary>
    [Id(2)] public string OptimizeFor { get; init; } = "relevance";

    /// <summary>Most items to return; all candidates when null.</summary>
    [Id(3)] public int? Limit { get; init; }

    /// <summary>Evaluate beliefs at this instant; now when null.</summary>
    [Id(4)] public DateTimeOffset? AsOf { get; init; }
}

[GenerateSerializer, Immutable, Alias("Clarity.CandidateData")]
public sealed record CandidateData
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public double? Score { get; init; }

    [Id(2)] public required string Category { get; init; }

    [Id(3)] public double? Price { get; init; }

    [Id(4)] public IReadOnlyList<string>? Tags { get; init; }
}

[GenerateSerializer, Immutable, Alias("Clarity.RerankResponse")]
public sealed record RerankResponse
{
    [Id(0)] public required string DecisionId { get; init; }

    [Id(1)] public required IReadOnlyList<RankedItemView> Items { get; init; }

    [Id(2)] public required IReadOnlyList<SuppressedItemView> Suppressed { get; init; }
}

/// <summary>An item in the answer. <c>Score</c> = <c>BaseScore</c> (normalised upstream score) + sum of reason effects.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.RankedItemView")]
public sealed record RankedItemView
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required int Rank { get; init; }

    [Id(2)] public required double Score { get; init; }

    [Id(3)] public required double BaseScore { get; init; }

    [Id(4)] public required IReadOnlyList<ReasonView> Reasons { get; init; }
}

[GenerateSerializer, Immutable, Alias("Clarity.SuppressedItemView")]
public sealed record SuppressedItemView
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required IReadOnlyList<ReasonView> Reasons { get; init; }
}

/// <summary>The belief that moved an item, its statement, and the signed effect on the item's score.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.ReasonView")]
public sealed record ReasonView
{
    [Id(0)] public required string BeliefId { get; init; }

    [Id(1)] public required string Statement { get; init; }

    [Id(2)] public required double Effect { get; init; }
}

/// <summary>A recorded decision (GET /v1/users/{userId}/decisions/{decisionId}).</summary>
[GenerateSerializer, Immutable, Alias("Clarity.DecisionView")]
public sealed record DecisionView
{
    [Id(0)] public required string DecisionId { get; init; }

    /// <summary>The request as evaluated: <c>asOf</c> is the instant the beliefs were read at.</summary>
    [Id(1)] public required RerankCall Request { get; init; }

    [Id(2)] public required RerankResponse Response { get; init; }

    /// <summary>The beliefs that moved or suppressed items, as they were at the decision.</summary>
    [Id(3)] public required IReadOnlyList<DecisionBeliefView> Beliefs { get; init; }
}

/// <summary>A belief as it was when a decision was made.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.DecisionBeliefView")]
public sealed record DecisionBeliefView
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string Kind { get; init; }

    [Id(2)] public required string Subject { get; init; }

    [Id(3)] public required string Statement { get; init; }

    [Id(4)] public required double Confidence { get; init; }

    [Id(5)] public required double Evidence { get; init; }

    [Id(6)] public required string Status { get; init; }

    [Id(7)] public required string Source { get; init; }
}
