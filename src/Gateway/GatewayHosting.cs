using Clarity.Gateway.Auth;
using Clarity.Gateway.Cluster;
using Clarity.Gateway.Errors;
using Clarity.Gateway.Model;
using Clarity.Gateway.Operations;
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
        var configuration = builder.Configuration;
        var limits = configuration.GetSection(GatewayLimits.Section).Get<GatewayLimits>() ?? new();
        var rates = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new();
        var shedding = configuration.GetSection(LoadSheddingOptions.Section).Get<LoadSheddingOptions>() ?? new();
        var tokenOptions = configuration.GetSection(EndUserTokenOptions.Section).Get<EndUserTokenOptions>() ?? new();
        var tenants = TenantDirectory.FromConfiguration(configuration, builder.Environment.IsDevelopment(), out var tenantErrors);
        var errors = limits.Validate().Concat(tenantErrors).Concat(rates.Validate()).Concat(shedding.Validate()).ToList();
        var signingKey = EndUserTokens.ReadSigningKey(tokenOptions, builder.Environment.IsDevelopment(), errors);
        if (errors.Count > 0)
        {
            throw new ClarityConfigurationException(errors);
        }
        builder.Services.AddSingleton(tenants);
        builder.Services.AddSingleton(services => new EndUserTokens(tokenOptions, signingKey, services.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.Configure<GatewayLimits>(configuration.GetSection(GatewayLimits.Section));
        builder.Services.Configure<LoadSheddingOptions>(configuration.GetSection(LoadSheddingOptions.Section));
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = limits.MaxBodyBytes);
        // Bad JSON, wrong content types and oversized bodies throw, so that one handler answers them all.
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.MaxDepth = 32;
            json.SerializerOptions.AllowTrailingCommas = false;
            json.SerializerOptions.Converters.Add(new Rfc3339Converter());
            // Escape <, >, &, quotes in every string: user-provided text stays inert even if a client renders JSON as HTML.
            json.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
        });
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Type ??= ProblemTypes.For(status);
            // Every problem has a detail (API.md); the framework's own 404/405 come without one.
            context.ProblemDetails.Detail ??= context.ProblemDetails.Title;
        });
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddAuthentication(ServiceKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ServiceKeyAuthentication>(ServiceKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddClarityPolicies();
        builder.Services.AddClarityRateLimits(rates);
        builder.Services.AddSingleton<LoadShedder>();
        builder.Services.AddClarityMetrics();
        builder.AddClarityDashboard();
        return builder;
    }
}
