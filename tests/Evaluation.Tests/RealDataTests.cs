using System.Text.Json;
using Clarity.Evaluation.Report;

namespace Clarity.Evaluation.Tests;

/// <summary>
/// A reduced run on the Online Retail file as shipped: the loader's known facts, the reference
/// numbers within 0.01 (on every evaluated customer: they are cheap) and a written report. The
/// comparison part runs on a sample without tuning to keep the suite fast.
/// </summary>
public sealed class RealDataTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "clarity-eval-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }

    [Fact]
    public void Reduced_run_reproduces_the_reference_numbers_and_writes_the_report()
    {
        var data = RepoPaths.DefaultData();
        Assert.True(File.Exists(data), $"The Online Retail file is expected at {data} (../shared/data beside the repository).");
        var settings = Cli.Parse(["--data", data, "--out", _out, "--customers", "150", "--resamples", "200", "--no-tune", "--scenario-users", "40"]);

        var result = Evaluator.Run(settings, Progress.Silent());
        ReportWriter.Write(result, _out);

        Assert.Equal("e5ccd7657ddfdc3ebd58dcf77e1b5526", result.Data.Md5);
        Assert.All(result.Data.Checks, c => Assert.True(c.Matches, $"{c.Fact}: expected {c.Expected}, measured {c.Actual}"));
        Assert.Equal(2829, result.Protocol.EvaluatedCustomers);
        foreach (var (method, (recall, ndcg, hit)) in Evaluator.References)
        {
            var row = result.Reference.Single(r => r.Method == method).Measured;
            Assert.InRange(row.Recall, recall - 0.01, recall + 0.01);
            Assert.InRange(row.Ndcg, ndcg - 0.01, ndcg + 0.01);
            Assert.InRange(row.HitRate, hit - 0.01, hit + 0.01);
        }
        Assert.Equal(150, result.Protocol.ComparisonCustomers);
        var clarity = result["clarity"];
        Assert.NotNull(clarity);
        Assert.Equal(150, clarity.Test.Users);
        Assert.NotNull(clarity.VersusBaseline);

        foreach (var file in new[] { "report.md", "results.json", "recall.svg", "ndcg.svg", "hitRate.svg", "mrr.svg", "recall-difference.svg" })
        {
            Assert.True(File.Exists(Path.Combine(_out, file)), file);
        }
        var markdown = File.ReadAllText(Path.Combine(_out, "report.md"));
        Assert.Contains("e5ccd7657ddfdc3ebd58dcf77e1b5526", markdown, StringComparison.Ordinal);
        Assert.Contains("| own-most-frequent |", markdown, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "results.json")));
        Assert.Equal(2829, json.RootElement.GetProperty("protocol").GetProperty("evaluatedCustomers").GetInt32());
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(_out, "ndcg.svg")), StringComparison.Ordinal);

        // Calibration on the real log: affinity beliefs scored on held-out time.
        Assert.NotNull(result.RealCalibration);
        var realAffinity = result.RealCalibration.First(r => r.Split == "test").Kinds.Single(k => k.Kind == "affinity");
        Assert.True(realAffinity.Predictions > 500, $"{realAffinity.Predictions} predictions");
        Assert.InRange(realAffinity.Ece, 0, 1);

        // Scenarios: every method ranked, truth scored, recovery measured, calibration per kind, plots written.
        var scenarios = result.Scenarios;
        Assert.NotNull(scenarios);
        Assert.Equal(40, scenarios.Users);
        Assert.NotNull(scenarios["clarity"]?.VersusBaseline);
        // Too few users to learn durability from (at least 20 purchases per category): AbsurdRepeat is defined, nobody is at risk.
        Assert.True(double.IsFinite(scenarios[Scenarios.ScenarioEvaluator.Baseline]!.AbsurdRepeat.Estimate));
        Assert.Contains(scenarios.Truth, t => t.Kind == "affinity" && t.Truths > 0);
        Assert.Contains(scenarios.Discrimination, d => d.Kind == "affinity" && d.Auc > 0.5);
        Assert.Equal(3, scenarios.Recovery.Methods.Count);
        Assert.True(scenarios.Recovery.Users > 0);
        Assert.True(scenarios.Calibration.First(r => r.Split == "test").Kinds.Single(k => k.Kind == "affinity").Predictions > 100);
        foreach (var file in new[] { "recovery.svg", "scenarios-absurd-repeat.svg", "scenarios-recall-difference.svg", "reliability-scenarios-affinity.svg", "reliability-online-retail-affinity.svg" })
        {
            Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(_out, file)), StringComparison.Ordinal);
        }
        Assert.Contains("## Scenarios with known truth", markdown, StringComparison.Ordinal);
        Assert.Contains("AbsurdRepeat@10", markdown, StringComparison.Ordinal);
        Assert.Equal(40, json.RootElement.GetProperty("scenarios").GetProperty("users").GetInt32());
    }
}
