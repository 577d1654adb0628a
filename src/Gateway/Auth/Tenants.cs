using System.Security.Cryptography;
using System.Text;

namespace Clarity.Gateway.Auth;

/// <summary>
/// The tenants and the SHA-256 hashes of their service keys, from <c>Clarity:Tenants:{tenantId}:ApiKeys</c>.
/// Keys are never held in clear; several per tenant allow rotation without downtime.
/// </summary>
public sealed class TenantDirectory
{
    private readonly (string Tenant, byte[] Hash)[] _keys;
    private readonly byte[][] _operatorKeys;

    public TenantDirectory(IEnumerable<(string Tenant, byte[] Hash)> keys, IEnumerable<byte[]>? operatorKeys = null)
    {
        _keys = [.. keys];
        _operatorKeys = [.. operatorKeys ?? []];
    }

    public IEnumerable<string> TenantIds => _keys.Select(k => k.Tenant).Distinct(StringComparer.Ordinal);

    public bool HasTenant(string tenant) => _keys.Any(k => string.Equals(k.Tenant, tenant, StringComparison.Ordinal));

    /// <summary>Whether any operator key (<c>Clarity:Operators:ApiKeys</c>) matches, in constant time.</summary>
    public bool IsOperatorKey(string presentedKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey), hash);
        var found = false;
        foreach (var expected in _operatorKeys)
        {
            found |= CryptographicOperations.FixedTimeEquals(hash, expected);
        }
        return found;
    }

    /// <summary>
    /// The tenant whose key hashes to the same value, or null. Compares against every key in
    /// constant time so timing reveals neither which tenant nor how much of a hash matched.
    /// </summary>
    public string? FindTenant(string presentedKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey), hash);
        string? found = null;
        foreach (var (tenant, expected) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found ??= tenant;
            }
        }
        return found;
    }

    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// Reads the tenants from configuration. In Development with no tenants configured, the tenant
    /// <c>dev</c> with key <c>dev-key</c> exists (API.md); nowhere else. Operators (dashboard) have
    /// their own keys, <c>Clarity:Operators:ApiKeys</c>, because the dashboard shows every tenant's
    /// grains; in Development with none configured, <c>dev-key</c> is also the operator key.
    /// </summary>
    public static TenantDirectory FromConfiguration(IConfiguration configuration, bool isDevelopment, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var keys = new List<(string, byte[])>();
        foreach (var tenant in configuration.GetSection("Clarity:Tenants").GetChildren())
        {
            if (!IsValidTenantId(tenant.Key))
            {
                problems.Add($"Clarity:Tenants:{tenant.Key}: a tenant id is 1..64 characters of a-z, 0-9, '-' and '_'.");
                continue;
            }
            var hashes = tenant.GetSection("ApiKeys").GetChildren().Select(c => c.Value).ToList();
            if (hashes.Count == 0)
            {
                problems.Add($"Clarity:Tenants:{tenant.Key}:ApiKeys must list at least one SHA-256 hash of a service key.");
            }
            for (var i = 0; i < hashes.Count; i++)
            {
                var hex = hashes[i];
                if (!IsHash(hex))
                {
                    problems.Add($"Clarity:Tenants:{tenant.Key}:ApiKeys:{i} must be a lower-case hex SHA-256 hash (64 characters), not a key in clear.");
                    continue;
                }
                keys.Add((tenant.Key, Convert.FromHexString(hex!)));
            }
        }
        var operators = new List<byte[]>();
        var operatorHashes = configuration.GetSection("Clarity:Operators:ApiKeys").GetChildren().Select(c => c.Value).ToList();
        for (var i = 0; i < operatorHashes.Count; i++)
        {
            if (!IsHash(operatorHashes[i]))
            {
                problems.Add($"Clarity:Operators:ApiKeys:{i} must be a lower-case hex SHA-256 hash (64 characters), not a key in clear.");
                continue;
            }
            operators.Add(Convert.FromHexString(operatorHashes[i]!));
        }
        if (keys.Count == 0 && problems.Count == 0 && isDevelopment)
        {
            keys.Add(("dev", Convert.FromHexString(HashKey("dev-key"))));
            if (operators.Count == 0)
            {
                operators.Add(Convert.FromHexString(HashKey("dev-key")));
            }
        }
        errors = problems;
        return new TenantDirectory(keys, operators);
    }

    private static bool IsHash(string? hex) =>
        hex is { Length: 64 } && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static bool IsValidTenantId(string id) =>
        id.Length is >= 1 and <= 64 && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');
}
