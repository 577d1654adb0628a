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

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
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
