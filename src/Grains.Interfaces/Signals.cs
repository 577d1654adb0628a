namespace Clarity.Grains.Interfaces;

/// <summary>A signal on the wire: what one user did (API.md, POST /v1/signals).</summary>
[GenerateSerializer, Immutable, Alias("Clarity.SignalData")]
public sealed record SignalData
{
    [Id(0)] public required string Id { get; init; }

    /// <summary>One of view, click, add_to_cart, purchase, return, rating, consume, impression, dismiss.</summary>
    [Id(1)] public required string Type { get; init; }

    [Id(2)] public required DateTimeOffset OccurredAt { get; init; }

    [Id(3)] public required ItemData Item { get; init; }

    [Id(4)] public double? Value { get; init; }

    [Id(5)] public SignalContextData? Context { get; init; }
}

[GenerateSerializer, Immutable, Alias("Clarity.ItemData")]
public sealed record ItemData
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string Category { get; init; }

    [Id(2)] public double? Price { get; init; }

    [Id(3)] public IReadOnlyList<string>? Tags { get; init; }
}

[GenerateSerializer, Immutable, Alias("Clarity.SignalContextData")]
public sealed record SignalContextData
{
    [Id(0)] public string? SessionId { get; init; }

    [Id(1)] public string? DecisionId { get; init; }

    [Id(2)] public bool Gift { get; init; }
}

/// <summary>How many signals of a batch were applied, and how many were already known.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.IngestResult")]
public sealed record IngestResult([property: Id(0)] int Accepted, [property: Id(1)] int Duplicates);
