using System.Text.Json.Serialization;
using Orleans.Concurrency;

namespace Clarity.Grains.Interfaces;

/// <summary>
/// Transparency and control (API.md): the user sees each belief with its trail, confirms, rejects
/// or forgets it, answers catalogue statements, exports everything and erases everything.
/// </summary>
public partial interface ISelfModelGrain
{
    /// <summary>One belief with its audit trail (most recent first), evaluated at asOf (now when null); null when unknown.</summary>
    [Alias("GetBelief")]
    [ReadOnly]
    Task<BeliefView?> GetBeliefAsync(string beliefId, DateTimeOffset? asOf);

    /// <summary>The user says the belief is right as shown. Returns it updated (source corrected), or null when unknown.</summary>
    [Alias("Confirm")]
    Task<BeliefView?> ConfirmAsync(string beliefId);

    /// <summary>
    /// The user says the belief is wrong. It stops influencing reranks at once and is never
    /// re-inferred from the evidence it was built on. Returns it updated, or null when unknown.
    /// </summary>
    [Alias("Reject")]
    Task<BeliefView?> RejectAsync(string beliefId);

    /// <summary>Forgets the belief and the evidence behind it. False when unknown.</summary>
    [Alias("Forget")]
    Task<bool> ForgetAsync(string beliefId);

    /// <summary>Records the user's answers as stated beliefs and returns the updated self-model.</summary>
    [Alias("State")]
    Task<SelfModelView> StateAsync(IReadOnlyList<StatedAnswer> answers);

    /// <summary>Orders statements by how much the user's answer would change their reranks, most first.</summary>
    [Alias("RankStatements")]
    [ReadOnly]
    Task<IReadOnlyList<StatementRank>> RankStatementsAsync(IReadOnlyList<StatementTargetData> statements);

    /// <summary>Erases everything stored about the user. Afterwards the self-model is empty and no signal id is remembered.</summary>
    [Alias("Erase")]
    Task EraseAsync();

    /// <summary>Everything stored about the user, as one document.</summary>
    [Alias("Export")]
    [ReadOnly]
    Task<SelfModelExport> ExportAsync();
}

/// <summary>One entry of a belief's audit trail: the signal, when it happened, and the signed evidence it added.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.TrailEntryView")]
public sealed record TrailEntryView
{
    [Id(0)] public required string SignalId { get; init; }

    [Id(1)] public required string Type { get; init; }

    [Id(2)] public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Signed evidence weight the signal added (negative contradicts).</summary>
    [Id(3)] public required double Effect { get; init; }

    /// <summary>What else happened at this step, e.g. "flipped: no longer holds"; omitted when nothing.</summary>
    [Id(4)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Note { get; init; }
}

/// <summary>An answer to a catalogue statement: the belief it sets and whether it holds.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.StatedAnswer")]
public sealed record StatedAnswer
{
    /// <summary>The belief kind in wire form (affinity, satiation, ...).</summary>
    [Id(0)] public required string Kind { get; init; }

    [Id(1)] public required string Subject { get; init; }

    /// <summary>True when the user selected the statement, false when they rejected it.</summary>
    [Id(2)] public required bool Holds { get; init; }
}

/// <summary>A catalogue statement to rank: its id and the belief it sets.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.StatementTargetData")]
public sealed record StatementTargetData
{
    [Id(0)] public required string StatementId { get; init; }

    [Id(1)] public required string Kind { get; init; }

    [Id(2)] public required string Subject { get; init; }
}

/// <summary>A statement's expected effect of an answer on the user's reranks, and the user's answer so far.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.StatementRank")]
public sealed record StatementRank
{
    [Id(0)] public required string StatementId { get; init; }

    /// <summary>Expected change of the user's reranks from an answer; 0 when already answered.</summary>
    [Id(1)] public required double Value { get; init; }

    /// <summary>"selected" or "rejected" when the user answered it (or confirmed or rejected the belief it sets); null otherwise.</summary>
    [Id(2)] public string? Answer { get; init; }
}

/// <summary>Everything stored about one user (GET /v1/users/{userId}/export).</summary>
[GenerateSerializer, Immutable, Alias("Clarity.SelfModelExport")]
public sealed record SelfModelExport
{
    [Id(0)] public required string UserId { get; init; }

    [Id(1)] public required DateTimeOffset ExportedAt { get; init; }

    /// <summary>Every belief, evaluated at ExportedAt, with its trail and the user's corrections.</summary>
    [Id(2)] public required IReadOnlyList<BeliefView> Beliefs { get; init; }

    /// <summary>Beliefs the user rejected or forgot, with the instant up to which their evidence no longer counts.</summary>
    [Id(3)] public required IReadOnlyList<EvidenceCutoffView> EvidenceCutoffs { get; init; }

    [Id(4)] public required SignalSummaryView Signals { get; init; }

    /// <summary>Every accepted signal of the user, as sent, in the order it was accepted.</summary>
    [Id(5)] public required IReadOnlyList<SignalData> SignalLog { get; init; }

    /// <summary>The user's recorded rerank decisions (the last 100 by default), oldest first.</summary>
    [Id(6)] public IReadOnlyList<DecisionView> Decisions { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("Clarity.EvidenceCutoffView")]
public sealed record EvidenceCutoffView
{
    [Id(0)] public required string BeliefId { get; init; }

    [Id(1)] public required string Kind { get; init; }

    [Id(2)] public required string Subject { get; init; }

    /// <summary>Evidence that occurred at or before this instant never counts for the belief again.</summary>
    [Id(3)] public required DateTimeOffset EvidenceUpTo { get; init; }
}

/// <summary>What is kept about the user's signals: counts, the time span and the ids remembered for deduplication.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.SignalSummaryView")]
public sealed record SignalSummaryView
{
    [Id(0)] public required long Count { get; init; }

    [Id(1)] public DateTimeOffset? FirstAt { get; init; }

    [Id(2)] public DateTimeOffset? LastAt { get; init; }

    /// <summary>The most recent signal ids, oldest first, remembered so that retries count as duplicates.</summary>
    [Id(3)] public required IReadOnlyList<string> RecentIds { get; init; }
}
