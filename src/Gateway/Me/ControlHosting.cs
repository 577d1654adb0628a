using Clarity.Gateway.Apis;
using Clarity.Silo.Hosting;

namespace Clarity.Gateway.Me;

/// <summary>Services of the control API and the /me page: statement catalogues and limits, validated at start.</summary>
public static class ControlHosting
{
    public static WebApplicationBuilder AddClarityControl(this WebApplicationBuilder builder)
    {
        var catalogues = StatementCatalogues.FromConfiguration(builder.Configuration, out var errors);
        var limits = builder.Configuration.GetSection("Clarity:Limits").Get<StatementLimits>() ?? new();
        var problems = errors.ToList();
        if (limits.MaxStatementsPerRequest is < 1 or > 1000)
        {
            problems.Add($"Clarity:Limits:MaxStatementsPerRequest must be between 1 and 1000 (got {limits.MaxStatementsPerRequest}).");
        }
        if (problems.Count > 0)
        {
            throw new ClarityConfigurationException(problems);
        }
        builder.Services.AddSingleton(catalogues);
        builder.Services.Configure<StatementLimits>(builder.Configuration.GetSection("Clarity:Limits"));
        return builder;
    }
}
