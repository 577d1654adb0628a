using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clarity.Grains.Interfaces;

namespace Clarity.Gateway.Auth;

/// <summary>
/// End-user token settings, configuration section <c>Clarity:Tokens</c>. A token lets one end user
/// of one tenant reach their own self-model from a browser (API.md, "End-user access").
/// </summary>
public sealed class EndUserTokenOptions
{
    public const string Section = "Clarity:Tokens";

    /// <summary>
    /// Base64 of at least 32 random bytes; signs tokens with HMAC-SHA256. Every gateway of a
    /// deployment needs the same key. Unset: in Development a key is generated per process (tokens
    /// die with the process); elsewhere end-user tokens are off (issuing answers 503 saying so),
    /// because a per-process key would break tokens across gateways and restarts.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Earlier signing keys, still accepted for verification so keys rotate without logging users out.</summary>
    public List<string> PreviousSigningKeys { get; set; } = [];

    /// <summary>How long a token is valid. Default 30 minutes; at most 24 hours.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>What a valid token says: who, for which tenant, until when.</summary>
public sealed record EndUserToken(string Tenant, string UserId, DateTimeOffset ExpiresAt);

/// <summary>
/// Issues and verifies end-user tokens: <c>cu1.{payload}.{signature}</c>, base64url, where the
/// payload is a small JSON object (tenant, user, expiry) and the signature is HMAC-SHA256 over
/// <c>cu1.{payload}</c>. Stateless, so any gateway with the key verifies any token.
/// </summary>
public sealed class EndUserTokens
{
    public const string Prefix = "cu1.";

    private readonly byte[]? _signingKey;
    private readonly byte[][] _verificationKeys;
    private readonly TimeProvider _clock;

    // signingKey is null when tokens are off (no key configured outside Development).
    public EndUserTokens(EndUserTokenOptions options, byte[]? signingKey, TimeProvider clock)
    {
        _signingKey = signingKey;
        _verificationKeys = signingKey is null ? [] : [signingKey, .. options.PreviousSigningKeys.Select(Convert.FromBase64String)];
        _clock = clock;
        Lifetime = options.Lifetime;
    }

    public TimeSpan Lifetime { get; }

    /// <summary>Whether this deployment issues and accepts end-user tokens (a signing key is configured).</summary>
    public bool IsEnabled => _signingKey is not null;

    public static bool LooksLikeToken(string credential) => credential.StartsWith(Prefix, StringComparison.Ordinal);

    public (string Token, DateTimeOffset ExpiresAt) Issue(string tenant, string userId)
    {
        if (_signingKey is null)
        {
            throw new InvalidOperationException($"End-user tokens are off: set {EndUserTokenOptions.Section}:SigningKey.");
        }
        // Whole seconds: the expiry in the response is exactly the one inside the token.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(_clock.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds());
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Payload(tenant, userId, expiresAt.ToUnixTimeSeconds()), PayloadContext.Default.Payload);
        var body = Prefix + Base64Url.EncodeToString(payload);
        return (body + "." + Base64Url.EncodeToString(Sign(_signingKey, body)), expiresAt);
    }

    /// <summary>The token's claims, or null with a reason when it is malformed, forged or expired.</summary>
    public EndUserToken? Verify(string token, out string? failure)
    {
        failure = "The end-user token is malformed or its signature is not valid.";
        var dot = token.LastIndexOf('.');
        if (!LooksLikeToken(token) || dot <= Prefix.Length || token.Length > 2048)
        {
            return null;
        }
        var body = token[..dot];
        Span<byte> presented = stackalloc byte[64];
        // The OperationStatus overload: the Try... one throws on malformed input, and input here is hostile.
        if (Base64Url.DecodeFromChars(token.AsSpan(dot + 1), presented, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return null;
        }
        var valid = false;
        foreach (var key in _verificationKeys)
        {
            valid |= CryptographicOperations.FixedTimeEquals(Sign(key, body), presented[..written]);
        }
        if (!valid || _verificationKeys.Length == 0)
        {
            return null;
        }
        // Signed by us, so the payload is ours; still parse defensively.
        Payload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(body.AsSpan(Prefix.Length)), PayloadContext.Default.Payload);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
        if (payload is not { T: { } tenant, U: { } user } || InputRules.CheckId(user) is not null)
        {
            return null;
        }
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(payload.Exp);
        if (_clock.GetUtcNow() >= expiresAt)
        {
            failure = "The end-user token has expired; ask the application for a new one.";
            return null;
        }
        failure = null;
        return new EndUserToken(tenant, user, expiresAt);
    }

    private static byte[] Sign(byte[] key, string body) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body));

    /// <summary>
    /// Reads and checks the options; in Development an unset key is generated for this process.
    /// Returns the signing key, or null when tokens are off or a setting is wrong (then with
    /// messages naming the key).
    /// </summary>
    public static byte[]? ReadSigningKey(EndUserTokenOptions options, bool isDevelopment, List<string> errors)
    {
        if (options.Lifetime <= TimeSpan.Zero || options.Lifetime > TimeSpan.FromHours(24))
        {
            errors.Add($"{EndUserTokenOptions.Section}:Lifetime must be between 00:00:01 and 24:00:00 (got {options.Lifetime}).");
        }
        for (var i = 0; i < options.PreviousSigningKeys.Count; i++)
        {
            if (DecodeKey(options.PreviousSigningKeys[i]) is null)
            {
                errors.Add($"{EndUserTokenOptions.Section}:PreviousSigningKeys:{i} must be base64 of at least 32 bytes.");
            }
        }
        if (string.IsNullOrEmpty(options.SigningKey))
        {
            return isDevelopment ? RandomNumberGenerator.GetBytes(32) : null;
        }
        var key = DecodeKey(options.SigningKey);
        if (key is null)
        {
            errors.Add($"{EndUserTokenOptions.Section}:SigningKey must be base64 of at least 32 random bytes.");
        }
        return key;
    }

    private static byte[]? DecodeKey(string? value)
    {
        var buffer = new byte[((value?.Length ?? 0) * 3 / 4) + 3];
        return value is not null && Convert.TryFromBase64String(value, buffer, out var length) && length >= 32 ? buffer[..length] : null;
    }

    internal sealed record Payload(string? T, string? U, long Exp);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(EndUserTokens.Payload))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class PayloadContext : System.Text.Json.Serialization.JsonSerializerContext;
