using System.Globalization;

namespace Clarity.Grains.Interfaces;

/// <summary>
/// The input rules of API.md (Conventions), shared by the HTTP gateway and the grains so that an
/// internal service calling a grain directly is held to the same contract. Each check returns an
/// error message, or null when the value is fine. The limits default to API.md's; the gateway may
/// pass tighter ones from its configuration (never looser: the grains hold internal callers to the
/// defaults).
/// </summary>
public static class InputRules
{
    public const int MaxIdLength = 128;
    public const int MaxCategorySegments = 8;
    public const int MaxTags = 32;

    /// <summary>The signal types of API.md, in wire form.</summary>
    public static readonly IReadOnlyList<string> SignalTypes =
        ["view", "click", "add_to_cart", "purchase", "return", "rating", "consume", "impression", "dismiss"];

    /// <summary>1..<paramref name="maxLength"/> characters of printable Unicode without control characters.</summary>
    public static string? CheckId(string? value, string what = "identifier", int maxLength = MaxIdLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"The {what} is required.";
        }
        if (value.Length > maxLength)
        {
            return $"The {what} must be at most {maxLength} characters (got {value.Length}).";
        }
        return Printable(value) ? null : $"The {what} must be printable text without control characters.";
    }

    /// <summary>A '/'-separated path of 1..<paramref name="maxSegments"/> identifier segments, most general first.</summary>
    public static string? CheckCategory(string? value, int maxSegments = MaxCategorySegments, int maxSegmentLength = MaxIdLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "The category is required.";
        }
        // Walked in place (no Split): every candidate and every signal of a request passes here.
        var count = value.AsSpan().Count('/') + 1;
        if (count > maxSegments)
        {
            return $"The category must have at most {maxSegments} segments (got {count}).";
        }
        foreach (var range in value.AsSpan().Split('/'))
        {
            var segment = value.AsSpan(range);
            if (segment.IsEmpty)
            {
                return "The category must not have empty segments (no leading, trailing or doubled '/').";
            }
            if (segment.Length > maxSegmentLength)
            {
                return $"The category segment must be at most {maxSegmentLength} characters (got {segment.Length}).";
            }
            if (!Printable(segment))
            {
                return "The category segment must be printable text without control characters.";
            }
        }
        return null;
    }

    public static string? CheckSignalType(string? value) =>
        value is not null && SignalTypes.Contains(value)
            ? null
            : $"The type must be one of: {string.Join(", ", SignalTypes)}.";

    public static string? CheckPrice(double? price) =>
        price is null || (double.IsFinite(price.Value) && price.Value >= 0 && price.Value <= 1e12)
            ? null
            : "The price must be a finite number between 0 and 1e12.";

    public static string? CheckScore(double? score) =>
        score is null || (double.IsFinite(score.Value) && Math.Abs(score.Value) <= 1e12)
            ? null
            : "The score must be a finite number between -1e12 and 1e12.";

    /// <summary>rating: 1..5; consume: 0..1; other types take no value.</summary>
    public static string? CheckValue(string? type, double? value)
    {
        if (value is { } v && !double.IsFinite(v))
        {
            return "The value must be a finite number.";
        }
        return type switch
        {
            "rating" when value is not { } r || r < 1 || r > 5 => "A rating needs a value from 1 to 5.",
            "consume" when value is not { } f || f < 0 || f > 1 => "A consume needs a value: the fraction completed, from 0 to 1.",
            "rating" or "consume" => null,
            _ when value is not null => $"A {type} signal takes no value.",
            _ => null,
        };
    }

    public static string? CheckTags(IReadOnlyList<string?>? tags, int maxTags = MaxTags, int maxTagLength = MaxIdLength)
    {
        if (tags is null)
        {
            return null;
        }
        if (tags.Count > maxTags)
        {
            return $"At most {maxTags} tags are allowed (got {tags.Count}).";
        }
        foreach (var tag in tags)
        {
            if (CheckId(tag, "tag", maxTagLength) is { } error)
            {
                return error;
            }
        }
        return null;
    }

    /// <summary>Checks a whole signal; returns (field, message) pairs with fields relative to the signal.</summary>
    /// <remarks>
    /// Every signal passes here twice (gateway and grain), nearly always valid: a valid one is
    /// answered with the shared empty list, and only an invalid one pays for collecting messages.
    /// </remarks>
    public static IEnumerable<(string Field, string Message)> CheckSignal(
        SignalData signal, int maxIdLength = MaxIdLength, int maxTags = MaxTags, int maxCategorySegments = MaxCategorySegments) =>
        IsValid(signal, maxIdLength, maxTags, maxCategorySegments) ? [] : SignalErrors(signal, maxIdLength, maxTags, maxCategorySegments);

    // The same checks as SignalErrors, without messages.
    private static bool IsValid(SignalData signal, int maxIdLength, int maxTags, int maxCategorySegments) =>
        CheckId(signal.Id, "signal id", maxIdLength) is null
        && CheckSignalType(signal.Type) is null
        && CheckValue(signal.Type, signal.Value) is null
        && signal.Item is { } item
        && CheckId(item.Id, "item id", maxIdLength) is null
        && CheckCategory(item.Category, maxCategorySegments, maxIdLength) is null
        && CheckPrice(item.Price) is null
        && CheckTags(item.Tags, maxTags, maxIdLength) is null
        && (signal.Context is not { } context
            || ((context.SessionId is null || CheckId(context.SessionId, "session id", maxIdLength) is null)
                && (context.DecisionId is null || CheckId(context.DecisionId, "decision id", maxIdLength) is null)));

    private static IEnumerable<(string Field, string Message)> SignalErrors(
        SignalData signal, int maxIdLength, int maxTags, int maxCategorySegments)
    {
        if (CheckId(signal.Id, "signal id", maxIdLength) is { } id)
        {
            yield return ("id", id);
        }
        if (CheckSignalType(signal.Type) is { } type)
        {
            yield return ("type", type);
        }
        if (CheckValue(signal.Type, signal.Value) is { } value)
        {
            yield return ("value", value);
        }
        if (signal.Item is null)
        {
            yield return ("item", "The item is required.");
            yield break;
        }
        if (CheckId(signal.Item.Id, "item id", maxIdLength) is { } itemId)
        {
            yield return ("item.id", itemId);
        }
        if (CheckCategory(signal.Item.Category, maxCategorySegments, maxIdLength) is { } category)
        {
            yield return ("item.category", category);
        }
        if (CheckPrice(signal.Item.Price) is { } price)
        {
            yield return ("item.price", price);
        }
        if (CheckTags(signal.Item.Tags, maxTags, maxIdLength) is { } tags)
        {
            yield return ("item.tags", tags);
        }
        if (signal.Context is { } context)
        {
            if (context.SessionId is not null && CheckId(context.SessionId, "session id", maxIdLength) is { } session)
            {
                yield return ("context.sessionId", session);
            }
            if (context.DecisionId is not null && CheckId(context.DecisionId, "decision id", maxIdLength) is { } decision)
            {
                yield return ("context.decisionId", decision);
            }
        }
    }

    private static bool Printable(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }
                i++;
                continue;
            }
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format)
            {
                return false;
            }
        }
        return true;
    }
}
