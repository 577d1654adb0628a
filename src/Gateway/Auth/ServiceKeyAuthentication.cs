using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Auth;

/// <summary>Authenticates <c>Authorization: Bearer &lt;service key&gt;</c> as a tenant.</summary>
public sealed class ServiceKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TenantDirectory tenants) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ServiceKey";
    public const string TenantClaim = "clarity:tenant";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length > 4096)
        {
            return Task.FromResult(AuthenticateResult.Fail("Expected 'Authorization: Bearer <token>'."));
        }
        var tenant = tenants.FindTenant(header["Bearer ".Length..].Trim());
        if (tenant is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown credentials."));
        }
        var identity = new ClaimsIdentity([new Claim(TenantClaim, tenant)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: "Send 'Authorization: Bearer <token>' with a service key or an end-user token.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden",
            detail: "These credentials do not allow this operation.").ExecuteAsync(Context);
}

public static class TenantClaims
{
    /// <summary>The authenticated tenant; endpoints behind the auth policy always have one.</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ServiceKeyAuthentication.TenantClaim)
        ?? throw new InvalidOperationException("No tenant on an authenticated request.");
}
