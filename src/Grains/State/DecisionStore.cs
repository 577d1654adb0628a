using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Grains.Interfaces;

namespace Clarity.Grains.State;

/// <summary>
/// Where recorded rerank decisions are kept beyond the life of an activation: the last N per user
/// (N = <c>Clarity:Engine:Rerank:MaxDecisions</c>). Grains write them behind, never one write per
/// rerank, and read them back only when a caller needs one that memory no longer holds.
/// </summary>
public interface IDecisionStore
{
    /// <summary>
    /// Adds one user's decisions (oldest first; an id already stored is kept as it was) and forgets
    /// all but that user's newest <paramref name="keep"/>. Throws <see cref="StorageUnavailableException"/>
    /// when the store fails.
    /// </summary>
    Task WriteAsync(string tenantId, string userId, IReadOnlyList<StoredDecision> decisions, int keep, CancellationToken cancellationToken = default);

    /// <summary>One user's newest <paramref name="keep"/> stored decisions, oldest first.</summary>
    Task<IReadOnlyList<StoredDecision>> ReadAsync(string tenantId, string userId, int keep, CancellationToken cancellationToken = default);

    /// <summary>Deletes every stored decision of one user (erasure). Returns how many were deleted.</summary>
    Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken = default);
}

/// <summary>A decision as stored: its id and its JSON (<see cref="DecisionPayload"/>).</summary>
public sealed record StoredDecision(string DecisionId, string Payload);

/// <summary>
/// The stored JSON of a decision: everything the engine needs to answer an audit and to credit or
/// blame beliefs from feedback after a reactivation (request, answer, beliefs as they were, drivers).
/// A document of its own, separate from the engine's records, so either can change without the other.
/// </summary>
public static partial class DecisionPayload
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static StoredDecision Serialize(Decision decision) => new(decision.Id, Write(ToDocument(decision)));

    // Every rerank records a decision, and each is written once: the generated writer (straight to
    // the buffer) costs a fraction of the general serializer's walk over about 300 objects. Same
    // bytes as JsonSerializer.Serialize(document, Json); the reader is unchanged.
    private static string Write(DecisionDocument document)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            DecisionJson.Default.DecisionDocument.SerializeHandler!(writer, document);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The general serializer's JSON of a decision: the reference the generated writer must match.</summary>
    internal static string SerializeWithGeneralSerializer(Decision decision) => JsonSerializer.Serialize(ToDocument(decision), Json);

    public static Decision Deserialize(string payload) =>
        FromDocument(JsonSerializer.Deserialize<DecisionDocument>(payload, Json) ?? throw new InvalidDataException("A stored decision is empty."));

    private static DecisionDocument ToDocument(Decision d) => new(
        1,
        d.Id,
        new RequestDocument(
            [.. d.Request.Candidates.Select(c => new CandidateDocument(c.Id, c.Category, c.Score, c.Price, c.Tags))],
            d.Request.AsOf,
            d.Request.Context,
            d.Request.OptimizeFor,
            d.Request.Limit,
            d.Request.Seed),
        [.. d.Result.Items.Select(i => new ItemDocument(i.Id, i.Rank, i.Score, i.BaseScore, [.. i.Reasons.Select(ToDocument)]))],
        [.. d.Result.Suppressed.Select(s => new SuppressedDocument(s.Id, [.. s.Reasons.Select(ToDocument)]))],
        [.. d.Beliefs.Select(b => new BeliefDocument(b.Id, b.Key.Kind, b.Key.Subject, b.Statement, b.Confidence, b.Evidence, b.Status, b.Source))],
        d.Drivers.ToDictionary(p => p.Key, p => p.Value.Select(v => new DriverDocument(v.Key.Kind, v.Key.Subject, v.Effect)).ToList(), StringComparer.Ordinal));

    private static ReasonDocument ToDocument(Reason r) => new(r.BeliefId, r.Statement, r.Effect, r.Key?.Kind, r.Key?.Subject);

    private static Decision FromDocument(DecisionDocument d) => new(
        d.Id,
        new RerankRequest(
            [.. d.Request.Candidates.Select(c => new Candidate(c.Id, c.Category, c.Score, c.Price, c.Tags))],
            d.Request.AsOf,
            d.Request.Context,
            d.Request.OptimizeFor,
            d.Request.Limit,
            d.Request.Seed),
        new RerankResult(
            [.. d.Items.Select(i => new RankedItem(i.Id, i.Rank, i.Score, i.BaseScore, [.. i.Reasons.Select(FromDocument)]))],
            [.. d.Suppressed.Select(s => new SuppressedItem(s.Id, [.. s.Reasons.Select(FromDocument)]))],
            d.Id),
        [.. d.Beliefs.Select(b => new BeliefRecord(b.Id, new BeliefKey(b.Kind, b.Subject), b.Statement, b.Confidence, b.Evidence, b.Status, b.Source))],
        d.Drivers.ToDictionary(p => p.Key, p => p.Value.Select(v => new Driver(new BeliefKey(v.Kind, v.Subject), v.Effect)).ToArray(), StringComparer.Ordinal));

    private static Reason FromDocument(ReasonDocument r) =>
        new(r.BeliefId, r.Statement, r.Effect) { Key = r.Kind is { } kind && r.Subject is { } subject ? new BeliefKey(kind, subject) : null };

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
        GenerationMode = JsonSourceGenerationMode.Serialization,
        UseStringEnumConverter = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(DecisionDocument))]
    private sealed partial class DecisionJson : JsonSerializerContext;

    // Version 1. A later shape adds fields or bumps the version; readers keep reading version 1.
    private sealed record DecisionDocument(
        int Version,
        string Id,
        RequestDocument Request,
        List<ItemDocument> Items,
        List<SuppressedDocument> Suppressed,
        List<BeliefDocument> Beliefs,
        Dictionary<string, List<DriverDocument>> Drivers);

    private sealed record RequestDocument(List<CandidateDocument> Candidates, DateTimeOffset AsOf, string Context, string OptimizeFor, int? Limit, string Seed);

    private sealed record CandidateDocument(string Id, string Category, double? Score, double? Price, IReadOnlyList<string>? Tags);

    private sealed record ItemDocument(string Id, int Rank, double Score, double BaseScore, List<ReasonDocument> Reasons);

    private sealed record SuppressedDocument(string Id, List<ReasonDocument> Reasons);

    private sealed record ReasonDocument(string BeliefId, string Statement, double Effect, BeliefKind? Kind, string? Subject);

    private sealed record BeliefDocument(string Id, BeliefKind Kind, string Subject, string Statement, double Confidence, double Evidence, BeliefStatus Status, BeliefSource Source);

    private sealed record DriverDocument(BeliefKind Kind, string Subject, double Effect);
}
