using Clarity.Gateway.Auth;
using Clarity.Gateway.Cluster;
using Clarity.Gateway.Errors;
using Clarity.Gateway.Model;
using Clarity.Silo.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Clarity.Gateway;

/// <summary>Service registration for the HTTP API.</summary>
public static class GatewayHosting
{
    /// <summary>
    /// Clarity:Role: <c>all</c> (default) co-hosts a silo in this process; <c>gateway</c> makes the
    /// HTTP API an Orleans client of a cluster (ADO.NET clustering on ConnectionStrings:Clarity).
    /// Either way self-model calls are retried across silo failures within a bounded time.
    /// </summary>
    public static WebApplicationBuilder AddClarityRole(this WebApplicationBuilder builder)
    {
        var retry = builder.Configuration.GetSection(GrainCallRetryOptions.Section).Get<GrainCallRetryOptions>() ?? new();
        builder.Services.AddSingleton(retry);
        if (builder.Configuration["Clarity:Role"] == "gateway")
        {
            builder.AddClarityClient(client => client.AddOutgoingGrainCallFilter<GrainCallRetry>());
        }
        else
        {
            builder.AddClaritySilo(silo => silo.AddOutgoingGrainCallFilter<GrainCallRetry>());
        }
        return builder;
    }

    public static WebApplicationBuilder AddClarityGateway(this WebApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection(GatewayLimits.Section).Get<GatewayLimits>() ?? new();
        var tenants = TenantDirectory.FromConfiguration(builder.Configuration, builder.Environment.IsDevelopment(), out var tenantErrors);
        var errors = limits.Validate().Concat(tenantErrors).ToList();
        if (errors.Count > 0)
        {
            throw new ClarityConfigurationException(errors);
        }
        builder.Services.AddSingleton(tenants);
        builder.Services.Configure<GatewayLimits>(builder.Configuration.GetSection(GatewayLimits.Section));
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxBodyBytes);
        // Bad JSON, wrong content types and oversized bodies throw, so that one handler answers them all.
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.MaxDepth = 32;
            json.SerializerOptions.AllowTrailingCommas = false;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddAuthentication(ServiceKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ServiceKeyAuthentication>(ServiceKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ServiceKeyAuthentication.SchemeName, policy => policy.RequireClaim(ServiceKeyAuthentication.TenantClaim));
        return builder;
    }
}
