namespace Clarity.Engine.Beliefs;

/// <summary>
/// Subjects of item-level beliefs: "item:&lt;id&gt;". The prefix keeps an item id from ever meeting a
/// category path of the same name in one belief key.
/// </summary>
public static class ItemSubjects
{
    public const string Prefix = "item:";

    public static string Of(string itemId) => Prefix + itemId;

    /// <summary>The item id of an item subject, or null for a category subject.</summary>
    public static string? ItemId(string subject) =>
        subject.StartsWith(Prefix, StringComparison.Ordinal) ? subject[Prefix.Length..] : null;

    /// <summary>The item-level replenishment ("re-buys this item") key of an item.</summary>
    public static BeliefKey Replenishment(string itemId) => new(BeliefKind.Replenishment, Of(itemId));
}
