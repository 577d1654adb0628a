namespace Clarity.Gateway.Model;

// Request bodies as clients send them. Every field is nullable so that a missing field becomes a
// validation error keyed by its path (signals[3].item.category) rather than a parse failure.

public sealed record IngestRequest(IReadOnlyList<SignalInput?>? Signals);

public sealed record SignalInput(
    string? Id,
    string? UserId,
    string? Type,
    DateTimeOffset? OccurredAt,
    ItemInput? Item,
    double? Value,
    ContextInput? Context);

public sealed record ItemInput(string? Id, string? Category, double? Price, IReadOnlyList<string?>? Tags);

public sealed record ContextInput(string? SessionId, string? DecisionId, bool? Gift);

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
