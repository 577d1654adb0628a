namespace Clarity.Gateway.Model;

// Request bodies as clients send them. Every field is nullable so that a missing field becomes a
// validation error keyed by its path (signals[3].item.category) rather than a parse failure.

// Settable properties rather than constructor parameters, for the reason given at RerankInput:
// a batch is read once per signal, item and context.
public sealed record IngestRequest
{
    public IReadOnlyList<SignalInput?>? Signals { get; init; }
}

public sealed record SignalInput
{
    public string? Id { get; init; }

    public string? UserId { get; init; }

    public string? Type { get; init; }

    public DateTimeOffset? OccurredAt { get; init; }

    public ItemInput? Item { get; init; }

    public double? Value { get; init; }

    public ContextInput? Context { get; init; }
}

public sealed record ItemInput
{
    public string? Id { get; init; }

    public string? Category { get; init; }

    public double? Price { get; init; }

    public IReadOnlyList<string?>? Tags { get; init; }
}

public sealed record ContextInput
{
    public string? SessionId { get; init; }

    public string? DecisionId { get; init; }

    public bool? Gift { get; init; }
}

// The rerank body is read once per candidate: settable properties let the reader fill each object
// in place, where constructor parameters (more than four) go through an argument array that boxes
// every number. Same JSON either way: every field optional, a missing one null.
public sealed record RerankInput
{
    public IReadOnlyList<CandidateInput?>? Candidates { get; init; }

    public string? Context { get; init; }

    public string? OptimizeFor { get; init; }

    public int? Limit { get; init; }

    public DateTimeOffset? AsOf { get; init; }
}

public sealed record CandidateInput
{
    public string? Id { get; init; }

    public double? Score { get; init; }

    public string? Category { get; init; }

    public double? Price { get; init; }

    public IReadOnlyList<string?>? Tags { get; init; }
}
