using Clarity.Engine.Beliefs;

namespace Clarity.Engine.Ranking;

/// <summary>One candidate from the client's recommender.</summary>
public sealed record Candidate(string Id, string Category, double? Score = null, double? Price = null, IReadOnlyList<string>? Tags = null);

/// <summary>
/// A rerank request as the engine sees it; <see cref="AsOf"/> is the instant beliefs are evaluated at.
/// <see cref="Seed"/> (the user's identity) seeds exploration together with the request and the beliefs.
/// </summary>
public sealed record RerankRequest(
    IReadOnlyList<Candidate> Candidates,
    DateTimeOffset AsOf,
    string Context = "browse",
    string OptimizeFor = "relevance",
    int? Limit = null,
    string Seed = "");

/// <summary>
/// Why an item moved: the belief, its statement, and the signed effect on the item's score.
/// <see cref="Key"/> is the belief's identity (null for an objective such as diversity).
/// </summary>
public sealed record Reason(string BeliefId, string Statement, double Effect)
{
    public BeliefKey? Key { get; init; }
}

public sealed record RankedItem(string Id, int Rank, double Score, double BaseScore, IReadOnlyList<Reason> Reasons);

public sealed record SuppressedItem(string Id, IReadOnlyList<Reason> Reasons);

public sealed record RerankResult(IReadOnlyList<RankedItem> Items, IReadOnlyList<SuppressedItem> Suppressed, string DecisionId = "");

/// <summary>The objectives a client can ask for.</summary>
public static class Objectives
{
    public const string Relevance = "relevance";
    public const string Diversity = "diversity";
    public const string Exploration = "exploration";
}
