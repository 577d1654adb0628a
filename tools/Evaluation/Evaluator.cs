using System.Diagnostics;
using System.Reflection;
using Clarity.Engine;
using Clarity.Evaluation.Data;
using Clarity.Evaluation.Metrics;
using Clarity.Evaluation.Protocol;
using Clarity.Evaluation.Recommenders;

namespace Clarity.Evaluation;

/// <summary>Runs the whole evaluation and returns every number; <see cref="Report.ReportWriter"/> renders it.</summary>
public static class Evaluator
{
    public const string Baseline = "sar-cf";

    /// <summary>The data README's reference numbers (Recall@10 / NDCG@10 / HitRate@10), within 0.01.</summary>
    public static readonly IReadOnlyDictionary<string, (double Recall, double Ndcg, double Hit)> References =
        new Dictionary<string, (double, double, double)>
        {
            ["most-popular"] = (0.038, 0.070, 0.368),
            ["own-most-frequent"] = (0.168, 0.236, 0.669),
            ["co-occurrence-cf"] = (0.069, 0.116, 0.457),
        };

    public const double ReferenceTolerance = 0.01;

    public static EvaluationResult Run(Settings settings, Progress progress)
    {
        var clock = Stopwatch.StartNew();
        var timings = new Dictionary<string, double>();
        void Lap(string name)
        {
            timings[name] = Math.Round(clock.Elapsed.TotalSeconds, 2);
        }

        progress.Stage("loading " + Path.GetFileName(settings.Data));
        var log = PurchaseLogLoader.Load(settings.Data, settings.Columns, rows => progress.Tick(rows));
        var data = Dataset.Build(log, settings.Columns, settings.ProductsOnly);
        Lap("load");
        progress.Info($"{log.Rows:N0} rows, {log.Purchases.Count:N0} purchase lines, {log.Returns.Count:N0} return lines, {data.Evaluated.Count:N0} customers with >= 2 baskets");

        var k = settings.K;
        var all = data.Evaluated;
        var sample = Sample(all, settings.Customers, settings.Seed);

        // Reference baselines on every evaluated customer: cheap, and a sample would add noise above the 0.01 tolerance.
        progress.Stage("co-occurrence matrix");
        var matrix = new CoOccurrenceMatrix(data);
        Lap("matrix");
        var reference = new List<MethodScores>();
        foreach (var recommender in new IRecommender[]
        {
            new MostPopular(data), new PersonalFrequency(data), new CoOccurrenceCf(matrix),
            new PersonalFrequency(data, FrequencyTieBreak.Recency),
        })
        {
            progress.Stage($"reference baseline {recommender.Name}", all.Count);
            reference.Add(Score(recommender.Name, "reference", all, Split.Test, k, (c, i) =>
            {
                progress.Tick(i);
                return recommender.Recommend(c, Split.Test, k);
            }));
        }
        Lap("reference");

        // SAR half-life on validation.
        var tuning = new List<TuningRow>();
        var sarHalfLife = settings.SarHalfLives[0];
        if (settings.Tune && settings.SarHalfLives.Length > 1)
        {
            var best = double.NegativeInfinity;
            foreach (var h in settings.SarHalfLives)
            {
                progress.Stage($"tuning SAR half-life {h} d (validation)", sample.Count);
                var sar = new SarCf(matrix, h);
                var s = Score($"sar-cf half-life {h} d", "tuning", sample, Split.Validation, k, (c, i) =>
                {
                    progress.Tick(i);
                    return sar.Recommend(c, Split.Validation, k);
                });
                tuning.Add(new TuningRow("sar-cf", $"halfLifeDays={h}", s.Summary()));
                if (s.Mean(m => m.Ndcg) > best)
                {
                    best = s.Mean(m => m.Ndcg);
                    sarHalfLife = h;
                }
            }
        }
        var baseline = new SarCf(matrix, sarHalfLife);
        var candidates = new Dictionary<Split, List<Scored>[]>();
        foreach (var split in new[] { Split.Validation, Split.Test })
        {
            progress.Stage($"SAR top-{settings.CandidateDepth} candidates ({split.ToString().ToLowerInvariant()})", sample.Count);
            var lists = new List<Scored>[sample.Count];
            for (var i = 0; i < sample.Count; i++)
            {
                progress.Tick(i);
                lists[i] = [.. baseline.Score(sample[i], split, settings.CandidateDepth).Select(p => new Scored(p.Item, p.Score))];
            }
            candidates[split] = lists;
        }
        Lap("candidates");

        var roots = data.Items.CategoryRoots();
        IReranker Clarity(ClarityConfig config) => new ClarityReranker(config, data.Items);
        var clarityConfig = new ClarityConfig("clarity", settings.ClarityWeights[0], settings.ClarityHalfLives[0])
        {
            ItemWeight = settings.ClarityItemWeights[0],
            ItemFirstSupport = settings.ClarityItemFirstSupports[0],
            ItemEarlyShare = settings.ClarityItemEarlyShares[0],
            TierWeight = settings.ClarityTierWeights[0],
        };
        if (settings.Tune)
        {
            // The controls on validation too, for reference: what the tuning has to beat.
            foreach (var control in new IReranker[] { new KeepOrder(Baseline), new OwnFrequencyBoost(settings.RuleBoostWeight) })
            {
                progress.Stage($"validation: {control.Name}", sample.Count);
                var s = Rerank(control, sample, candidates[Split.Validation], Split.Validation, k, progress);
                tuning.Add(new TuningRow(control.Name, "(control, not tuned)", s.Summary()));
            }
            // Coordinate search on validation NDCG@10, one knob group at a time (a full grid would be
            // the product of every list): the item-level repeat weight x its first-purchase evidence,
            // then the price-tier weight, the affinity weight and half-life, and the item effect's timing.
            var best = double.NegativeInfinity;
            var replayed = new Dictionary<string, Dictionary<(CustomerBaskets, Split), Engine.SelfModel>>(StringComparer.Ordinal);
            void Try(ClarityConfig config)
            {
                if (tuning.Any(t => t.Method == "clarity" && t.Configuration == config.Describe()))
                {
                    return;
                }
                progress.Stage($"tuning Clarity {config.Describe()} (validation)", sample.Count);
                if (!replayed.TryGetValue(config.ReplayKey(), out var models))
                {
                    // Models of one replay key at a time: memory stays at one set of customers.
                    replayed.Clear();
                    replayed[config.ReplayKey()] = models = [];
                }
                var s = Rerank(new ClarityReranker(config, data.Items, models), sample, candidates[Split.Validation], Split.Validation, k, progress);
                tuning.Add(new TuningRow("clarity", config.Describe(), s.Summary()));
                if (s.Mean(m => m.Ndcg) > best)
                {
                    best = s.Mean(m => m.Ndcg);
                    clarityConfig = config;
                }
            }
            var start = clarityConfig;
            foreach (var first in settings.ClarityItemFirstSupports)
            {
                foreach (var iw in settings.ClarityItemWeights)
                {
                    Try(start with { ItemWeight = iw, ItemFirstSupport = first });
                }
            }
            foreach (var (values, with) in new (double[], Func<ClarityConfig, double, ClarityConfig>)[]
            {
                (settings.ClarityTierWeights, (c, v) => c with { TierWeight = v }),
                (settings.ClarityWeights, (c, v) => c with { AffinityWeight = v }),
                (settings.ClarityHalfLives, (c, v) => c with { AffinityHalfLifeDays = v }),
                (settings.ClarityItemEarlyShares, (c, v) => c with { ItemEarlyShare = v }),
            })
            {
                var chosen = clarityConfig;
                foreach (var v in values)
                {
                    Try(with(chosen, v));
                }
            }
        }
        Lap("tuning");

        // Test: each reported configuration once.
        var engineDefaults = new EngineOptions();
        var rerankers = new List<(IReranker Reranker, string Group)>
        {
            (new KeepOrder(Baseline), "baseline"),
            (new RecentCategorySuppression(roots, settings.RuleRecentDays), "rule"),
            (new OwnFrequencyBoost(settings.RuleBoostWeight), "rule"),
            (new CategoryDiversity(roots, settings.RuleDiversityPerType), "rule"),
            (Clarity(clarityConfig), "clarity"),
            (Clarity(new ClarityConfig("clarity-engine-defaults", engineDefaults.Rerank.AffinityWeight,
                engineDefaults.For(Engine.Beliefs.BeliefKind.Affinity).HalfLifeDays)), "clarity"),
            (Clarity(clarityConfig with { Name = "clarity-no-decay", AffinityHalfLifeDays = 1e6 }), "ablation"),
            (Clarity(clarityConfig with { Name = "clarity-no-evidence-weighting", EvidenceWeighting = false }), "ablation"),
            (Clarity(clarityConfig with { Name = "clarity-no-returns", Returns = false }), "ablation"),
            (Clarity(clarityConfig with { Name = "clarity-no-category-level", Hierarchy = false }), "ablation"),
            (Clarity(clarityConfig with { Name = "clarity-no-item-repeat", ItemWeight = 0 }), "ablation"),
        };
        var comparison = new List<MethodScores>();
        foreach (var (reranker, group) in rerankers)
        {
            progress.Stage($"test: {reranker.Name}", sample.Count);
            var s = Rerank(reranker, sample, candidates[Split.Test], Split.Test, k, progress);
            comparison.Add(s with { Group = group });
        }
        // The customers' own most frequent items on the same sample: the bar Clarity must at least match.
        var ownFrequent = new PersonalFrequency(data);
        comparison.Add(Score(ownFrequent.Name, "reference", sample, Split.Test, k, (c, _) => ownFrequent.Recommend(c, Split.Test, k)));
        Lap("test");

        progress.Stage("bootstrap", comparison.Count);
        var candidateRecall = Score($"{Baseline} candidates@{settings.CandidateDepth}", "ceiling", sample, Split.Test, settings.CandidateDepth,
            (c, i) => candidates[Split.Test][i].Select(x => x.Item).ToList());
        var baselineScores = comparison.Single(m => m.Name == Baseline);
        var ownScores = comparison.Single(m => m.Name == ownFrequent.Name);
        var rows = new List<ComparisonRow>();
        for (var i = 0; i < comparison.Count; i++)
        {
            progress.Tick(i);
            var m = comparison[i];
            rows.Add(new ComparisonRow(
                m.Name, m.Group, m.Summary(),
                MetricIntervals(m, null, settings),
                m.Name == Baseline ? null : MetricIntervals(m, baselineScores, settings),
                m.Group is "clarity" or "ablation" ? MetricIntervals(m, ownScores, settings) : null));
        }
        Lap("bootstrap");

        var realCalibration = settings.RealCalibration ? Calibration.RealCalibration.Run(data, settings.Customers is null ? data.AllCustomers : sample, settings, progress) : null;
        Lap("real-calibration");
        var scenarios = settings.Scenarios ? Scenarios.ScenarioEvaluator.Run(settings, progress) : null;
        Lap("scenarios");
        progress.End();

        return new EvaluationResult
        {
            Data = DataSection(settings, log, data),
            Protocol = new ProtocolSection(
                data.Evaluated.Count, sample.Count, data.MinBaskets, data.Items.Count,
                Training.Baskets(data).Count(), k, settings.CandidateDepth, settings.Resamples, settings.Seed),
            Engine = EngineSection(),
            Parameters = new ParameterSection(sarHalfLife, clarityConfig, settings),
            Reference = [.. reference.Select(r => ReferenceRow.Of(r))],
            Tuning = tuning,
            CandidateRecall = candidateRecall.Summary(),
            Comparison = rows,
            Timings = timings,
            RealCalibration = realCalibration,
            Scenarios = scenarios,
        };
    }

    internal static List<CustomerBaskets> Sample(IReadOnlyList<CustomerBaskets> all, int? n, int seed)
    {
        if (n is not { } count || count >= all.Count)
        {
            return [.. all];
        }
        var random = new Random(seed);
        var indices = Enumerable.Range(0, all.Count).ToArray();
        random.Shuffle(indices);
        return [.. indices.Take(count).Order().Select(i => all[i])];
    }

    private static MethodScores Rerank(IReranker reranker, List<CustomerBaskets> customers, List<Scored>[] candidates, Split split, int k, Progress progress) =>
        Score(reranker.Name, "", customers, split, k, (c, i) =>
        {
            progress.Tick(i);
            return reranker.Rerank(c, split, candidates[i], k);
        });

    internal static MethodScores Score(string name, string group, IReadOnlyList<CustomerBaskets> customers, Split split, int k, Func<CustomerBaskets, int, IReadOnlyList<int>> recommend)
    {
        var scores = new UserScore[customers.Count];
        for (var i = 0; i < customers.Count; i++)
        {
            var c = customers[i];
            var known = c.Known(split).SelectMany(b => b.Items).ToHashSet();
            scores[i] = RankingMetrics.Score(recommend(c, i), c.Target(split).Items, k, known);
        }
        return new MethodScores(name, group, scores);
    }

    private static Dictionary<string, Interval> MetricIntervals(MethodScores m, MethodScores? against, Settings settings)
    {
        var result = new Dictionary<string, Interval>();
        foreach (var (metric, get) in MethodScores.Metrics)
        {
            var a = m.Scores.Select(get).ToArray();
            result[metric] = against is null
                ? Bootstrap.MeanInterval(a, settings.Resamples, settings.Seed)
                : Bootstrap.PairedDifference(a, [.. against.Scores.Select(get)], settings.Resamples, settings.Seed);
        }
        return result;
    }

    private static DataSection DataSection(Settings settings, PurchaseLog log, Dataset data)
    {
        var facts = log.Facts();
        var checks = new List<FactCheck>
        {
            new("lines after removing cancellations, missing customers, non-positive quantity or price", 397_884m, facts.Lines),
            new("customers", 4_338m, facts.Customers),
            new("invoices", 18_532m, facts.Invoices),
            new("total quantity (all rows of the file, before any filter)", 5_176_450m, log.RawQuantity),
            new("revenue GBP (all rows of the file, before any filter; rounded to pence)", 9_747_747.93m, Math.Round(log.RawRevenue, 2)),
            new("customers with at least two invoices (products only)", 2_829m, data.Evaluated.Count),
        };
        return new DataSection(
            RepoPaths.Relative(settings.Data), log.Md5, log.Sha256, log.Gzip, log.Rows,
            log.Purchases.Count, log.Returns.Count, log.NonProductPurchaseLines, data.NonProductLinesDropped,
            new Dictionary<string, long>(log.Skipped), facts.TotalQuantity, Math.Round(facts.Revenue, 2), checks);
    }

    private static EngineSection EngineSection()
    {
        var assembly = typeof(BeliefEngine).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        var (commit, dirty) = RepoPaths.GitCommit();
        return new EngineSection(assembly.GetName().Version?.ToString() ?? "", informational, commit, dirty);
    }
}
