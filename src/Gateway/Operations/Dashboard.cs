using Clarity.Gateway.Auth;
using Clarity.Silo.Hosting;
using Orleans.Dashboard;

namespace Clarity.Gateway.Operations;

/// <summary>
/// The Orleans dashboard at <c>/dashboard</c>, for operators only (<c>Clarity:Operators:ApiKeys</c>,
/// HTTP Basic with the key as password so a browser can open it). It lists grains of every tenant,
/// so a tenant's service key does not open it. Off with <c>Clarity:Dashboard:Enabled=false</c>.
/// </summary>
public static class Dashboard
{
    public const string RoutePrefix = "/dashboard";

    /// <summary>On unless configured off, and only where this process hosts a silo (role <c>all</c>).</summary>
    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetValue("Clarity:Dashboard:Enabled", true)
        && (configuration.GetSection(ClarityHostOptions.Section).Get<ClarityHostOptions>() ?? new()).Role == "all";

    public static WebApplicationBuilder AddClarityDashboard(this WebApplicationBuilder builder)
    {
        if (IsEnabled(builder.Configuration))
        {
            builder.UseOrleans(silo => silo.AddDashboard());
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapClarityDashboard(this WebApplication app)
    {
        if (IsEnabled(app.Configuration))
        {
            app.MapOrleansDashboard(routePrefix: RoutePrefix).RequireAuthorization(AccessPolicies.Operator).ExcludeFromDescription();
        }
        return app;
    }
}

/// <summary>Paths where operators authenticate (Basic allowed, Basic challenge).</summary>
public static class OperatorRoutes
{
    public static bool IsOperatorPath(PathString path) => path.StartsWithSegments(Dashboard.RoutePrefix, StringComparison.OrdinalIgnoreCase);
}
