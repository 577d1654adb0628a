using Clarity.Grains.Interfaces;

namespace Clarity.Gateway.Model;

/// <summary>Request limits (configuration section <c>Clarity:Limits</c>); defaults are API.md's.</summary>
public sealed class GatewayLimits
{
    public const string Section = "Clarity:Limits";

    /// <summary>Largest request body in bytes; larger gets 413. Default 1 MiB.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most signals in one ingest request. Default 1,000.</summary>
    public int MaxSignalsPerRequest { get; set; } = 1000;

    /// <summary>Most candidates in one rerank request. Default 1,000.</summary>
    public int MaxCandidatesPerRequest { get; set; } = 1000;

    /// <summary>Longest identifier (user, signal, item, candidate, tag, category segment...). Default 128.</summary>
    public int MaxIdLength { get; set; } = InputRules.MaxIdLength;

    /// <summary>Most tags on one item or candidate. Default 32.</summary>
    public int MaxTags { get; set; } = InputRules.MaxTags;

    /// <summary>Most segments in one category path. Default 8.</summary>
    public int MaxCategorySegments { get; set; } = InputRules.MaxCategorySegments;

    public string? CheckId(string? value, string what) => InputRules.CheckId(value, what, MaxIdLength);

    public string? CheckCategory(string? value) => InputRules.CheckCategory(value, MaxCategorySegments, MaxIdLength);

    public string? CheckTags(IReadOnlyList<string?>? tags) => InputRules.CheckTags(tags, MaxTags, MaxIdLength);

    public IEnumerable<(string Field, string Message)> CheckSignal(SignalData signal) =>
        InputRules.CheckSignal(signal, MaxIdLength, MaxTags, MaxCategorySegments);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        // The grains hold every caller (internal services too) to API.md's defaults, so a larger
        // value here would let requests past the gateway only to be refused by the grain.
        const string OnlyTighter = "a configured value may only tighten API.md's default, never loosen it, because the grains enforce the default for internal callers";
        if (MaxIdLength is < 1 or > InputRules.MaxIdLength)
        {
            errors.Add($"{Section}:MaxIdLength must be between 1 and {InputRules.MaxIdLength} (got {MaxIdLength}): {OnlyTighter}.");
        }
        if (MaxTags is < 0 or > InputRules.MaxTags)
        {
            errors.Add($"{Section}:MaxTags must be between 0 and {InputRules.MaxTags} (got {MaxTags}): {OnlyTighter}.");
        }
        if (MaxCategorySegments is < 1 or > InputRules.MaxCategorySegments)
        {
            errors.Add($"{Section}:MaxCategorySegments must be between 1 and {InputRules.MaxCategorySegments} (got {MaxCategorySegments}): {OnlyTighter}.");
        }
        if (MaxBodyBytes is < 1024 or > 256L * 1024 * 1024)
        {
            errors.Add($"{Section}:MaxBodyBytes must be between 1024 and 268435456 (got {MaxBodyBytes}).");
        }
        if (MaxSignalsPerRequest is < 1 or > 100_000)
        {
            errors.Add($"{Section}:MaxSignalsPerRequest must be between 1 and 100000 (got {MaxSignalsPerRequest}).");
        }
        if (MaxCandidatesPerRequest is < 1 or > 100_000)
        {
            errors.Add($"{Section}:MaxCandidatesPerRequest must be between 1 and 100000 (got {MaxCandidatesPerRequest}).");
        }
        return errors;
    }
}
