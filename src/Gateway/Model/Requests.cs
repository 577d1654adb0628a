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

public sealed record RerankInput(
    IReadOnlyList<CandidateInput?>? Candidates,
    string? Context,
    string? OptimizeFor,
    int? Limit,
    DateTimeOffset? AsOf);

public sealed record CandidateInput(string? Id, double? Score, string? Category, double? Price, IReadOnlyList<string?>? Tags);
