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

    private delegate void Line(string text = "");

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
        if (result.Scenarios is { } sc)
        {
            foreach (var (metric, title) in new[] { ("recall", "Recall@10"), ("ndcg", "NDCG@10") })
            {
                Save($"scenarios-{metric}-difference.svg", Svg.Bars(
                    $"Scenarios, {title}: difference against {Scenarios.ScenarioEvaluator.Baseline}, paired 95% bootstrap interval ({sc.RankedUsers:N0} users)",
                    [.. sc.Comparison.Where(r => r.VersusBaseline is not null).Select(r => (r.Method, r.VersusBaseline![metric]))]));
            }
            Save("scenarios-absurd-repeat.svg", Svg.Bars(
                $"Scenarios, AbsurdRepeat@10 among the {sc.UsersAtRisk:N0} users who bought a durable category in the last 90 days (95% interval)",
                [.. sc.Comparison.Where(r => r.AbsurdRepeatAtRisk is not null).Select(r => (r.Method, r.AbsurdRepeatAtRisk!))]));
            Save("recovery.svg", Svg.Curves(
                $"Recovery: share of users whose top 10 still shows the ignored category ({sc.Recovery.Users} users)",
                "impressions of the ignored category so far", "share still showing",
                [.. sc.Recovery.Methods.Select(m => (m.Method, (IReadOnlyList<double>)m.Curve))]));
            foreach (var (name, plot) in ReliabilityPlots("scenarios", sc.Calibration))
            {
                Save(name, plot);
            }
        }
        if (result.RealCalibration is { } real)
        {
            foreach (var (name, plot) in ReliabilityPlots("online-retail", real))
            {
                Save(name, plot);
            }
        }
        Save("report.md", Markdown(result));
        return files;
    }

    /// <summary>One reliability diagram per kind with test predictions: every test configuration as a series.</summary>
    private static IEnumerable<(string Name, string Svg)> ReliabilityPlots(string data, List<Scenarios.CalibrationRun> runs)
    {
        var tests = runs.Where(r => r.Split == "test").ToList();
        foreach (var kind in tests.SelectMany(r => r.Kinds).Where(k => k.Predictions > 0).Select(k => k.Kind).Distinct())
        {
            var series = tests.Select(r => (r.Configuration, r.Kinds.First(k => k.Kind == kind)))
                .Where(x => x.Item2.Predictions > 0)
                .Select(x => ($"{Short(x.Configuration)}: ECE {F(x.Item2.Ece, 3)}", (IReadOnlyList<Calibration.ReliabilityBin>)x.Item2.Bins)).ToList();
            yield return ($"reliability-{data}-{kind}.svg", Svg.Reliability($"Reliability of {kind} beliefs, {data}, test (held-out time)", series));
        }
    }

    private static string Short(string configuration) =>
        configuration.StartsWith("engine defaults +", StringComparison.Ordinal) ? "logistic map (proposal)" : configuration;

    private static string F(double v, int digits = 4) =>
        double.IsNaN(v) ? "n/a" : v.ToString("F" + digits, CultureInfo.InvariantCulture);

    private static string Ci(Interval i) =>
        $"{(i.Estimate >= 0 ? "+" : "")}{F(i.Estimate)} [{F(i.Low)}, {F(i.High)}]{(i.ExcludesZero ? " *" : "")}";

    // One row per method that has a comparison: the paired differences of the four ranking metrics.
    private static void DifferenceTable(Line line, IEnumerable<(string Method, Dictionary<string, Interval>? Differences)> rows)
    {
        line("| method | Recall@10 | NDCG@10 | HitRate@10 | MRR@10 |");
        line("|---|---|---|---|---|");
        foreach (var (method, d) in rows)
        {
            if (d is not null)
            {
                line($"| {method} | {Ci(d["recall"])} | {Ci(d["ndcg"])} | {Ci(d["hitRate"])} | {Ci(d["mrr"])} |");
            }
        }
    }

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
        L($"- SAR half-life: {F(r.Parameters.SarHalfLifeDays, 0)} days; Clarity: {r.Parameters.Clarity.Describe()} (tuned on validation: {r.Parameters.Settings.Tune})");
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
        DifferenceTable(L, r.Comparison.Select(x => (x.Method, x.VersusBaseline)));
        L();
        L("### Clarity against each customer's own most frequent items (same customers)");
        L();
        DifferenceTable(L, r.Comparison.Select(x => (x.Method, x.VersusOwnMostFrequent)));
        L();
        L("### Verdict");
        L();
        foreach (var line in Verdict(r))
        {
            L("- " + line);
        }
        L();
        L("Plots: `recall.svg`, `ndcg.svg`, `hitRate.svg`, `mrr.svg` (means with 95% intervals) and `*-difference.svg` (differences against the baseline); with scenarios also `scenarios-*-difference.svg`, `scenarios-absurd-repeat.svg`, `recovery.svg` and `reliability-*.svg`. Every number is in `results.json`.");
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
        if (r.RealCalibration is { } real)
        {
            L("## Calibration of belief confidence on the real log");
            L();
            L($"Every customer's purchases and returns before the cut are replayed through the engine; each active belief's confidence is scored against the customer's purchases in the horizon after it. Cuts: validation {Calibration.RealCalibration.ValidationCut:yyyy-MM-dd} (tuning only), test {Calibration.RealCalibration.TestCut:yyyy-MM-dd}. Only purchases are observed, so affinity predicts \"buys in the category within {F(r.Parameters.Settings.Horizons.AffinityPurchasesOnly, 0)} days\"; kinds that purchases cannot produce do not appear.");
            L();
            CalibrationTable(L, real);
        }
        if (r.Scenarios is { } sc)
        {
            ScenarioMarkdown(L, sc, r.Parameters.Settings);
        }
        L($"Timings (s since start): {string.Join(", ", r.Timings.Select(p => $"{p.Key} {p.Value.ToString("0.0", inv)}"))}.");
        return md.ToString();
    }

    private static void CalibrationTable(Line L, List<Scenarios.CalibrationRun> runs)
    {
        L("| configuration | split | kind | predictions | base rate | mean confidence | Brier | Brier skill | ECE (15 bins) | ECE <= 0.05 |");
        L("|---|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var run in runs)
        {
            foreach (var k in run.Kinds)
            {
                if (k.Predictions == 0)
                {
                    continue;
                }
                L($"| {run.Configuration} | {run.Split} | {k.Kind} | {k.Predictions:N0} | {F(k.BaseRate, 3)} | {F(k.MeanConfidence, 3)} | {F(k.Brier)} | {F(k.BrierSkill, 3)} | {F(k.Ece)} | {(k.Ece <= 0.05 ? "yes" : "no")} |");
            }
        }
        var missing = runs.Count == 0 ? [] : runs[0].Kinds.Where(k => runs.All(run => run.Kinds.First(x => x.Kind == k.Kind).Predictions == 0)).Select(k => k.Kind).ToList();
        L();
        if (missing.Count > 0)
        {
            L($"No active beliefs of these kinds at the cuts (the engine did not produce them): {string.Join(", ", missing)}.");
            L();
        }
        foreach (var run in runs.Where(x => x.Changes.Count > 0 && x.Split == "test"))
        {
            L($"{run.Configuration}: {string.Join("; ", run.Changes.Select(c => $"{c.Key}: {c.Value}"))}.");
            L();
        }
        L("Brier skill is against always predicting the kind's base rate (positive is better than that). Reliability diagrams: `reliability-<data>-<kind>.svg`.");
        L();
    }

    private static void ScenarioMarkdown(Line L, Scenarios.ScenarioResult sc, Settings settings)
    {
        var h = settings.Horizons;
        L("## Scenarios with known truth");
        L();
        L($"{sc.Users:N0} simulated users ({string.Join(", ", sc.UsersPerArchetype.Select(p => $"{p.Key} {p.Value}"))}), seed {settings.Seed}, {sc.Signals:N0} signals over {F(sc.Scenario.Days, 0)} days; validation cut day {F(sc.Scenario.ValidationCut, 0)} (tuning only), test cut day {F(sc.Scenario.TestCut, 0)}. The simulator and its fixed rates are described in tools/Evaluation/README.md.");
        L();
        L($"Ranking: the target is the set of items a user buys in the {F(Scenarios.ScenarioEvaluator.TargetWindowDays, 0)} days after the cut ({sc.RankedUsers:N0} users buy something); candidates are the top {settings.CandidateDepth} of the SAR-style baseline (half-life {F(sc.SarHalfLifeDays, 0)} days, tuned on validation) fitted on the events before the cut; Clarity replays every signal before the cut (views, clicks, carts, purchases, returns, impressions, dismissals, consumes, ratings) and re-ranks them (rerank affinity weight {F(sc.Clarity.AffinityWeight, 3)}, affinity half-life {F(sc.Clarity.AffinityHalfLifeDays, 0)} days, tuned on validation). Candidate Recall@{settings.CandidateDepth}: {F(sc.CandidateRecall.Recall)}.");
        L();
        L($"AbsurdRepeat@10: share of users whose top 10 holds an item of a durable category they bought in the {F(Scenarios.ScenarioEvaluator.DurableWindowDays, 0)} days before the cut (durable = same-user repurchase within 90 days under 5%, learned from purchases before the cut). \"at risk\": among the {sc.UsersAtRisk:N0} users with such a purchase.");
        L();
        L("\"the day after the purchase\": the same users, each asked the day after their latest durable purchase (never past the cut) instead of at the cut: the moment a behavioural recommender is most tempted to show more of the same.");
        L();
        L("| method | group | Recall@10 | NDCG@10 | HitRate@10 | MRR@10 | repeat recall | new recall | AbsurdRepeat@10 (all) | AbsurdRepeat@10 (at risk) | AbsurdRepeat@10 (at risk, the day after the purchase) |");
        L("|---|---|---:|---:|---:|---:|---:|---:|---|---|---|");
        foreach (var row in sc.Comparison)
        {
            var m = row.Test;
            L($"| {row.Method} | {row.Group} | {F(m.Recall)} | {F(m.Ndcg)} | {F(m.HitRate)} | {F(m.Mrr)} | {F(m.RepeatRecall)} | {F(m.NewRecall)} | {F(row.AbsurdRepeat.Estimate, 3)} [{F(row.AbsurdRepeat.Low, 3)}, {F(row.AbsurdRepeat.High, 3)}] | {(row.AbsurdRepeatAtRisk is { } a ? $"{F(a.Estimate, 3)} [{F(a.Low, 3)}, {F(a.High, 3)}]" : "-")} | {(row.AbsurdRepeatDayAfter is { } b ? $"{F(b.Estimate, 3)} [{F(b.Low, 3)}, {F(b.High, 3)}]" : "-")} |");
        }
        L();
        L($"Differences against {Scenarios.ScenarioEvaluator.Baseline} (paired bootstrap, 95%; * = excludes zero):");
        L();
        DifferenceTable(L, sc.Comparison.Select(x => (x.Method, x.VersusBaseline)));
        L();
        L("Durable categories learned from training purchases (the simulator's true role beside it):");
        L();
        L("| category | true role | purchases with 90 days observed | repurchase rate within 90 days | learned durable |");
        L("|---|---|---:|---:|---|");
        foreach (var d in sc.Durable)
        {
            L($"| {d.Category} | {d.TrueRole} | {d.Purchases:N0} | {F(d.RepurchaseRate90d, 3)} | {(d.LearnedDurable ? "yes" : "no")} |");
        }
        L();
        L("### Truth recovery (test cut)");
        L();
        L($"For each true proposition: recovered = the engine holds an active belief of that kind and subject that agrees (a true statement held with confidence >= {F(Scenarios.ScenarioEvaluator.HighConfidence, 1)}; a false one flipped, below the kind's prior, or not asserted at all); absent = no active belief; wrong = an active belief that disagrees. Affinity subjects must match exactly; other kinds match an ancestor or descendant path.");
        L();
        L("| configuration | archetype | kind | true statement holds | truths | recovered | absent | wrong | recovered share |");
        L("|---|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var t in sc.Truth)
        {
            L($"| {t.Configuration} | {t.Archetype} | {t.Kind} | {(t.Holds ? "yes" : "no")} | {t.Truths:N0} | {t.Recovered:N0} | {t.Absent:N0} | {t.Wrong:N0} | {F(t.RecoveredShare, 3)} |");
        }
        L();
        L("By kind (all archetypes):");
        L();
        L("| configuration | kind | true statement holds | truths | recovered | absent | wrong | recovered share |");
        L("|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var g in sc.Truth.GroupBy(t => (t.Configuration, t.Kind, t.Holds)))
        {
            int truths = g.Sum(t => t.Truths), recovered = g.Sum(t => t.Recovered);
            L($"| {g.Key.Configuration} | {g.Key.Kind} | {(g.Key.Holds ? "yes" : "no")} | {truths:N0} | {recovered:N0} | {g.Sum(t => t.Absent):N0} | {g.Sum(t => t.Wrong):N0} | {F(truths == 0 ? double.NaN : (double)recovered / truths, 3)} |");
        }
        L();
        L("Discrimination: a calibrated confidence reaches 0.7 only where the predicted event happens at least 70% of the time, which a researcher (the next purchase researched about 60% of the time) or a streak (a change after 25-100% of its items) never does, so the share above can stay low while the engine tells true from false well. The area under the ROC curve reads that directly: the chance that a true statement gets a higher confidence than a false one (ties count half; a statement without an active belief scores the kind's calibrated prior).");
        L();
        L("| configuration | kind | true statements | false statements | AUC |");
        L("|---|---|---:|---:|---:|");
        foreach (var d in sc.Discrimination)
        {
            L($"| {d.Configuration} | {d.Kind} | {d.True:N0} | {d.False:N0} | {F(d.Auc, 3)} |");
        }
        L();
        L("### Recovery after a category starts being ignored");
        L();
        L($"From the test cut on, each of {sc.Recovery.Users} users ignores the liked category most visible in Clarity's top 10 (and present in every method's): every round (one day) the method's top 10 is shown, each item of that category is an impression without engagement, dismissed 15% of the time; up to {sc.Recovery.Rounds} rounds. Plot: `recovery.svg`.");
        L();
        L("| method | users | left the top 10 | median impressions until it left (of those) | mean impressions shown |");
        L("|---|---:|---:|---:|---:|");
        foreach (var m in sc.Recovery.Methods)
        {
            L($"| {m.Method} | {m.Users} | {F(m.RecoveredShare, 3)} | {F(m.MedianImpressionsOfRecovered, 1)} | {F(m.MeanImpressions, 1)} |");
        }
        L();
        L("### Calibration per belief kind (scenarios)");
        L();
        L($"Each active belief at a scoring instant is a prediction: its confidence is read as the probability of the kind's event within the horizon, scored on what the user did after that instant. Instants: the cut and every {F(h.InstantStep, 0)} days after it while the kind's horizon still ends inside the held-out period (validation: until the test cut; test: until day {F(sc.Scenario.Days, 0)}), so short-lived beliefs (variety) are caught often enough; a user's beliefs at successive instants are correlated.");
        L();
        L("| kind | predicted event |");
        L("|---|---|");
        L($"| affinity | engages with the category (click, add to cart, own purchase, consume >= 50%, rating >= 4) within {F(h.Affinity, 0)} days |");
        L($"| satiation | does not buy in the category within {F(h.Satiation, 0)} days |");
        L($"| replenishment | the next own purchase of the subject falls in the due window, the expected date +- {F(h.ReplenishmentDueShare * 100, 0)}% of the interval (expected date minus the last purchase; the window the reranker boosts in); early, late or none miss; an item-level \"re-buys this item\" belief: bought again by the expected date (or the instant, if overdue) + the same share; unscored if still open at the end of the period |");
        L($"| researcher | the next purchase in the subject within {F(h.NextPurchase, 0)} days follows >= {h.ResearchViews} views of it chained back from the purchase with gaps of at most {F(h.ResearchGap * 24, 0)} hours (unscored without a purchase) |");
        L($"| price-tier | the next purchase in the scope within {F(h.NextPurchase, 0)} days is at that tier (unscored without a purchase) |");
        L($"| variety | the next consume within {F(h.Variety, 0)} days is outside the subject (unscored without a consume) |");
        L();
        CalibrationTable(L, sc.Calibration);
    }

    public static IEnumerable<string> Verdict(EvaluationResult r)
    {
        foreach (var line in RealVerdict(r))
        {
            yield return line;
        }
        if (r.Scenarios is { } sc)
        {
            foreach (var line in ScenarioVerdict(sc))
            {
                yield return line;
            }
        }
    }

    public static IEnumerable<string> ScenarioVerdict(Scenarios.ScenarioResult sc)
    {
        var clarity = sc["clarity"];
        var baseline = sc[Scenarios.ScenarioEvaluator.Baseline];
        if (clarity?.VersusBaseline is { } d)
        {
            foreach (var (metric, title) in new[] { ("recall", "Recall@10"), ("ndcg", "NDCG@10") })
            {
                var word = d[metric].Low > 0 ? "beats" : d[metric].High < 0 ? "is worse than" : "does not differ measurably from";
                yield return $"Scenarios: Clarity {word} {Scenarios.ScenarioEvaluator.Baseline} on {title}: {Ci(d[metric])}.";
            }
        }
        if (clarity?.AbsurdRepeatAtRisk is { } ca && baseline?.AbsurdRepeatAtRisk is { } ba)
        {
            yield return $"Scenarios: AbsurdRepeat@10 among users at risk: Clarity {F(ca.Estimate, 3)} [{F(ca.Low, 3)}, {F(ca.High, 3)}], baseline {F(ba.Estimate, 3)} [{F(ba.Low, 3)}, {F(ba.High, 3)}].";
        }
        if (clarity?.AbsurdRepeatDayAfter is { } cd && baseline?.AbsurdRepeatDayAfter is { } bd)
        {
            yield return $"Scenarios: AbsurdRepeat@10 among users at risk, the day after their durable purchase: Clarity {F(cd.Estimate, 3)} [{F(cd.Low, 3)}, {F(cd.High, 3)}], baseline {F(bd.Estimate, 3)} [{F(bd.Low, 3)}, {F(bd.High, 3)}].";
        }
        foreach (var m in sc.Recovery.Methods)
        {
            yield return $"Scenarios: after a category is ignored, {m.Method} drops it from the top 10 for {F(100 * m.RecoveredShare, 1)}% of {m.Users} users within {sc.Recovery.Rounds} rounds.";
        }
        foreach (var g in sc.Truth.Where(t => t.Configuration == "clarity").GroupBy(t => (t.Kind, t.Holds)))
        {
            var truths = g.Sum(t => t.Truths);
            yield return $"Scenarios: truth recovered by clarity, {g.Key.Kind} ({(g.Key.Holds ? "holds" : "does not hold")}): {g.Sum(t => t.Recovered)} of {truths} ({F(truths == 0 ? double.NaN : (double)g.Sum(t => t.Recovered) / truths, 3)}).";
        }
        foreach (var a in sc.Discrimination.Where(a => a.Configuration == "clarity" && !double.IsNaN(a.Auc)))
        {
            yield return $"Scenarios: {a.Kind} confidence separates true from false statements with AUC {F(a.Auc, 3)} ({a.True:N0} true, {a.False:N0} false; 0.5 is chance).";
        }
        var defaults = sc.Calibration.FirstOrDefault(c => c.Split == "test");
        if (defaults is not null)
        {
            foreach (var k in defaults.Kinds.Where(k => k.Predictions > 0))
            {
                yield return $"Scenarios: {k.Kind} calibration with engine defaults: ECE {F(k.Ece, 3)} ({(k.Ece <= 0.05 ? "meets" : "misses")} the 0.05 target), Brier skill {F(k.BrierSkill, 3)}.";
            }
        }
    }

    private static IEnumerable<string> RealVerdict(EvaluationResult r)
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
