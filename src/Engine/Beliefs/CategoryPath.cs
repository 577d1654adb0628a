namespace Clarity.Engine.Beliefs;

/// <summary>Helpers for '/'-separated category paths (most general segment first).</summary>
public static class CategoryPath
{
    public const char Separator = '/';

    /// <summary>The path itself, then each ancestor up to the root: "a/b/c", "a/b", "a".</summary>
    public static IEnumerable<string> SelfAndAncestors(string category)
    {
        var path = category;
        while (true)
        {
            yield return path;
            var cut = path.LastIndexOf(Separator);
            if (cut <= 0)
            {
                yield break;
            }
            path = path[..cut];
        }
    }

    /// <summary>The top-level segment ("home" for "home/kitchen/knives").</summary>
    public static string Root(string category)
    {
        var cut = category.IndexOf(Separator, StringComparison.Ordinal);
        return cut < 0 ? category : category[..cut];
    }

    /// <summary>True when <paramref name="category"/> equals <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsWithin(string category, string ancestor) =>
        category.Length == ancestor.Length
            ? string.Equals(category, ancestor, StringComparison.Ordinal)
            : category.Length > ancestor.Length
              && category[ancestor.Length] == Separator
              && category.StartsWith(ancestor, StringComparison.Ordinal);

    /// <summary>The last segment, for readable statements ("toilet-seats" reads as "toilet seats").</summary>
    public static string Leaf(string category)
    {
        var cut = category.LastIndexOf(Separator);
        return cut < 0 ? category : category[(cut + 1)..];
    }
}
