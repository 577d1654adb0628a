using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;
using Clarity.Evaluation.Calibration;
using Clarity.Evaluation.Metrics;
using Clarity.Evaluation.Protocol;
using Clarity.Evaluation.Recommenders;

namespace Clarity.Evaluation.Scenarios;

/// <summary>
/// The scenario half of the evaluation: the same ranking comparison as on the real data (SAR
/// candidates, a rule control, Clarity re-ranking, paired bootstrap), plus what only known truth
/// can measure: truth recovery, AbsurdRepeat@10, recovery after a category is ignored, and
/// calibration of every belief kind on held-out time.
/// </summary>
public static class ScenarioEvaluator
{
    public const string Baseline = "sar-cf";
    public const double TargetWindowDays = 30;
    public const double DurableWindowDays = 90;
    public const double DurableRepurchaseRate = 0.05;
    public const int DurableMinPurchases = 20;
    public const double HighConfidence = 0.7;
    public const int RecoveryRounds = 60;
    public const double RecoveryDismissRate = 0.15;
    public const int RecoveryUsers = 200;

    public static ScenarioResult Run(Settings settings, Progress progress)
    {
        var scenario = new ScenarioSettings(settings.ScenarioUsers, settings.Seed);
        var catalog = new Catalog();
        var simulator = new Simulator(catalog, scenario);
        progress.Stage($"simulating {scenario.Users:N0} users");
        var users = simulator.Generate();
        var k = settings.K;
        var tuning = new List<TuningRow>();

        // SAR half-life on validation.
        var sarHalfLife = settings.SarHalfLives[0];
        var valUsers = Targeted(users, scenario.ValidationCut);
        if (settings.Tune)
        {
            var best = double.NegativeInfinity;
            foreach (var h in settings.SarHalfLives)
            {
                progress.Stage($"scenarios: tuning SAR half-life {h} d (validation)", valUsers.Count);
                var sar = new ScenarioSar(catalog, users, scenario.ValidationCut, h);
                var s = Score($"sar-cf half-life {h} d", valUsers, scenario.ValidationCut, k, (u, i) =>
                {
                    progress.Tick(i);
                    return [.. sar.Top(u, scenario.ValidationCut, scenario.ValidationCut, k).Select(p => p.Item)];
                });
                tuning.Add(new TuningRow("sar-cf", $"halfLifeDays={h}", s.Summary()));
                if (s.Mean(m => m.Ndcg) > best)
                {
                    best = s.Mean(m => m.Ndcg);
                    sarHalfLife = h;
                }
            }
        }

        // What the tenant knows about its categories, learned from the events before each cut.
        var valTenant = TenantCategories(catalog, users, scenario.ValidationCut);
        var testTenant = TenantCategories(catalog, users, scenario.TestCut);

        // Clarity rerank weight and affinity half-life on validation.
        var clarityConfig = new ClarityConfig("clarity", settings.ClarityWeights[0], settings.ClarityHalfLives[0]);
        if (settings.Tune)
        {
            var sar = new ScenarioSar(catalog, users, scenario.ValidationCut, sarHalfLife);
            var candidates = valUsers.Select(u => sar.Top(u, scenario.ValidationCut, scenario.ValidationCut, settings.CandidateDepth)).ToList();
            var best = double.NegativeInfinity;
            foreach (var h in settings.ClarityHalfLives)
            {
                foreach (var w in settings.ClarityWeights)
                {
                    var config = new ClarityConfig("clarity", w, h);
                    var clarity = new ScenarioClarity(config.Name, config.ToEngineOptions(), simulator, catalog, valTenant);
                    progress.Stage($"scenarios: tuning Clarity weight {w}, half-life {h} d (validation)", valUsers.Count);
                    var s = Score("clarity", valUsers, scenario.ValidationCut, k, (u, i) =>
                    {
                        progress.Tick(i);
                        return clarity.Rerank(clarity.Replay(u, scenario.ValidationCut), u, candidates[i], scenario.ValidationCut, k);
                    });
                    tuning.Add(new TuningRow("clarity", $"affinityWeight={w}, affinityHalfLifeDays={h}", s.Summary()));
                    if (s.Mean(m => m.Ndcg) > best)
                    {
                        best = s.Mean(m => m.Ndcg);
                        clarityConfig = config;
                    }
                }
            }
        }

        // Test: every reported configuration once.
        var cut = scenario.TestCut;
        var testSar = new ScenarioSar(catalog, users, cut, sarHalfLife);
        var durable = LearnDurable(catalog, users, cut);
        var testUsers = Targeted(users, cut);
        progress.Stage("scenarios: SAR candidates (test)", users.Count);
        var allCandidates = new Dictionary<SimUser, List<(int Item, double Score)>>();
        for (var i = 0; i < users.Count; i++)
        {
            progress.Tick(i);
            allCandidates[users[i]] = testSar.Top(users[i], cut, cut, settings.CandidateDepth);
        }
        var engineDefaults = new EngineOptions();
        var clarityMain = new ScenarioClarity("clarity", clarityConfig.ToEngineOptions(), simulator, catalog, testTenant);
        var clarityDefaultsRanker = new ScenarioClarity("clarity-engine-defaults", engineDefaults, simulator, catalog, testTenant);
        var methods = new List<(string Name, string Group, Func<SimUser, List<int>> Rank)>
        {
            (Baseline, "baseline", u => [.. allCandidates[u].Take(k).Select(c => c.Item)]),
            ("rule: no category bought in the last 30 days", "rule", u => RecentCategorySuppression(u, allCandidates[u], catalog, cut, settings.RuleRecentDays, k)),
            ("clarity", "clarity", ClarityRank(clarityMain)),
            ("clarity-engine-defaults", "clarity", ClarityRank(clarityDefaultsRanker)),
            ("clarity-no-decay", "ablation", ClarityRank(new ScenarioClarity("clarity-no-decay", (clarityConfig with { AffinityHalfLifeDays = 1e6 }).ToEngineOptions(), simulator, catalog, testTenant))),
            ("clarity-no-evidence-weighting", "ablation", ClarityRank(new ScenarioClarity("clarity-no-evidence-weighting", (clarityConfig with { EvidenceWeighting = false }).ToEngineOptions(), simulator, catalog, testTenant))),
        };
        Func<SimUser, List<int>> ClarityRank(ScenarioClarity clarity) =>
            u => clarity.Rerank(clarity.Replay(u, cut), u, allCandidates[u], cut, k);

        // The moment a recommender is most tempted to show more of the same: the day after the
        // user's latest durable purchase (never past the cut), every method asked then.
        var dayAfter = new Dictionary<string, Func<SimUser, double, List<int>>>
        {
            [Baseline] = (u, t) => [.. testSar.Top(u, t, t, k).Select(c => c.Item)],
            ["rule: no category bought in the last 30 days"] = (u, t) => RecentCategorySuppression(u, testSar.Top(u, t, t, settings.CandidateDepth), catalog, t, settings.RuleRecentDays, k),
            ["clarity"] = (u, t) => clarityMain.Rerank(clarityMain.Replay(u, t), u, testSar.Top(u, t, t, settings.CandidateDepth), t, k),
            ["clarity-engine-defaults"] = (u, t) => clarityDefaultsRanker.Rerank(clarityDefaultsRanker.Replay(u, t), u, testSar.Top(u, t, t, settings.CandidateDepth), t, k),
        };
        double? DayAfterMoment(SimUser u)
        {
            var last = u.Events.LastOrDefault(e => e.Type == SignalType.Purchase && e.Day < cut && e.Day >= cut - DurableWindowDays
                && durable.Set.Contains(catalog.Items[e.Item].Category));
            return last is null ? null : Math.Min(cut, Math.Floor(last.Day) + 1.5);
        }

        var candidateRecall = Score("candidates", testUsers, cut, settings.CandidateDepth, (u, _) => [.. allCandidates[u].Select(c => c.Item)]).Summary();
        var atRisk = users.Where(u => RecentDurable(u, catalog, durable, cut).Count > 0).ToHashSet();
        var rows = new List<ScenarioMethodRow>();
        MethodScores? baselineScores = null;
        foreach (var (name, group, rank) in methods)
        {
            progress.Stage($"scenarios: {name} (test)", users.Count);
            var lists = new Dictionary<SimUser, List<int>>();
            for (var i = 0; i < users.Count; i++)
            {
                progress.Tick(i);
                lists[users[i]] = rank(users[i]);
            }
            var scores = Score(name, testUsers, cut, k, (u, _) => lists[u]);
            baselineScores ??= scores;
            var absurd = users.Select(u => AbsurdRepeat(lists[u], RecentDurable(u, catalog, durable, cut), catalog) ? 1.0 : 0.0).ToArray();
            var absurdAtRisk = users.Where(atRisk.Contains).Select(u => AbsurdRepeat(lists[u], RecentDurable(u, catalog, durable, cut), catalog) ? 1.0 : 0.0).ToArray();
            var mean = new Dictionary<string, Interval>();
            var versus = group == "baseline" ? null : new Dictionary<string, Interval>();
            foreach (var (metric, get) in MethodScores.Metrics)
            {
                var a = scores.Scores.Select(get).ToArray();
                mean[metric] = Bootstrap.MeanInterval(a, settings.Resamples, settings.Seed);
                versus?.Add(metric, Bootstrap.PairedDifference(a, [.. baselineScores.Scores.Select(get)], settings.Resamples, settings.Seed));
            }
            Interval? afterInterval = null;
            if (dayAfter.TryGetValue(name, out var rankAt) && atRisk.Count > 0)
            {
                progress.Stage($"scenarios: {name}, the day after a durable purchase", atRisk.Count);
                var after = new List<double>();
                foreach (var u in users.Where(atRisk.Contains))
                {
                    progress.Tick(after.Count);
                    var t = DayAfterMoment(u)!.Value;
                    after.Add(AbsurdRepeat(rankAt(u, t), RecentDurable(u, catalog, durable, t), catalog) ? 1.0 : 0.0);
                }
                afterInterval = Bootstrap.MeanInterval([.. after], settings.Resamples, settings.Seed);
            }
            rows.Add(new ScenarioMethodRow(name, group, scores.Summary(), mean, versus,
                Bootstrap.MeanInterval(absurd, settings.Resamples, settings.Seed),
                absurdAtRisk.Length > 0 ? Bootstrap.MeanInterval(absurdAtRisk, settings.Resamples, settings.Seed) : null,
                afterInterval));
        }

        var clarityDefaults = new ScenarioClarity("clarity-engine-defaults", new EngineOptions(), simulator, catalog, testTenant);
        var truth = new List<TruthRow>();
        var discrimination = new List<TruthDiscrimination>();
        foreach (var clarity in new[] { clarityMain, clarityDefaults })
        {
            progress.Stage($"scenarios: truth recovery, {clarity.Name}", users.Count);
            var (recovered, auc) = TruthRecovery(users, simulator, clarity, cut, progress);
            truth.AddRange(recovered);
            discrimination.AddRange(auc);
        }
        progress.Stage("scenarios: recovery after a category is ignored");
        var recovery = Recovery(users, catalog, testSar, [clarityMain, clarityDefaults], cut, settings, progress);
        var calibration = CalibrationRuns(users, simulator, catalog, scenario, settings, valTenant, testTenant, progress);

        return new ScenarioResult
        {
            Scenario = scenario,
            Users = users.Count,
            UsersPerArchetype = users.GroupBy(u => u.Archetype.ToString()).ToDictionary(g => g.Key, g => g.Count()),
            Signals = users.Sum(u => (long)u.Events.Count),
            RankedUsers = testUsers.Count,
            UsersAtRisk = atRisk.Count,
            SarHalfLifeDays = sarHalfLife,
            Clarity = clarityConfig,
            Tuning = tuning,
            CandidateRecall = candidateRecall,
            Comparison = rows,
            Durable = durable.Rows,
            Truth = truth,
            Discrimination = discrimination,
            Recovery = recovery,
            Calibration = calibration,
        };
    }

    /// <summary>Only the calibration part of <see cref="Run"/> (simulation, tenant knowledge, calibration runs), for refitting the engine's maps.</summary>
    public static List<CalibrationRun> Calibrate(Settings settings, Progress progress)
    {
        var scenario = new ScenarioSettings(settings.ScenarioUsers, settings.Seed);
        var catalog = new Catalog();
        var simulator = new Simulator(catalog, scenario);
        var users = simulator.Generate();
        return CalibrationRuns(users, simulator, catalog, scenario, settings,
            TenantCategories(catalog, users, scenario.ValidationCut), TenantCategories(catalog, users, scenario.TestCut), progress);
    }

    /// <summary>Users with at least one purchase in the target window after the cut, as in leave-last-basket-out.</summary>
    private static List<SimUser> Targeted(List<SimUser> users, double cut) =>
        [.. users.Where(u => Target(u, cut).Count > 0)];

    private static HashSet<int> Target(SimUser u, double cut) =>
        [.. u.Events.Where(e => e.Type == SignalType.Purchase && e.Day >= cut && e.Day < cut + TargetWindowDays).Select(e => e.Item)];

    private static MethodScores Score(string name, List<SimUser> users, double cut, int k, Func<SimUser, int, IReadOnlyList<int>> rank)
    {
        var scores = new UserScore[users.Count];
        for (var i = 0; i < users.Count; i++)
        {
            var u = users[i];
            var known = u.Events.Where(e => e.Day < cut && e.Type == SignalType.Purchase).Select(e => e.Item).ToHashSet();
            scores[i] = RankingMetrics.Score(rank(u, i), Target(u, cut), k, known);
        }
        return new MethodScores(name, "", scores);
    }

    private static List<int> RecentCategorySuppression(SimUser u, List<(int Item, double Score)> candidates, Catalog catalog, double cut, double days, int k)
    {
        var recent = u.Events.Where(e => e.Type == SignalType.Purchase && e.Day < cut && e.Day >= cut - days).Select(e => catalog.Items[e.Item].Category).ToHashSet();
        return [.. candidates.Select(c => c.Item).OrderBy(i => recent.Contains(catalog.Items[i].Category) ? 1 : 0).Take(k)];
    }

    /// <summary>Durable categories learned from purchases before the cut only: same-user repurchase within 90 days under 5%.</summary>
    internal static DurableCategories LearnDurable(Catalog catalog, IReadOnlyList<SimUser> users, double cut)
    {
        var purchases = new int[catalog.Categories.Count];
        var repurchased = new int[catalog.Categories.Count];
        foreach (var u in users)
        {
            var bought = u.Events.Where(e => e.Type == SignalType.Purchase && e.Day < cut).ToList();
            for (var i = 0; i < bought.Count; i++)
            {
                var e = bought[i];
                if (e.Day + DurableWindowDays > cut)
                {
                    continue; // its 90-day follow-up is not fully observed before the cut
                }
                var c = catalog.Items[e.Item].Category;
                purchases[c]++;
                if (bought.Skip(i + 1).Any(x => x.Day <= e.Day + DurableWindowDays && catalog.Items[x.Item].Category == c))
                {
                    repurchased[c]++;
                }
            }
        }
        var rows = new List<DurableRow>();
        var set = new HashSet<int>();
        foreach (var c in catalog.Categories)
        {
            var rate = purchases[c.Index] == 0 ? double.NaN : (double)repurchased[c.Index] / purchases[c.Index];
            var learned = purchases[c.Index] >= DurableMinPurchases && rate < DurableRepurchaseRate;
            if (learned)
            {
                set.Add(c.Index);
            }
            rows.Add(new DurableRow(c.Path, c.Role.ToString(), purchases[c.Index], rate, learned));
        }
        return new DurableCategories(set, rows);
    }

    /// <summary>
    /// The tenant's category attributes, as a tenant would configure them from its own data before
    /// the cut: durable as learned for AbsurdRepeat, replenishable when most purchases are of an item
    /// the same user bought within the previous 90 days (at least 20 purchases), consumable when
    /// consume signals occur, usual price from the catalog. Every leaf is listed, so the engine's
    /// built-in defaults (e.g. all of "electronics" durable) never apply to this tree.
    /// </summary>
    internal static Dictionary<string, CategoryAttributes> TenantCategories(Catalog catalog, IReadOnlyList<SimUser> users, double cut)
    {
        var durable = LearnDurable(catalog, users, cut).Set;
        var purchases = new int[catalog.Categories.Count];
        var sameItem = new int[catalog.Categories.Count];
        var consumed = new bool[catalog.Categories.Count];
        foreach (var u in users)
        {
            var last = new Dictionary<int, double>();
            foreach (var e in u.Events)
            {
                if (e.Day >= cut)
                {
                    break;
                }
                var c = catalog.Items[e.Item].Category;
                if (e.Type == SignalType.Consume)
                {
                    consumed[c] = true;
                }
                if (e.Type != SignalType.Purchase)
                {
                    continue;
                }
                purchases[c]++;
                if (last.TryGetValue(e.Item, out var before) && e.Day - before <= DurableWindowDays)
                {
                    sameItem[c]++;
                }
                last[e.Item] = e.Day;
            }
        }
        var result = new Dictionary<string, CategoryAttributes>(StringComparer.Ordinal);
        foreach (var c in catalog.Categories)
        {
            var isDurable = durable.Contains(c.Index);
            result[c.Path] = new CategoryAttributes
            {
                Durable = isDurable,
                Replenishable = !isDurable && purchases[c.Index] >= DurableMinPurchases && sameItem[c.Index] >= 0.5 * purchases[c.Index],
                Consumable = consumed[c.Index],
                UsualPrice = c.UsualPrice,
            };
        }
        return result;
    }

    private static HashSet<int> RecentDurable(SimUser u, Catalog catalog, DurableCategories durable, double cut) =>
        [.. u.Events.Where(e => e.Type == SignalType.Purchase && e.Day < cut && e.Day >= cut - DurableWindowDays)
            .Select(e => catalog.Items[e.Item].Category).Where(durable.Set.Contains)];

    private static bool AbsurdRepeat(List<int> top, HashSet<int> recentDurable, Catalog catalog) =>
        recentDurable.Count > 0 && top.Any(i => recentDurable.Contains(catalog.Items[i].Category));

    private static (List<TruthRow> Rows, List<TruthDiscrimination> Discrimination) TruthRecovery(List<SimUser> users, Simulator simulator, ScenarioClarity clarity, double cut, Progress progress)
    {
        var counts = new Dictionary<(string Archetype, BeliefKind Kind, bool Holds), int[]>();
        var scores = new Dictionary<BeliefKind, List<(double Confidence, bool Holds)>>();
        for (var i = 0; i < users.Count; i++)
        {
            progress.Tick(i);
            var u = users[i];
            var model = clarity.Replay(u, cut);
            var snapshots = clarity.Engine.Evaluate(model, Simulator.At(cut));
            foreach (var t in simulator.TruthAt(u, cut))
            {
                var key = (u.Archetype.ToString(), t.Kind, t.Holds);
                var c = counts.TryGetValue(key, out var x) ? x : counts[key] = new int[4];
                c[0]++;
                var match = snapshots.Where(s => s.Key.Kind == t.Kind && s.Status == BeliefStatus.Active && SubjectMatches(t.Kind, s.Key.Subject, t.Subject))
                    .OrderBy(s => s.Key.Subject == t.Subject ? 0 : 1).ThenByDescending(s => s.Evidence).FirstOrDefault();
                var options = clarity.Engine.Options.For(t.Kind);
                (scores.TryGetValue(t.Kind, out var list) ? list : scores[t.Kind] = []).Add(
                    (match?.Confidence ?? options.Calibration.Apply(options.PriorMean), t.Holds));
                if (match is null)
                {
                    c[2]++; // absent: no active belief
                    if (!t.Holds)
                    {
                        c[1]++; // not asserting a false statement is the right answer
                    }
                }
                else if (t.Holds ? match.Holds && match.Confidence >= HighConfidence : !match.Holds || match.Confidence < clarity.Engine.Options.For(t.Kind).PriorMean)
                {
                    c[1]++;
                }
                else
                {
                    c[3]++;
                }
            }
        }
        List<TruthRow> rows = [.. counts.OrderBy(p => p.Key.Archetype).ThenBy(p => p.Key.Kind).ThenBy(p => p.Key.Holds)
            .Select(p => new TruthRow(clarity.Name, p.Key.Archetype, p.Key.Kind.Wire(), p.Key.Holds, p.Value[0], p.Value[1], p.Value[2], p.Value[3]))];
        List<TruthDiscrimination> auc = [.. scores.OrderBy(p => p.Key)
            .Select(p => new TruthDiscrimination(clarity.Name, p.Key.Wire(), p.Value.Count(x => x.Holds), p.Value.Count(x => !x.Holds), Auc(p.Value)))];
        return (rows, auc);
    }

    /// <summary>Area under the ROC curve by ranks (ties share their mean rank); NaN without both classes.</summary>
    internal static double Auc(IReadOnlyList<(double Score, bool Positive)> scored)
    {
        var positives = scored.Count(x => x.Positive);
        var negatives = scored.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }
        var sorted = scored.OrderBy(x => x.Score).ToList();
        var rankSum = 0.0;
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j < sorted.Count && sorted[j].Score == sorted[i].Score)
            {
                j++;
            }
            var meanRank = (i + 1 + j) / 2.0;
            rankSum += meanRank * sorted.Skip(i).Take(j - i).Count(x => x.Positive);
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Engine subjects may be more or less specific than the truth's: an ancestor or descendant path matches.</summary>
    internal static bool SubjectMatches(BeliefKind kind, string engine, string truth)
    {
        if (kind == BeliefKind.PriceTier)
        {
            var a = engine.IndexOf('@', StringComparison.Ordinal);
            var b = truth.IndexOf('@', StringComparison.Ordinal);
            return a > 0 && b > 0 && string.Equals(engine[..a], truth[..b], StringComparison.OrdinalIgnoreCase)
                && SubjectMatches(BeliefKind.Affinity, engine[(a + 1)..], truth[(b + 1)..]);
        }
        return kind == BeliefKind.Affinity
            ? engine == truth
            : CategoryPath.IsWithin(engine, truth) || CategoryPath.IsWithin(truth, engine);
    }

    /// <summary>
    /// From the test cut on, each user ignores one category they liked: every round (a day) the
    /// method's top 10 is shown, each item of that category is an impression without engagement,
    /// dismissed explicitly 15% of the time (as the simulator's ignorers do). Counts impressions
    /// until the category leaves the top 10 (censored after 60 rounds).
    /// </summary>
    private static RecoveryResult Recovery(List<SimUser> users, Catalog catalog, ScenarioSar sar, ScenarioClarity[] clarities, double cut, Settings settings, Progress progress)
    {
        var k = settings.K;
        var baseline = new List<RecoveryUser>();
        var belief = clarities.Select(_ => new List<RecoveryUser>()).ToArray();
        var n = 0;
        foreach (var u in users)
        {
            if (n >= RecoveryUsers)
            {
                break;
            }
            var liked = u.Liked(cut);
            var candidates = sar.Top(u, cut, cut, settings.CandidateDepth);
            var sarTop = candidates.Take(k).Select(c => c.Item).ToList();
            var models = clarities.Select(c => c.Replay(u, cut)).ToArray();
            var tops = clarities.Select((c, i) => c.Rerank(models[i], u, candidates, cut, k)).ToArray();
            // The liked category most visible in the first Clarity list, present in every list.
            var x = liked.Where(c => sarTop.Any(i => catalog.Items[i].Category == c) && tops.All(t => t.Any(i => catalog.Items[i].Category == c)))
                .OrderByDescending(c => tops[0].Count(i => catalog.Items[i].Category == c)).DefaultIfEmpty(-1).First();
            if (x < 0)
            {
                continue;
            }
            progress.Tick(n++);
            baseline.Add(Run(day => ([.. sar.Top(u, cut, day, k).Select(c => c.Item)], null), (_, _, _, _, _) => { }));
            for (var m = 0; m < clarities.Length; m++)
            {
                var clarity = clarities[m];
                var model = models[m];
                belief[m].Add(Run(day => clarity.Decide(model, u, sar.Top(u, cut, day, settings.CandidateDepth), day, k),
                    (item, day, id, dismissed, decision) => clarity.Impression(model, u, item, day, id, dismissed, decision)));
            }

            RecoveryUser Run(Func<double, (List<int> Items, string? DecisionId)> top, Action<int, double, string, bool, string?> impressed)
            {
                // The same user behaviour for every method: one seeded stream of dismissals per user.
                var random = new Random(unchecked(settings.Seed * 31 + u.Index));
                var impressions = 0;
                for (var round = 0; round < RecoveryRounds; round++)
                {
                    var day = cut + round;
                    var (list, decision) = top(day);
                    var shown = list.Where(i => catalog.Items[i].Category == x).ToList();
                    if (shown.Count == 0)
                    {
                        return new RecoveryUser(u.Id, catalog.Categories[x].Path, impressions, round, true);
                    }
                    foreach (var item in shown)
                    {
                        impressed(item, day + 0.5, $"{round}/{item}", random.NextDouble() < RecoveryDismissRate, decision);
                        impressions++;
                    }
                }
                return new RecoveryUser(u.Id, catalog.Categories[x].Path, impressions, RecoveryRounds, false);
            }
        }
        // The curve runs a little past the last recovery seen (censored users stay "still showing").
        var all = belief.SelectMany(b => b).Concat(baseline).ToList();
        var max = Math.Min(400, 10 + all.Where(r => r.Recovered).Select(r => r.Impressions).DefaultIfEmpty(50).Max());
        return new RecoveryResult(baseline.Count, RecoveryRounds,
            [Summarise(Baseline, baseline, max), .. clarities.Select((c, i) => Summarise(c.Name, belief[i], max))]);
    }

    private static RecoveryMethod Summarise(string method, List<RecoveryUser> runs, int max)
    {
        var recovered = runs.Where(r => r.Recovered).Select(r => (double)r.Impressions).Order().ToArray();
        var curve = new List<double>();
        for (var i = 0; i <= max; i++)
        {
            // Still showing the category after i impressions: not recovered yet at that count.
            curve.Add(runs.Count == 0 ? double.NaN : runs.Average(r => !r.Recovered || r.Impressions > i ? 1.0 : 0.0));
        }
        return new RecoveryMethod(method, runs.Count, runs.Count == 0 ? double.NaN : runs.Average(r => r.Recovered ? 1.0 : 0.0),
            recovered.Length == 0 ? double.NaN : Bootstrap.Quantile(recovered, 0.5),
            recovered.Length == 0 ? double.NaN : recovered.Average(),
            runs.Count == 0 ? double.NaN : runs.Average(r => r.Impressions), curve);
    }

    /// <summary>
    /// Calibration on held-out time: engine defaults and, when tuning, constants chosen on validation.
    /// Each split's held-out period runs from its cut to the next cut (validation) or the end of the
    /// simulation (test); beliefs are scored at the cut and every <see cref="Horizons.InstantStep"/>
    /// days after it while the kind's horizon still ends inside the period, each instant's beliefs
    /// against the events after that instant (the replay continues from one instant to the next).
    /// </summary>
    private static List<CalibrationRun> CalibrationRuns(List<SimUser> users, Simulator simulator, Catalog catalog, ScenarioSettings scenario, Settings settings,
        Dictionary<string, CategoryAttributes> valTenant, Dictionary<string, CategoryAttributes> testTenant, Progress progress) =>
        CalibrationTuning.Run((name, options, split) =>
        {
            var cut = split == Split.Test ? scenario.TestCut : scenario.ValidationCut;
            var end = split == Split.Test ? scenario.Days : scenario.TestCut;
            var h = settings.Horizons;
            var kinds = Enum.GetValues<BeliefKind>();
            var instants = kinds.ToDictionary(k => k, k => h.Instants(cut, end, k, purchasesOnly: false).ToHashSet());
            var all = instants.Values.SelectMany(x => x).Distinct().Order().ToList();
            var clarity = new ScenarioClarity(name, options, simulator, catalog, split == Split.Test ? testTenant : valTenant);
            progress.Stage($"scenarios: calibration, {name} ({split.ToString().ToLowerInvariant()}, {all.Count} instants)", users.Count);
            var pairs = new Dictionary<BeliefKind, List<(double, bool)>>();
            var raw = new Dictionary<BeliefKind, List<(double, bool)>>();
            for (var i = 0; i < users.Count; i++)
            {
                progress.Tick(i);
                var u = users[i];
                var model = new SelfModel();
                var n = 0;
                foreach (var t in all)
                {
                    n = clarity.ReplayUntil(model, u, n, t);
                    var (before, after) = Outcomes(u, catalog, t);
                    foreach (var s in clarity.Engine.Evaluate(model, Simulator.At(t)))
                    {
                        if (s.Status != BeliefStatus.Active || !instants[s.Key.Kind].Contains(t))
                        {
                            continue;
                        }
                        if (KindEvents.Outcome(s.Key.Kind, s.Key.Subject, t, before, after, h, purchasesOnly: false, NextDay(s), end) is { } o)
                        {
                            (pairs.TryGetValue(s.Key.Kind, out var l) ? l : pairs[s.Key.Kind] = []).Add((s.Confidence, o));
                            (raw.TryGetValue(s.Key.Kind, out var rl) ? rl : raw[s.Key.Kind] = []).Add((s.Posterior, o));
                        }
                    }
                }
            }
            return new CalibrationRun(name, split.ToString().ToLowerInvariant(), "scenarios",
                [.. kinds.Select(kind => KindCalibration.Of(kind.Wire(), pairs.GetValueOrDefault(kind) ?? []))], [])
            {
                Pairs = pairs.ToDictionary(p => p.Key.Wire(), p => p.Value),
                RawPairs = raw.ToDictionary(p => p.Key.Wire(), p => p.Value),
            };
        }, settings.Tune);

    /// <summary>A replenishment belief's predicted next date, as a simulator day.</summary>
    internal static double? NextDay(BeliefSnapshot snapshot) =>
        snapshot.Belief.ExpectedAt is { } at ? Simulator.DayOf(at) : null;

    internal static (List<OutcomeEvent> Before, List<OutcomeEvent> After) Outcomes(SimUser u, Catalog catalog, double cut)
    {
        var before = new List<OutcomeEvent>();
        var after = new List<OutcomeEvent>();
        foreach (var e in u.Events)
        {
            var item = catalog.Items[e.Item];
            var o = new OutcomeEvent(e.Day, e.Type, item.Id, catalog.Categories[item.Category].Path, e.Value, e.Gift, item.Tier);
            (e.Day < cut ? before : after).Add(o);
        }
        return (before, after);
    }
}
