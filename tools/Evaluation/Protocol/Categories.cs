using System.Text;

namespace Clarity.Evaluation.Protocol;

/// <summary>
/// Derives a two-level category path for a product of a log that has none: the product type
/// (the last word of the description that names a thing, singular: "WHITE HANGING HEART T-LIGHT
/// HOLDER" is a "holder") and the product family (the five-digit stem of the stock code, which
/// groups the colour and size variants A, B, C... of one design). "holder/85123" is the path of
/// 85123A. Items without a usable description fall back to "other/family".
/// </summary>
public static class Categories
{
    // Words that qualify rather than name a product: colours, sizes, patterns, counts.
    private static readonly HashSet<string> Qualifiers = new(StringComparer.Ordinal)
    {
        "pink", "red", "blue", "green", "black", "white", "cream", "ivory", "gold", "silver", "purple", "yellow",
        "orange", "brown", "grey", "gray", "natural", "clear", "multi", "colour", "colours", "small", "large",
        "medium", "mini", "jumbo", "big", "design", "designs", "assorted", "set", "sets", "of", "retrospot",
        "polkadot", "spot", "spots", "vintage", "paisley", "floral", "flower", "heart", "hearts", "star", "stars",
        "christmas", "london", "check", "damaged", "new", "and", "with", "in", "the", "a", "wrong", "lights",
    };

    public static string Path(string code, string description)
    {
        var family = Family(code);
        return $"{ProductType(description)}/{family}";
    }

    /// <summary>The stock code's leading digits (at most five), lower case; the whole code when it has none.</summary>
    public static string Family(string code)
    {
        var digits = 0;
        while (digits < code.Length && digits < 5 && char.IsAsciiDigit(code[digits]))
        {
            digits++;
        }
        return digits == 0 ? code.ToLowerInvariant() : code[..digits];
    }

    public static string ProductType(string description)
    {
        var words = Words(description);
        for (var i = words.Count - 1; i >= 0; i--)
        {
            if (!Qualifiers.Contains(words[i]) && words[i].Length > 1)
            {
                return Singular(words[i]);
            }
        }
        return words.Count > 0 ? Singular(words[^1]) : "other";
    }

    private static List<string> Words(string description)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in description)
        {
            if (char.IsAsciiLetter(ch) || ch == '-')
            {
                current.Append(char.ToLowerInvariant(ch));
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString().Trim('-'));
                current.Clear();
            }
        }
        if (current.Length > 0)
        {
            words.Add(current.ToString().Trim('-'));
        }
        words.RemoveAll(w => w.Length == 0);
        return words;
    }

    private static string Singular(string word) =>
        word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1] : word;
}
