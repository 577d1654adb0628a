using Microsoft.AspNetCore.Authorization;

namespace Clarity.Gateway.Auth;

/// <summary>
/// Who may call what. Every <c>/v1</c> route requires <see cref="Tenant"/>: a service key reaches
/// all of its tenant; an end-user token reaches only routes marked <see cref="AllowEndUser{T}"/>
/// (API.md "End-user access") and only for its own user, so a new route is service-only until
/// someone decides otherwise.
/// </summary>
public static class AccessPolicies
{
    /// <summary>A tenant's credentials: service key, or an end-user token within its rights.</summary>
    public const string Tenant = "Tenant";

    /// <summary>Operators only (dashboard): sees every tenant, so tenant keys do not open it.</summary>
    public const string Operator = "Operator";

    /// <summary>Marks a route an end user may call with their own token.</summary>
    public static TBuilder AllowEndUser<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(EndUserAccess.Instance);

    public static AuthorizationBuilder AddClarityPolicies(this AuthorizationBuilder authorization)
    {
        authorization.Services.AddSingleton<IAuthorizationHandler, TenantAccessHandler>();
        authorization.AddPolicy(Tenant, policy => policy
            .AddAuthenticationSchemes(ServiceKeyAuthentication.SchemeName)
            .RequireClaim(ServiceKeyAuthentication.TenantClaim)
            .AddRequirements(new TenantAccessRequirement()));
        authorization.AddPolicy(Operator, policy => policy
            .AddAuthenticationSchemes(ServiceKeyAuthentication.SchemeName)
            .RequireClaim(ServiceKeyAuthentication.KindClaim, ServiceKeyAuthentication.OperatorKind));
        return authorization;
    }

    /// <summary>Endpoint metadata: end-user tokens are allowed here (for their own user).</summary>
    public sealed class EndUserAccess
    {
        public static readonly EndUserAccess Instance = new();
    }

    private sealed class TenantAccessRequirement : IAuthorizationRequirement;

    private sealed class TenantAccessHandler : AuthorizationHandler<TenantAccessRequirement, HttpContext>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TenantAccessRequirement requirement, HttpContext http)
        {
            if (context.User.IsServiceKey())
            {
                context.Succeed(requirement);
                return Task.CompletedTask;
            }
            if (context.User.EndUserId() is not { } user)
            {
                return Task.CompletedTask;
            }
            if (http.GetEndpoint()?.Metadata.GetMetadata<EndUserAccess>() is null)
            {
                context.Fail(new AuthorizationFailureReason(this, "End-user tokens may not call this route."));
                return Task.CompletedTask;
            }
            // The user the request is about: the route's {userId}, else a ?userId= query.
            var target = http.GetRouteValue("userId") as string ?? (string?)http.Request.Query["userId"];
            if (target is not null && !string.Equals(target, user, StringComparison.Ordinal))
            {
                context.Fail(new AuthorizationFailureReason(this, "An end-user token reaches only its own user."));
                return Task.CompletedTask;
            }
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }
}
