namespace Clarity.Engine.Beliefs;

/// <summary>The kinds of proposition Clarity holds about a user.</summary>
public enum BeliefKind
{
    /// <summary>The user likes (or, when flipped, is not interested in) a category.</summary>
    Affinity,

    /// <summary>The user just bought a durable item and is not in the market for another.</summary>
    Satiation,

    /// <summary>The user re-buys an item or category at a regular interval.</summary>
    Replenishment,

    /// <summary>The user views many items before buying in a category.</summary>
    Researcher,

    /// <summary>The user buys at one price tier (budget / mid / premium) in a top-level category.</summary>
    PriceTier,

    /// <summary>The user alternates genres and is on a streak: likely ready for a change.</summary>
    Variety,
}

/// <summary>Where a belief comes from.</summary>
public enum BeliefSource
{
    Inferred,
    Stated,
    Corrected,
}

/// <summary>Whether a belief currently counts.</summary>
public enum BeliefStatus
{
    Active,
    Dormant,
}

/// <summary>Stable names used on the wire and in storage.</summary>
public static class BeliefNames
{
    public static string Wire(this BeliefKind kind) => kind switch
    {
        BeliefKind.Affinity => "affinity",
        BeliefKind.Satiation => "satiation",
        BeliefKind.Replenishment => "replenishment",
        BeliefKind.Researcher => "researcher",
        BeliefKind.PriceTier => "price-tier",
        BeliefKind.Variety => "variety",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Wire(this BeliefSource source) => source switch
    {
        BeliefSource.Inferred => "inferred",
        BeliefSource.Stated => "stated",
        BeliefSource.Corrected => "corrected",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    public static string Wire(this BeliefStatus status) => status == BeliefStatus.Active ? "active" : "dormant";
}

/// <summary>The identity of a belief within one user's self-model.</summary>
/// <remarks>
/// The hash code is computed once, at construction: beliefs are looked up by key on every signal and
/// every rerank, and the subject's hash was most of that cost. Equality is by kind and subject.
/// </remarks>
public readonly record struct BeliefKey
{
    private readonly int _hash;

    public BeliefKey(BeliefKind kind, string subject)
    {
        Kind = kind;
        Subject = subject;
        _hash = HashCode.Combine((int)kind, subject is null ? 0 : StringComparer.Ordinal.GetHashCode(subject));
    }

    public BeliefKind Kind { get; }

    public string Subject { get; }

    public void Deconstruct(out BeliefKind kind, out string subject)
    {
        kind = Kind;
        subject = Subject;
    }

    public bool Equals(BeliefKey other) =>
        _hash == other._hash && Kind == other.Kind && string.Equals(Subject, other.Subject, StringComparison.Ordinal);

    public override int GetHashCode() => _hash;

    /// <summary>
    /// A stable id derived from kind and subject, so replays and reactivations give the same id and
    /// an id never reveals anything a caller could not already see.
    /// </summary>
    /// <remarks>
    /// Computed once per key per process and shared: every user with a belief about the same
    /// category holds the same string (a self-model's ids were about a tenth of its memory).
    /// </remarks>
    public string Id()
    {
        if (IdCache.TryGetValue(this, out var id))
        {
            return id;
        }
        var text = $"{Kind.Wire()}|{Subject}";
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text), hash);
        id = "b-" + Convert.ToHexStringLower(hash[..8]);
        // Bounded like the category index: keys are a tenant's categories times six kinds, thousands;
        // beyond the bound (a hostile client inventing categories) ids are computed per call.
        return IdCache.Count < MaxCachedIds ? IdCache.GetOrAdd(this, id) : id;
    }

    private const int MaxCachedIds = 200_000;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<BeliefKey, string> IdCache = new();
}
