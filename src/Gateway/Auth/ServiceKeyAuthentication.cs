using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Clarity.Gateway.Operations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c>: a tenant's service key, or an end-user
/// token (<see cref="EndUserTokens"/>). Operators reach the dashboard with HTTP Basic, the operator
/// key as the password, so that a browser can send it. Credentials are never logged.
/// </summary>
public sealed class ServiceKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TenantDirectory tenants,
    EndUserTokens tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ServiceKey";
    public const string TenantClaim = "clarity:tenant";
    public const string UserClaim = "clarity:user";
    public const string KindClaim = "clarity:kind";
    public const string ServiceKind = "service";
    public const string EndUserKind = "end-user";
    public const string OperatorKind = "operator";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (header.Length > 4096)
        {
            return Fail("The Authorization header is too long.");
        }
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && OperatorRoutes.IsOperatorPath(Request.Path))
        {
            return Task.FromResult(AuthenticateOperator(header["Basic ".Length..].Trim()));
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Fail("Expected 'Authorization: Bearer <token>'.");
        }
        var credential = header["Bearer ".Length..].Trim();
        if (EndUserTokens.LooksLikeToken(credential))
        {
            var token = tokens.Verify(credential, out var failure);
            // A token of a tenant removed from configuration dies with the tenant.
            if (token is null || !tenants.HasTenant(token.Tenant))
            {
                return Fail(failure ?? "Unknown credentials.");
            }
            return Success(new Claim(TenantClaim, token.Tenant), new Claim(UserClaim, token.UserId), new Claim(KindClaim, EndUserKind));
        }
        if (tenants.FindTenant(credential) is { } tenant)
        {
            return Success(new Claim(TenantClaim, tenant), new Claim(KindClaim, ServiceKind));
        }
        if (tenants.IsOperatorKey(credential))
        {
            return Success(new Claim(KindClaim, OperatorKind));
        }
        return Fail("Unknown credentials.");
    }

    private AuthenticateResult AuthenticateOperator(string basic)
    {
        Span<byte> decoded = stackalloc byte[basic.Length];
        if (!Convert.TryFromBase64String(basic, decoded, out var length))
        {
            return AuthenticateResult.Fail("Malformed Basic credentials.");
        }
        var pair = Encoding.UTF8.GetString(decoded[..length]);
        var password = pair[(pair.IndexOf(':', StringComparison.Ordinal) + 1)..];
        return tenants.IsOperatorKey(password)
            ? AuthenticateResult.Success(Ticket(new Claim(KindClaim, OperatorKind)))
            : AuthenticateResult.Fail("Unknown credentials.");
    }

    private static Task<AuthenticateResult> Fail(string message) => Task.FromResult(AuthenticateResult.Fail(message));

    private static Task<AuthenticateResult> Success(params Claim[] claims) => Task.FromResult(AuthenticateResult.Success(Ticket(claims)));

    private static AuthenticationTicket Ticket(params Claim[] claims) =>
        new(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName);

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // Our own failure messages (expired, malformed): they never echo the credential.
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = OperatorRoutes.IsOperatorPath(Request.Path) ? "Basic realm=\"Clarity operations\", charset=\"UTF-8\"" : "Bearer";
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: failure ?? "Send 'Authorization: Bearer <token>' with a service key or an end-user token.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden",
            detail: "These credentials do not allow this operation on this resource.").ExecuteAsync(Context);
}

public static class TenantClaims
{
    /// <summary>The authenticated tenant; endpoints behind the tenant policy always have one.</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ServiceKeyAuthentication.TenantClaim)
        ?? throw new InvalidOperationException("No tenant on an authenticated request.");

    /// <summary>The end user an end-user token speaks for, or null for a service key.</summary>
    public static string? EndUserId(this ClaimsPrincipal user) => user.FindFirstValue(ServiceKeyAuthentication.UserClaim);

    public static bool IsServiceKey(this ClaimsPrincipal user) => user.HasClaim(ServiceKeyAuthentication.KindClaim, ServiceKeyAuthentication.ServiceKind);
}
