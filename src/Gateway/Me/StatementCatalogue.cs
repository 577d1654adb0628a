using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Grains.Interfaces;

namespace Clarity.Gateway.Me;

/// <summary>A statement a user can select ("Select your beliefs") and the belief their answer sets.</summary>
public sealed record CatalogueStatement(string Id, string Text, BeliefKind Kind, string Subject)
{
    public string BeliefId => new BeliefKey(Kind, Subject).Id();
}

/// <summary>
/// Each tenant's elicitation catalogue: <c>Clarity:Tenants:{tenantId}:Statements</c> (a list of
/// <c>Id</c>, <c>Text</c>, <c>Kind</c>, <c>Subject</c>) replaces the default, which names broad
/// top-level categories so that it works for a tenant that configured nothing.
/// </summary>
public sealed class StatementCatalogues
{
    public const int MaxTextLength = 200;
    public const int MaxStatements = 200;

    /// <summary>Broad interests most retail and media catalogues have; a tenant replaces these with its own tree.</summary>
    public static readonly IReadOnlyList<CatalogueStatement> Default =
    [
        new("st-cooking", "I enjoy cooking", BeliefKind.Affinity, "home/kitchen"),
        new("st-books", "I read books for pleasure", BeliefKind.Affinity, "books"),
        new("st-electronics", "I like to have the latest gadgets", BeliefKind.Affinity, "electronics"),
        new("st-garden", "I look after a garden", BeliefKind.Affinity, "garden"),
        new("st-sports", "I do sports or work out", BeliefKind.Affinity, "sports"),
        new("st-fashion", "I keep up with fashion", BeliefKind.Affinity, "fashion"),
        new("st-toys", "I buy toys for children", BeliefKind.Affinity, "toys"),
        new("st-beauty", "I buy beauty and personal care products", BeliefKind.Affinity, "beauty"),
        new("st-movies", "I watch films at home", BeliefKind.Affinity, "movies"),
        new("st-music", "Music is a big part of my life", BeliefKind.Affinity, "music"),
        new("st-pets", "I have pets", BeliefKind.Affinity, "pets"),
        new("st-diy", "I do DIY and home improvement", BeliefKind.Affinity, "home/diy"),
    ];

    private readonly Dictionary<string, IReadOnlyList<CatalogueStatement>> _byTenant;

    public StatementCatalogues(Dictionary<string, IReadOnlyList<CatalogueStatement>> byTenant) => _byTenant = byTenant;

    public IReadOnlyList<CatalogueStatement> For(string tenantId) =>
        _byTenant.TryGetValue(tenantId, out var statements) ? statements : Default;

    /// <summary>Reads every tenant's catalogue; problems are reported with the key to fix.</summary>
    public static StatementCatalogues FromConfiguration(IConfiguration configuration, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var byTenant = new Dictionary<string, IReadOnlyList<CatalogueStatement>>(StringComparer.Ordinal);
        foreach (var tenant in configuration.GetSection("Clarity:Tenants").GetChildren())
        {
            var section = tenant.GetSection("Statements");
            if (!section.Exists())
            {
                continue;
            }
            var statements = new List<CatalogueStatement>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in section.GetChildren())
            {
                var key = entry.Path;
                var id = entry["Id"];
                var text = entry["Text"];
                var kind = entry["Kind"] ?? "affinity";
                var subject = entry["Subject"];
                var before = problems.Count;
                if (InputRules.CheckId(id, "statement id") is { } idError)
                {
                    problems.Add($"{key}:Id: {idError}");
                }
                else if (!ids.Add(id!))
                {
                    problems.Add($"{key}:Id: the statement id '{id}' appears more than once.");
                }
                if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength || text.Any(char.IsControl))
                {
                    problems.Add($"{key}:Text: a statement's text is 1..{MaxTextLength} characters without control characters.");
                }
                if (!CorrectionNames.TryParseKind(kind, out var parsed))
                {
                    problems.Add($"{key}:Kind: must be one of {string.Join(", ", CorrectionNames.Kinds.Select(k => k.Wire()))} (got '{kind}').");
                }
                if (InputRules.CheckCategory(subject?.Split('@')[^1]) is { } subjectError)
                {
                    problems.Add($"{key}:Subject: {subjectError}");
                }
                if (problems.Count == before)
                {
                    statements.Add(new CatalogueStatement(id!, text!.Trim(), parsed, subject!));
                }
            }
            if (statements.Count == 0 && problems.Count == 0)
            {
                problems.Add($"{section.Path} must list at least one statement (or be removed to use the default catalogue).");
            }
            if (statements.Count > MaxStatements)
            {
                problems.Add($"{section.Path} may list at most {MaxStatements} statements (got {statements.Count}).");
            }
            byTenant[tenant.Key] = statements;
        }
        errors = problems;
        return new StatementCatalogues(byTenant);
    }
}
