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
/// <remarks>
/// Written as version 3: the same content as version 1 with every repeated part stored once and
/// referred to by its index (categories, reasons, the reason lists the engine shares among the
/// items of a category and tier, belief keys, driver lists), candidates and ranked items as columns
/// (an item is its candidate's index) and short field names. A rerank of 100 candidates repeats
/// the same few reasons and categories on most items, so this is about half of version 1. Versions
/// 1 and 2 are still read (rows stored before).
/// </remarks>
public static partial class DecisionPayload
{
    private const int CurrentVersion = 3;

    // Version 2 (on main briefly before version 3) has the same tables with candidates and items
    // as objects; the same document type reads both.
    private const int ObjectRowsVersion = 2;

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

    /// <summary>A decision in the version 1 format (rows stored before version 2), for tests that old rows still read and that nothing is lost.</summary>
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
            ObjectRowsVersion or CurrentVersion => Expand(root.Deserialize<CompactDocument>(Json) ?? throw new InvalidDataException("A stored decision is empty.")),
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
        var listByContent = new Dictionary<int[], int>(SequenceComparer<int>.Instance);
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
            if (!listByContent.TryGetValue(refs, out index))
            {
                index = listByContent[refs] = reasonLists.Count;
                reasonLists.Add(refs);
            }
            return listIndex[list] = index;
        }

        // Candidates and items as columns: a rerank of 100 repeats the same few field names 150
        // times as objects. An item is referred to by its candidate's index.
        var count = d.Request.Candidates.Count;
        var ids = new string[count];
        var cats = new int[count];
        var scores = new double?[count];
        var prices = new double?[count];
        var tags = new IReadOnlyList<string>?[count];
        var candidateIndex = new Dictionary<string, int>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var c = d.Request.Candidates[i];
            ids[i] = c.Id;
            cats[i] = categories.IndexOf(c.Category);
            scores[i] = c.Score;
            prices[i] = c.Price;
            tags[i] = c.Tags;
            candidateIndex.TryAdd(c.Id, i);
        }
        var itemCount = d.Result.Items.Count;
        var order = new int[itemCount];
        var itemIds = new string[itemCount];
        var ranks = new int[itemCount];
        var itemScores = new double[itemCount];
        var baseScores = new double[itemCount];
        var itemLists = new int[itemCount];
        var allCandidates = true;
        var sequentialRanks = true;
        for (var i = 0; i < itemCount; i++)
        {
            var item = d.Result.Items[i];
            allCandidates &= candidateIndex.TryGetValue(item.Id, out order[i]);
            itemIds[i] = item.Id;
            ranks[i] = item.Rank;
            sequentialRanks &= item.Rank == i + 1;
            itemScores[i] = item.Score;
            baseScores[i] = item.BaseScore;
            itemLists[i] = ListOf(item.Reasons);
        }
        var columns = new CompactItems(
            allCandidates ? order : null,
            allCandidates ? null : itemIds,
            sequentialRanks ? null : ranks,
            itemScores,
            baseScores,
            itemLists);
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
        var driverIndex = new Dictionary<Driver[], int>(SequenceComparer<Driver>.Instance);
        var drivers = new Dictionary<string, int>(d.Drivers.Count, StringComparer.Ordinal);
        foreach (var (item, list) in d.Drivers)
        {
            if (!driverIndex.TryGetValue(list, out var index))
            {
                // Stored flat as [key, effect, key, effect, ...]: keys are small indexes.
                var flat = new double[list.Length * 2];
                for (var i = 0; i < list.Length; i++)
                {
                    flat[2 * i] = keys.IndexOf(list[i].Key);
                    flat[2 * i + 1] = list[i].Effect;
                }
                index = driverIndex[list] = driverLists.Count;
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
            new CompactRequest(
                d.Request.AsOf, d.Request.Context, d.Request.OptimizeFor, d.Request.Limit, d.Request.Seed, categories.Items,
                Candidates: null,
                ids,
                cats,
                Array.TrueForAll(scores, x => x is null) ? null : scores,
                Array.TrueForAll(prices, x => x is null) ? null : prices,
                Array.TrueForAll(tags, x => x is null) ? null : tags),
            Items: null,
            columns,
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
        var r = d.Request;
        var candidates = r.Candidates is { } rows
            ? rows.Select(c => new Candidate(c.Id, r.Categories[c.Category], c.Score, c.Price, c.Tags)).ToArray()
            : r.Ids!.Select((id, i) => new Candidate(id, r.Categories[r.CategoryColumn![i]], r.Scores?[i], r.Prices?[i], r.Tags?[i])).ToArray();
        var items = d.Items is { } itemRows
            ? itemRows.Select(i => new RankedItem(i.Id, i.Rank, i.Score, i.Base, lists[i.Reasons])).ToArray()
            : Items(d.ItemColumns!, candidates, lists);
        return new Decision(
            d.Id,
            new RerankRequest(candidates, r.AsOf, r.Context, r.OptimizeFor, r.Limit, r.Seed),
            new RerankResult(
                items,
                [.. d.Suppressed.Select(s => new SuppressedItem(s.Id, lists[s.Reasons]))],
                d.Id),
            [.. d.Beliefs.Select(b => new BeliefRecord(b.Id, keys[b.Key], b.Statement, b.Confidence, b.Evidence, b.Status, b.Source))],
            d.Drivers.ToDictionary(p => p.Key, p => driverLists[p.Value], StringComparer.Ordinal));
    }

    private static RankedItem[] Items(CompactItems c, Candidate[] candidates, IReadOnlyList<Reason>[] lists)
    {
        var items = new RankedItem[c.Scores.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var id = c.Order is { } order ? candidates[order[i]].Id : c.Ids![i];
            items[i] = new RankedItem(id, c.Ranks?[i] ?? i + 1, c.Scores[i], c.BaseScores[i], lists[c.Reasons[i]]);
        }
        return items;
    }

    private sealed class SequenceComparer<T> : IEqualityComparer<T[]>
    {
        public static readonly SequenceComparer<T> Instance = new();

        public bool Equals(T[]? x, T[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(T[] obj)
        {
            var hash = new HashCode();
            foreach (var item in obj)
            {
                hash.Add(item);
            }
            return hash.ToHashCode();
        }
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

    // Versions 2 and 3. Field names are short because every rerank writes one; indexes refer to the
    // document's own tables (Categories, Reasons, ReasonLists, Keys, DriverLists).
    private sealed record CompactDocument(
        [property: JsonPropertyName("v")] int Version,
        string Id,
        [property: JsonPropertyName("req")] CompactRequest Request,
        List<CompactItem>? Items,
        [property: JsonPropertyName("ranked")] CompactItems? ItemColumns,
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
        [property: JsonPropertyName("c")] List<CompactCandidate>? Candidates,
        [property: JsonPropertyName("ids")] string[]? Ids,
        [property: JsonPropertyName("cc")] int[]? CategoryColumn,
        [property: JsonPropertyName("cs")] double?[]? Scores,
        [property: JsonPropertyName("cp")] double?[]? Prices,
        [property: JsonPropertyName("ct")] IReadOnlyList<string>?[]? Tags);

    // Version 3's ranked items, in rank order: each is its candidate's index (or its id, when an
    // item is not among the candidates), with ranks stored only when they are not 1, 2, 3...
    private sealed record CompactItems(
        [property: JsonPropertyName("c")] int[]? Order,
        [property: JsonPropertyName("ids")] string[]? Ids,
        [property: JsonPropertyName("r")] int[]? Ranks,
        [property: JsonPropertyName("s")] double[] Scores,
        [property: JsonPropertyName("b")] double[] BaseScores,
        [property: JsonPropertyName("l")] int[] Reasons);

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
