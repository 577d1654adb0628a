using System.Text.Json;

namespace Clarity.Engine.Interpretation;

/// <summary>
/// The interpreters' memory as a versioned document the engine owns: hosts store it as an opaque
/// string next to the beliefs, so it can evolve with the engine without changing the host's stored
/// contract. An unreadable or older-version document is dropped: the beliefs stay exact, only the
/// context for interpreting the next signals (recent views, streaks, usual prices) starts afresh.
/// </summary>
/// <remarks>
/// <see cref="Export"/> folds the reorder window into the document: after a restore, a signal older
/// than the latest one applied before it is beyond the reorder boundary (see <see cref="SelfModel"/>).
/// <see cref="ExportFolded"/> plus the stored window keeps the boundary where it was, so a snapshot
/// does not change how a late signal is read.
/// </remarks>
public static class Memory
{
    /// <summary>The document version this engine writes and reads.</summary>
    public const int Version = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Export(SelfModel model) => model.Window.Count > 0
        ? ExportDocument(model.Current.History, model.Window.Key(model.Window.Count - 1))
        : ExportDocument(model.Current.History, model.FoldedThrough);

    /// <summary>
    /// The memory of the folded state only (what the signals that left the reorder window built),
    /// for a snapshot that also stores <see cref="SelfModel.WindowSignals"/>: imported, then
    /// <see cref="BeliefEngine.RestoreWindow"/>, it gives back the model with its window intact.
    /// </summary>
    public static string ExportFolded(SelfModel model) => ExportDocument(model.Folded.History, model.FoldedThrough);

    private static string ExportDocument(History history, (long UtcTicks, string Id)? boundary)
    {
        var document = new MemoryDocument(
            Version,
            history.Engagement,
            history.LastPurchaseCategory,
            history.LastPurchaseItem,
            history.LastPurchaseTicks,
            [.. history.Stats.Select(s => s.ToDocument())],
            [.. history.RepeatEntries()],
            boundary?.UtcTicks,
            boundary?.Id,
            [.. history.Items.Select(s => s.ToDocument())]);
        return JsonSerializer.Serialize(document, Json);
    }

    /// <summary>Restores the memory into a model whose beliefs were just restored. Returns false when the document was dropped.</summary>
    public static bool Import(SelfModel model, string? text, int repeatBound)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        MemoryDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<MemoryDocument>(text, Json);
        }
        catch (JsonException)
        {
            return false;
        }
        if (document is null || document.Version != Version)
        {
            return false;
        }
        var history = new History
        {
            Engagement = document.Engagement,
            LastPurchaseCategory = document.LastPurchaseCategory,
            LastPurchaseItem = document.LastPurchaseItem,
            LastPurchaseTicks = document.LastPurchaseTicks,
        };
        history.Reserve(document.Stats.Count, document.Items?.Count ?? 0);
        foreach (var stats in document.Stats)
        {
            history.Restore(CategoryStats.FromDocument(stats));
        }
        // Absent in documents written before item-level repeat purchase: those items start afresh.
        foreach (var stats in document.Items ?? [])
        {
            history.RestoreItem(ItemStats.FromDocument(stats));
        }
        foreach (var entry in document.Repeats)
        {
            if (entry is [var key, var count])
            {
                history.RestoreRepeat(key, (int)count, repeatBound);
            }
        }
        model.Current.History = history;
        model.Folded.History = history.Share();
        model.Window.Clear();
        model.FoldedThrough = document.BoundaryTicks is { } ticks && document.BoundaryId is { } id ? (ticks, id) : null;
        return true;
    }
}

internal sealed record MemoryDocument(
    int Version,
    int Engagement,
    string? LastPurchaseCategory,
    string? LastPurchaseItem,
    long LastPurchaseTicks,
    List<StatsDocument> Stats,
    List<long[]> Repeats,
    long? BoundaryTicks,
    string? BoundaryId,
    List<StatsDocument>? Items = null);

internal sealed record StatsDocument(
    string Path,
    long Touched,
    long[]? Views,
    int ViewCount,
    long LastPurchase,
    int PurchaseCount,
    double MeanInterval,
    int IntervalCount,
    int ConsumeCount,
    double PriceLogSum,
    int PriceCount,
    int Engagement,
    Dictionary<string, long>? Research,
    string? StreakGenre,
    int StreakLength,
    int GenreItems,
    int GenreSwitches);
