using System.Collections.Concurrent;

namespace Clarity.Engine.Beliefs;

/// <summary>Renders a belief as a sentence a user can read. Pure text; callers escape for their medium.</summary>
public static class Statements
{
    // Both readings of every statement, rendered once per key per process and shared: the text
    // depends only on the key and the truth value, reads and reranks ask for it on every request, and
    // one copy per user was about a tenth of a self-model's memory. Bounded like the category index.
    private const int MaxCached = 200_000;
    private static readonly ConcurrentDictionary<BeliefKey, string> Holding = new();
    private static readonly ConcurrentDictionary<BeliefKey, string> NotHolding = new();

    /// <summary>The same text as <see cref="Render"/>, rendered once per key and reused.</summary>
    public static string Cached(BeliefKey key, bool holds)
    {
        var cache = holds ? Holding : NotHolding;
        if (cache.TryGetValue(key, out var text))
        {
            return text;
        }
        text = Render(key, holds);
        return cache.Count < MaxCached ? cache.GetOrAdd(key, text) : text;
    }

    public static string Render(BeliefKey key, bool holds)
    {
        if (ItemSubjects.ItemId(key.Subject) is { } item)
        {
            return key.Kind == BeliefKind.Replenishment
                ? holds ? $"Re-buys item {item}" : $"Does not re-buy item {item}"
                : holds ? $"{key.Kind.Wire()}: item {item}" : $"not {key.Kind.Wire()}: item {item}";
        }
        var what = Readable(key.Subject);
        return key.Kind switch
        {
            BeliefKind.Affinity => holds ? $"Interested in {what}" : $"Not interested in {what}",
            BeliefKind.Satiation => holds
                ? $"Bought a replacement in {what}; not in the market for another"
                : $"Still shopping for {what}",
            BeliefKind.Replenishment => holds ? $"Buys {what} again at a regular interval" : $"Does not re-buy {what} regularly",
            BeliefKind.Researcher => holds ? $"Researches extensively before buying {what}" : $"Buys {what} without much research",
            BeliefKind.PriceTier => holds ? $"Prefers {TierPhrase(key.Subject)}" : $"Does not prefer {TierPhrase(key.Subject)}",
            BeliefKind.Variety => holds ? $"Likely ready for a change from {what}" : $"Happy to keep going with {what}",
            _ => what,
        };
    }

    /// <summary>"home/bathroom/toilet-seats" reads as "toilet seats (home, bathroom)".</summary>
    public static string Readable(string category)
    {
        var segments = category.Split(CategoryPath.Separator);
        var leaf = segments[^1].Replace('-', ' ').Replace('_', ' ');
        return segments.Length == 1 ? leaf : $"{leaf} ({string.Join(", ", segments[..^1])})";
    }

    // A price-tier subject is "<tier>@<category>", e.g. "premium@home".
    private static string TierPhrase(string subject)
    {
        var at = subject.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? subject : $"{subject[..at]} {Readable(subject[(at + 1)..])} products";
    }
}
