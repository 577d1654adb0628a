using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Clarity.Gateway.Tests;

/// <summary>The per-kind calibration maps bind from Clarity:Engine:Kinds:{Kind}:Calibration and fail fast when invalid.</summary>
public sealed class CalibrationConfigurationTests
{
    [Fact]
    public async Task A_configured_map_replaces_the_default_and_other_kinds_keep_theirs()
    {
        await using var app = new ClarityApp(settings: new Dictionary<string, string?>
        {
            ["Clarity:Engine:Kinds:Affinity:Calibration:Slope"] = "1",
            ["Clarity:Engine:Kinds:Affinity:Calibration:Intercept"] = "0",
            // Configuring another key of a kind keeps that kind's default map.
            ["Clarity:Engine:Kinds:Satiation:HalfLifeDays"] = "200",
        });

        var options = app.Services.GetRequiredService<EngineOptions>();
        var defaults = new EngineOptions();

        Assert.True(options.For(BeliefKind.Affinity).Calibration.IsIdentity);
        Assert.Equal(200, options.For(BeliefKind.Satiation).HalfLifeDays);
        Assert.Equal(defaults.For(BeliefKind.Satiation).Calibration.Slope, options.For(BeliefKind.Satiation).Calibration.Slope);
        Assert.Equal(defaults.For(BeliefKind.Satiation).Calibration.Intercept, options.For(BeliefKind.Satiation).Calibration.Intercept);
        Assert.Equal(defaults.For(BeliefKind.Replenishment).Calibration.Slope, options.For(BeliefKind.Replenishment).Calibration.Slope);
    }

    [Fact]
    public async Task An_invalid_map_fails_at_start_naming_the_key()
    {
        await using var app = new ClarityApp(settings: new Dictionary<string, string?>
        {
            ["Clarity:Engine:Kinds:Replenishment:Calibration:Slope"] = "-0.5",
        });

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("Clarity:Engine:Kinds:Replenishment:Calibration:Slope must be greater than 0", error.ToString(), StringComparison.Ordinal);
    }
}
