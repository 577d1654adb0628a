using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clarity.Evaluation.Metrics;

namespace Clarity.Evaluation.Report;

/// <summary>Writes report.md, results.json and SVG plots into a folder.</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // NaN (e.g. new-item recall of a method that only repeats) is written as "NaN", not dropped.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static IReadOnlyList<string> Write(EvaluationResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        void Save(string name, string text)
        {
            File.WriteAllText(Path.Combine(folder, name), text, new UTF8Encoding(false));
            files.Add(name);
        }
        Save("results.json", JsonSerializer.Serialize(result, Json));
        foreach (var (metric, title) in new[] { ("recall", "Recall@10"), ("ndcg", "NDCG@10"), ("hitRate", "HitRate@10"), ("mrr", "MRR@10") })
        {
            Save($"{metric}.svg", Svg.Bars(
                $"{title} on the test basket, 95% bootstrap interval ({result.Protocol.ComparisonCustomers:N0} customers)",
                [.. result.Comparison.Select(r => (r.Method, r.Mean[metric]))]));
            Save($"{metric}-difference.svg", Svg.Bars(
                $"{title}: difference against {Evaluator.Baseline}, paired 95% bootstrap interval",
                [.. result.Comparison.Where(r => r.VersusBaseline is not null).Select(r => (r.Method, r.VersusBaseline![metric]))]));
        }
        Save("report.md", Markdown(result));
        return files;
    }

    private static string F(double v, int digits = 4) =>
        double.IsNaN(v) ? "n/a" : v.ToString("F" + digits, CultureInfo.InvariantCulture);

    private static string Ci(Interval i) =>
        $"{(i.Estimate >= 0 ? "+" : "")}{F(i.Estimate)} [{F(i.Low)}, {F(i.High)}]{(i.ExcludesZero ? " *" : "")}";

    public static string Markdown(EvaluationResult r)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        void L(string line = "") => md.Append(line).Append('\n');
        L("# Clarity evaluation: belief re-ranking against the behavioural baseline");
        L();
        L($"Data: `{r.Data.Path}` (md5 `{r.Data.Md5}`, sha256 `{r.Data.Sha256}`). {r.Attribution}");
        L();
        L($"Engine: Clarity.Engine {r.Engine.AssemblyVersion} (informational `{r.Engine.InformationalVersion}`), git commit `{(r.Engine.GitCommit.Length > 0 ? r.Engine.GitCommit : "unknown")}`" +
          (r.Engine.GitDirty == true ? " with uncommitted engine changes" : "") + ".");
        L();
        L("## Protocol");
        L();
        L(r.Protocol.Description);
        L();
        L($"- customers evaluated (reference baselines): {r.Protocol.EvaluatedCustomers:N0}; comparison sample: {r.Protocol.ComparisonCustomers:N0} (seed {r.Protocol.Seed})");
        L($"- items: {r.Protocol.Items:N0}; training baskets: {r.Protocol.TrainingBaskets:N0}; cut-off k = {r.Protocol.K}; candidates per customer: {r.Protocol.CandidateDepth}; bootstrap resamples: {r.Protocol.Resamples}");
        L($"- SAR half-life: {F(r.Parameters.SarHalfLifeDays, 0)} days; Clarity: rerank affinity weight {F(r.Parameters.Clarity.AffinityWeight, 3)}, affinity half-life {F(r.Parameters.Clarity.AffinityHalfLifeDays, 0)} days (tuned on validation: {r.Parameters.Settings.Tune})");
        L("- categories: derived as `product-type/family` (type = last naming word of the description, family = five-digit stock-code stem); see tools/Evaluation/README.md");
        L();
        L("## Loader");
        L();
        L($"{r.Data.Rows:N0} data rows (gzip: {r.Data.Gzip}); kept {r.Data.PurchaseLines:N0} purchase lines and {r.Data.ReturnLines:N0} return lines (cancellation invoices with a customer).");
        L();
        L("| skipped because | rows |");
        L("|---|---:|");
        foreach (var (reason, count) in r.Data.Skipped.OrderByDescending(p => p.Value))
        {
            L($"| {reason} | {count:N0} |");
        }
        L();
        L($"Non-product purchase lines (postage, fees, manual adjustments) kept in the counts below but dropped from baskets: {r.Data.NonProductLinesDroppedFromBaskets:N0}.");
        L();
        L("| known fact (data README) | expected | measured | |");
        L("|---|---:|---:|---|");
        foreach (var c in r.Data.Checks)
        {
            L($"| {c.Fact} | {c.Expected.ToString("N2", inv).Replace(".00", "", StringComparison.Ordinal)} | {c.Actual.ToString("N2", inv).Replace(".00", "", StringComparison.Ordinal)} | {(c.Matches ? "ok" : "DIFFERS")} |");
        }
        L();
        L($"After the filters the quantity is {r.Data.FilteredQuantity.ToString("N0", inv)} and the revenue GBP {r.Data.FilteredRevenue.ToString("N2", inv)}: the README's quantity and revenue figures are those of the whole file, not of the filtered lines.");
        L();
        L("## Reference baselines (all evaluated customers, test basket)");
        L();
        L("| method | Recall@10 | NDCG@10 | HitRate@10 | MRR@10 | repeat recall | new recall | reference R / N / H | within 0.01 |");
        L("|---|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var row in r.Reference)
        {
            var m = row.Measured;
            var reference = row.ReferenceRecall is null ? "-" : $"{F(row.ReferenceRecall.Value, 3)} / {F(row.ReferenceNdcg!.Value, 3)} / {F(row.ReferenceHitRate!.Value, 3)}";
            L($"| {row.Method} | {F(m.Recall)} | {F(m.Ndcg)} | {F(m.HitRate)} | {F(m.Mrr)} | {F(m.RepeatRecall)} | {F(m.NewRecall)} | {reference} | {(row.WithinTolerance is null ? "-" : row.WithinTolerance.Value ? "yes" : "NO")} |");
        }
        L();
        L("## Comparison on the same candidates (test basket)");
        L();
        L($"Candidates: the {r.Protocol.CandidateDepth} best of {Evaluator.Baseline} per customer. Candidate Recall@{r.Protocol.CandidateDepth} (the ceiling of every re-ranker): {F(r.CandidateRecall.Recall)}, hit rate {F(r.CandidateRecall.HitRate)}.");
        L();
        L("| method | group | Recall@10 | NDCG@10 | HitRate@10 | MRR@10 | repeat recall | new recall |");
        L("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in r.Comparison)
        {
            var m = row.Test;
            L($"| {row.Method} | {row.Group} | {F(m.Recall)} | {F(m.Ndcg)} | {F(m.HitRate)} | {F(m.Mrr)} | {F(m.RepeatRecall)} | {F(m.NewRecall)} |");
        }
        L();
        L($"Repeat recall is averaged over the {r.Comparison[0].Test.UsersWithRepeats:N0} customers whose test basket holds an item they bought before; new recall over the {r.Comparison[0].Test.UsersWithNew:N0} whose test basket holds a new item.");
        L();
        L($"### Differences against {Evaluator.Baseline} (paired bootstrap, 95% interval; * = excludes zero)");
        L();
        L("| method | Recall@10 | NDCG@10 | HitRate@10 | MRR@10 |");
        L("|---|---|---|---|---|");
        foreach (var row in r.Comparison.Where(x => x.VersusBaseline is not null))
        {
            var d = row.VersusBaseline!;
            L($"| {row.Method} | {Ci(d["recall"])} | {Ci(d["ndcg"])} | {Ci(d["hitRate"])} | {Ci(d["mrr"])} |");
        }
        L();
        L("### Clarity against each customer's own most frequent items (same customers)");
        L();
        L("| method | Recall@10 | NDCG@10 | HitRate@10 | MRR@10 |");
        L("|---|---|---|---|---|");
        foreach (var row in r.Comparison.Where(x => x.VersusOwnMostFrequent is not null))
        {
            var d = row.VersusOwnMostFrequent!;
            L($"| {row.Method} | {Ci(d["recall"])} | {Ci(d["ndcg"])} | {Ci(d["hitRate"])} | {Ci(d["mrr"])} |");
        }
        L();
        L("### Verdict");
        L();
        foreach (var line in Verdict(r))
        {
            L("- " + line);
        }
        L();
        L("Plots: `recall.svg`, `ndcg.svg`, `hitRate.svg`, `mrr.svg` (means with 95% intervals) and `*-difference.svg` (differences against the baseline). Every number is in `results.json`.");
        L();
        L("## Tuning (validation basket only)");
        L();
        L("| method | configuration | Recall@10 | NDCG@10 | HitRate@10 | MRR@10 |");
        L("|---|---|---:|---:|---:|---:|");
        foreach (var t in r.Tuning)
        {
            var m = t.Validation;
            L($"| {t.Method} | {t.Configuration} | {F(m.Recall)} | {F(m.Ndcg)} | {F(m.HitRate)} | {F(m.Mrr)} |");
        }
        L();
        L("## Parameters");
        L();
        L("```json");
        L(JsonSerializer.Serialize(r.Parameters, Json));
        L("```");
        L();
        L("## Not in this report yet");
        L();
        L("Scenario simulator with known truth, AbsurdRepeat@10, recovery curves and calibration per belief kind (later parts of issue 8).");
        L();
        L($"Timings (s since start): {string.Join(", ", r.Timings.Select(p => $"{p.Key} {p.Value.ToString("0.0", inv)}"))}.");
        return md.ToString();
    }

    public static IEnumerable<string> Verdict(EvaluationResult r)
    {
        var clarity = r["clarity"];
        if (clarity?.VersusBaseline is null)
        {
            yield break;
        }
        foreach (var (metric, title) in new[] { ("recall", "Recall@10"), ("ndcg", "NDCG@10") })
        {
            var d = clarity.VersusBaseline[metric];
            var word = d.Low > 0 ? "beats" : d.High < 0 ? "is worse than" : "does not differ measurably from";
            yield return $"Clarity {word} {Evaluator.Baseline} on {title}: {Ci(d)}.";
        }
        if (clarity.VersusOwnMostFrequent is { } own)
        {
            foreach (var (metric, title) in new[] { ("recall", "Recall@10"), ("ndcg", "NDCG@10") })
            {
                var d = own[metric];
                var word = d.Low > 0 ? "beats" : d.High < 0 ? "falls short of" : "matches (interval includes zero)";
                yield return $"Against each customer's own most frequent items, Clarity {word} on {title}: {Ci(d)}.";
            }
        }
    }
}
