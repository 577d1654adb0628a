namespace Clarity.Gateway.Tests.Infrastructure;

/// <summary>Request bodies in API.md's wire shape, as a client would write them.</summary>
public static class Signals
{
    public static object Signal(string id, string userId, string type, string category, DateTimeOffset at, double? value = null, string? itemId = null) => new
    {
        id,
        userId,
        type,
        occurredAt = at,
        item = new { id = itemId ?? "sku-" + id, category, price = 39.0, tags = new[] { "replacement" } },
        value,
        context = new { sessionId = "s-1", decisionId = (string?)null, gift = false },
    };

    public static object Batch(params object[] signals) => new { signals };

    /// <summary>A user who bought knives twice and put a pan in the cart: they like kitchen things.</summary>
    public static object KitchenLover(string userId, DateTimeOffset start) => Batch(
        Signal("evt-1", userId, "purchase", "home/kitchen/knives", start.AddDays(-3)),
        Signal("evt-2", userId, "purchase", "home/kitchen/knives", start.AddDays(-2)),
        Signal("evt-3", userId, "add_to_cart", "home/kitchen/pans", start.AddDays(-1)));

    public static object Candidates(params (string Id, string Category, double Score)[] candidates) => new
    {
        candidates = candidates.Select(c => new { id = c.Id, score = c.Score, category = c.Category, price = 10.0, tags = Array.Empty<string>() }),
        context = "browse",
        optimizeFor = "relevance",
    };

    public static readonly object KitchenCandidates = Candidates(
        ("seat-1", "home/bathroom/toilet-seats", 0.9),
        ("book-1", "books/fiction", 0.8),
        ("knife-1", "home/kitchen/knives", 0.7),
        ("book-2", "books/poetry", 0.4));
}
