using System.Security.Cryptography;
using System.Text;

namespace Clarity.Gateway.Tests.Infrastructure;

/// <summary>A production-like configuration: two tenants with hashed keys (one rotating), an operator key and a signing key.</summary>
public static class Tenants
{
    public const string AcmeKey = "acme-key-1";
    public const string AcmeRotatedKey = "acme-key-2";
    public const string GlobexKey = "globex-key";
    public const string OperatorKey = "operator-key";
    public const string SigningKey = "c2lnbmluZy1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXMhIQ==";

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static Dictionary<string, string?> Production(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Clarity:Tenants:acme:ApiKeys:0"] = Hash(AcmeKey),
            ["Clarity:Tenants:acme:ApiKeys:1"] = Hash(AcmeRotatedKey),
            ["Clarity:Tenants:globex:ApiKeys:0"] = Hash(GlobexKey),
            ["Clarity:Operators:ApiKeys:0"] = Hash(OperatorKey),
            ["Clarity:Tokens:SigningKey"] = SigningKey,
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    public static ClarityApp ProductionApp(Dictionary<string, string?>? extra = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        new(settings: Production(extra), environment: "Production", services: services);
}
