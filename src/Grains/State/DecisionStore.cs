using System.Buffers;
using System.Globalization;
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
/// <remarks>
/// Written as version 2: the same content as version 1 with every repeated part stored once and
/// referred to by its index (categories, reasons, the reason lists the engine shares among the
/// items of a category and tier, belief keys, driver lists) and short field names. A rerank of 100
/// candidates repeats the same few reasons and categories on most items, so this is several times
/// smaller than version 1, which is still read (rows written before version 2).
/// </remarks>
public static partial class DecisionPayload
{
    private const int CurrentVersion = 2;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static StoredDecision Serialize(Decision decision) => new(decision.Id, Write(Compact(decision)));

    // Every rerank records a decision, and each is written once: the generated writer (straight to
    // the buffer) costs a fraction of the general serializer's walk. Same bytes as
    // JsonSerializer.Serialize(document, Json).
    private static string Write(CompactDocument document)
    {
        var buffer = new ArrayBufferWriter<byte>(4 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            DecisionJson.Default.CompactDocument.SerializeHandler!(writer, document);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The general serializer's JSON of a decision: the reference the generated writer must match.</summary>
    internal static string SerializeWithGeneralSerializer(Decision decision) => JsonSerializer.Serialize(Compact(decision), Json);

    /// <summary>A decision in the version 1 format (rows stored before version 2), for tests that old rows still read.</summary>
    internal static string SerializeVersion1(Decision decision) => JsonSerializer.Serialize(ToDocument(decision), Json);

    public static Decision Deserialize(string payload)
    {
        // Decisions are read back only on a reactivation that needs them: parsing twice is cheap there.
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        var version = root.TryGetProperty("v", out var v) ? v.GetInt32()
            : root.TryGetProperty("version", out var v1) ? v1.GetInt32()
            : throw new InvalidDataException("A stored decision has no version.");
        return version switch
        {
            1 => FromDocument(root.Deserialize<DecisionDocument>(Json) ?? throw new InvalidDataException("A stored decision is empty.")),
            CurrentVersion => Expand(root.Deserialize<CompactDocument>(Json) ?? throw new InvalidDataException("A stored decision is empty.")),
            _ => throw new InvalidDataException($"A stored decision has version {version}, which this build does not read."),
        };
    }

    private static CompactDocument Compact(Decision d)
    {
        var categories = new Indexer<string>(StringComparer.Ordinal);
        var reasons = new Indexer<Reason>(EqualityComparer<Reason>.Default);
        var keys = new Indexer<BeliefKey>(EqualityComparer<BeliefKey>.Default);
        var reasonLists = new List<int[]>();
        var listIndex = new Dictionary<IReadOnlyList<Reason>, int>(ReferenceEqualityComparer.Instance);
        var listByContent = new Dictionary<string, int>(StringComparer.Ordinal);
        int ListOf(IReadOnlyList<Reason> list)
        {
            if (listIndex.TryGetValue(list, out var index))
            {
                return index;
            }
            var refs = new int[list.Count];
            for (var i = 0; i < refs.Length; i++)
            {
                refs[i] = reasons.IndexOf(list[i]);
            }
            // Lists equal in content but not shared (built per item) are stored once too.
            var content = string.Join(',', refs);
            if (!listByContent.TryGetValue(content, out index))
            {
                index = listByContent[content] = reasonLists.Count;
                reasonLists.Add(refs);
            }
            return listIndex[list] = index;
        }

        var candidates = new List<CompactCandidate>(d.Request.Candidates.Count);
        foreach (var c in d.Request.Candidates)
        {
            candidates.Add(new CompactCandidate(c.Id, categories.IndexOf(c.Category), c.Score, c.Price, c.Tags));
        }
        var items = new List<CompactItem>(d.Result.Items.Count);
        foreach (var i in d.Result.Items)
        {
            items.Add(new CompactItem(i.Id, i.Rank, i.Score, i.BaseScore, ListOf(i.Reasons)));
        }
        var suppressed = new List<CompactSuppressed>(d.Result.Suppressed.Count);
        foreach (var s in d.Result.Suppressed)
        {
            suppressed.Add(new CompactSuppressed(s.Id, ListOf(s.Reasons)));
        }
        var beliefs = new List<CompactBelief>(d.Beliefs.Count);
        foreach (var b in d.Beliefs)
        {
            beliefs.Add(new CompactBelief(b.Id, keys.IndexOf(b.Key), b.Statement, b.Confidence, b.Evidence, b.Status, b.Source));
        }
        var driverLists = new List<double[]>();
        var driverIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var drivers = new Dictionary<string, int>(d.Drivers.Count, StringComparer.Ordinal);
        foreach (var (item, list) in d.Drivers)
        {
            // A driver list is stored flat as [key, effect, key, effect, ...]: keys are small indexes.
            var flat = new double[list.Length * 2];
            for (var i = 0; i < list.Length; i++)
            {
                flat[2 * i] = keys.IndexOf(list[i].Key);
                flat[2 * i + 1] = list[i].Effect;
            }
            var content = string.Join(',', flat.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
            if (!driverIndex.TryGetValue(content, out var index))
            {
                index = driverIndex[content] = driverLists.Count;
                driverLists.Add(flat);
            }
            drivers[item] = index;
        }
        var reasonDocs = new List<CompactReason>(reasons.Items.Count);
        foreach (var r in reasons.Items)
        {
            reasonDocs.Add(new CompactReason(r.BeliefId, r.Statement, r.Effect, r.Key is { } key ? keys.IndexOf(key) : null));
        }
        return new CompactDocument(
            CurrentVersion,
            d.Id,
            new CompactRequest(d.Request.AsOf, d.Request.Context, d.Request.OptimizeFor, d.Request.Limit, d.Request.Seed, categories.Items, candidates),
            items,
            suppressed,
            beliefs,
            reasonDocs,
            reasonLists,
            [.. keys.Items.Select(k => new CompactKey(k.Kind, k.Subject))],
            driverLists,
            drivers);
    }

    private static Decision Expand(CompactDocument d)
    {
        var keys = d.Keys.Select(k => new BeliefKey(k.Kind, k.Subject)).ToArray();
        var reasons = d.Reasons.Select(r => new Reason(r.Belief, r.Text, r.Effect) { Key = r.Key is { } key ? keys[key] : null }).ToArray();
        // Shared lists come back shared, as the engine made them.
        var lists = d.ReasonLists.Select(refs => (IReadOnlyList<Reason>)[.. refs.Select(i => reasons[i])]).ToArray();
        var driverLists = d.DriverLists.Select(flat =>
        {
            var list = new Driver[flat.Length / 2];
            for (var i = 0; i < list.Length; i++)
            {
                list[i] = new Driver(keys[(int)flat[2 * i]], flat[2 * i + 1]);
            }
            return list;
        }).ToArray();
        return new Decision(
            d.Id,
            new RerankRequest(
                [.. d.Request.Candidates.Select(c => new Candidate(c.Id, d.Request.Categories[c.Category], c.Score, c.Price, c.Tags))],
                d.Request.AsOf,
                d.Request.Context,
                d.Request.OptimizeFor,
                d.Request.Limit,
                d.Request.Seed),
            new RerankResult(
                [.. d.Items.Select(i => new RankedItem(i.Id, i.Rank, i.Score, i.Base, lists[i.Reasons]))],
                [.. d.Suppressed.Select(s => new SuppressedItem(s.Id, lists[s.Reasons]))],
                d.Id),
            [.. d.Beliefs.Select(b => new BeliefRecord(b.Id, keys[b.Key], b.Statement, b.Confidence, b.Evidence, b.Status, b.Source))],
            d.Drivers.ToDictionary(p => p.Key, p => driverLists[p.Value], StringComparer.Ordinal));
    }

    private sealed class Indexer<T>(IEqualityComparer<T> comparer)
        where T : notnull
    {
        private readonly Dictionary<T, int> _index = new(comparer);

        public List<T> Items { get; } = [];

        public int IndexOf(T value)
        {
            if (!_index.TryGetValue(value, out var index))
            {
                index = _index[value] = Items.Count;
                Items.Add(value);
            }
            return index;
        }
    }

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
        GenerationMode = JsonSourceGenerationMode.Serialization,
        UseStringEnumConverter = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(CompactDocument))]
    private sealed partial class DecisionJson : JsonSerializerContext;

    // Version 2. Field names are short because every rerank writes one; indexes refer to the
    // document's own tables (Categories, Reasons, ReasonLists, Keys, DriverLists).
    private sealed record CompactDocument(
        [property: JsonPropertyName("v")] int Version,
        string Id,
        [property: JsonPropertyName("req")] CompactRequest Request,
        List<CompactItem> Items,
        [property: JsonPropertyName("sup")] List<CompactSuppressed> Suppressed,
        List<CompactBelief> Beliefs,
        List<CompactReason> Reasons,
        [property: JsonPropertyName("lists")] List<int[]> ReasonLists,
        List<CompactKey> Keys,
        [property: JsonPropertyName("dlists")] List<double[]> DriverLists,
        Dictionary<string, int> Drivers);

    private sealed record CompactRequest(
        DateTimeOffset AsOf,
        string Context,
        string OptimizeFor,
        int? Limit,
        string Seed,
        [property: JsonPropertyName("cats")] List<string> Categories,
        [property: JsonPropertyName("c")] List<CompactCandidate> Candidates);

    private sealed record CompactCandidate(
        [property: JsonPropertyName("i")] string Id,
        [property: JsonPropertyName("c")] int Category,
        [property: JsonPropertyName("s")] double? Score,
        [property: JsonPropertyName("p")] double? Price,
        [property: JsonPropertyName("t")] IReadOnlyList<string>? Tags);

    private sealed record CompactItem(
        [property: JsonPropertyName("i")] string Id,
        [property: JsonPropertyName("r")] int Rank,
        [property: JsonPropertyName("s")] double Score,
        [property: JsonPropertyName("b")] double Base,
        [property: JsonPropertyName("l")] int Reasons);

    private sealed record CompactSuppressed(
        [property: JsonPropertyName("i")] string Id,
        [property: JsonPropertyName("l")] int Reasons);

    private sealed record CompactReason(
        [property: JsonPropertyName("b")] string Belief,
        [property: JsonPropertyName("t")] string Text,
        [property: JsonPropertyName("e")] double Effect,
        [property: JsonPropertyName("k")] int? Key);

    private sealed record CompactKey(
        [property: JsonPropertyName("k")] BeliefKind Kind,
        [property: JsonPropertyName("s")] string Subject);

    private sealed record CompactBelief(
        string Id,
        [property: JsonPropertyName("k")] int Key,
        [property: JsonPropertyName("t")] string Statement,
        [property: JsonPropertyName("c")] double Confidence,
        [property: JsonPropertyName("e")] double Evidence,
        [property: JsonPropertyName("st")] BeliefStatus Status,
        [property: JsonPropertyName("src")] BeliefSource Source);

    // Version 1, read for rows stored before version 2 (and written only by tests).
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
