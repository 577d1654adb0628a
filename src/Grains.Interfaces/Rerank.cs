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
