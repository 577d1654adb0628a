using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Interpretation;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;

namespace Clarity.Engine.Tests;

/// <summary>
/// A guard for changes that must not change what the engine computes (memory layout, speed): 300
/// generated histories under five configurations, with late, duplicate and beyond-window signals,
/// feedback on decisions, corrections, housekeeping, reranks, the belief and statistics bounds, and
/// snapshot plus restore, written out in full (every double round-trip exact) and compared by digest.
/// </summary>
/// <remarks>
/// A change meant to change the engine's outputs updates <see cref="ExpectedDigest"/>: set
/// CLARITY_GOLDEN_OUT to a file path to get the text that is digested (diff it against the
/// previous commit's to see exactly what changed).
/// </remarks>
public sealed class GoldenReplayTests
{
    private const string ExpectedDigest = "994DD19F8693A52CA2C69D1095595F2CC29CD801C31647B38EFB21E16A5DB4C2";

    [Fact]
    public void The_golden_replay_is_byte_identical()
    {
        var text = new StringBuilder();
        foreach (var (name, options) in Configurations())
        {
            var engine = new BeliefEngine(options);
            for (var history = 0; history < 60; history++)
            {
                text.Append("# ").Append(name).Append(' ').Append(history).Append('\n');
                new Replay(engine, new Random(history * 7919 + name.Length), text).Run();
            }
        }
        if (Environment.GetEnvironmentVariable("CLARITY_GOLDEN_OUT") is { Length: > 0 } path)
        {
            File.WriteAllText(path, text.ToString());
        }
        var digest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        Assert.Equal(ExpectedDigest, digest);
    }

    private static IEnumerable<(string Name, EngineOptions Options)> Configurations()
    {
        yield return ("default", new EngineOptions());
        yield return ("bounded", new EngineOptions
        {
            MaxBeliefs = 12,
            TrailLength = 3,
            Interpretation = new InterpretationOptions
            {
                MaxCategoryStats = 4,
                MaxItemStats = 2,
                SaturationMemory = 3,
                ReorderWindowSignals = 5,
            },
            Rerank = new RerankOptions { MaxDecisions = 2 },
        });
        yield return ("no-window", new EngineOptions
        {
            Interpretation = new InterpretationOptions { ReorderWindowSignals = 0 },
        });
        yield return ("restockers", new EngineOptions
        {
            Interpretation = new InterpretationOptions { ItemFirstPurchaseSupport = 0.5, SatiateResearchedDurables = false, ResearchViews = 3 },
        });
        yield return ("silo", new EngineOptions
        {
            RecentSignalIds = 0,
            Interpretation = new InterpretationOptions { ReorderWindowDays = 1, MaxCategoryStats = 9 },
        });
    }

    private sealed class Replay(BeliefEngine engine, Random random, StringBuilder text)
    {
        private static readonly string[] Roots = ["movies", "books", "grocery", "home", "electronics", "fashion", "pets"];
        private static readonly SignalType[] Types =
        [
            SignalType.View, SignalType.View, SignalType.View, SignalType.Click, SignalType.AddToCart, SignalType.Purchase,
            SignalType.Purchase, SignalType.Return, SignalType.Rating, SignalType.Consume, SignalType.Consume,
            SignalType.Impression, SignalType.Dismiss,
        ];

        private readonly Reranker _reranker = new(engine);
        private readonly List<Signal> _sent = [];
        private SelfModel _model = new();
        private DateTimeOffset _now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(100_000));
        private Decision? _lastDecision;
        private int _next;
        // A third of the users mostly watch or read, finishing what they start: genre streaks and
        // switches (variety), repeat episodes, and the statistics of the top-level categories.
        private readonly bool _watcher = random.Next(3) == 0;

        public void Run()
        {
            var events = 40 + random.Next(80);
            for (var i = 0; i < events; i++)
            {
                var roll = random.NextDouble();
                if (roll < 0.78)
                {
                    Apply(NextSignal());
                }
                else if (roll < 0.82 && _sent.Count > 0)
                {
                    // A retry of a signal already sent.
                    Apply(_sent[random.Next(_sent.Count)]);
                }
                else if (roll < 0.89)
                {
                    Rerank();
                }
                else if (roll < 0.92)
                {
                    Housekeep();
                }
                else if (roll < 0.96)
                {
                    Correct();
                }
                else
                {
                    SnapshotAndRestore();
                }
            }
            Line("final");
            Write(engine.Evaluate(_model, _now.AddDays(1)));
            Line("memory " + Memory.Export(_model));
        }

        private string Category()
        {
            var root = Roots[random.Next(Roots.Length)];
            var depth = random.Next(3);
            return depth switch
            {
                0 => root,
                1 => $"{root}/g{random.Next(3)}",
                _ => $"{root}/g{random.Next(3)}/l{random.Next(3)}",
            };
        }

        private Signal NextSignal()
        {
            var timing = random.NextDouble();
            _now = _now.AddMinutes(random.Next(1, timing < 0.7 ? 90 : 4000));
            var at = timing switch
            {
                < 0.12 => _now.AddHours(-random.Next(1, 72)),
                < 0.15 => _now.AddDays(-random.Next(10, 40)),
                _ => _now,
            };
            var watching = _watcher && random.Next(3) > 0;
            var type = watching ? SignalType.Consume : Types[random.Next(Types.Length)];
            var category = watching ? $"{(random.Next(4) == 0 ? "books" : "movies")}/g{random.Next(random.Next(2) == 0 ? 1 : 3)}/l{random.Next(3)}" : Category();
            var item = $"{category}#{random.Next(4)}";
            double? price = random.NextDouble() < 0.6 ? Math.Round(5 + random.NextDouble() * 200, 2) : null;
            IReadOnlyList<string>? tags = random.Next(10) switch
            {
                0 => ["premium"],
                1 => ["budget"],
                _ => null,
            };
            double? value = type switch
            {
                SignalType.Rating => random.Next(1, 6),
                SignalType.Consume => watching ? Math.Round(0.5 + random.NextDouble() / 2, 2) : Math.Round(random.NextDouble(), 2),
                _ => null,
            };
            string? decision = null;
            if (_lastDecision is { } last && random.NextDouble() < 0.3 && last.Result.Items.Count > 0)
            {
                var answered = last.Request.Candidates[random.Next(last.Request.Candidates.Count)];
                (item, category, decision) = (answered.Id, answered.Category, last.Id);
            }
            var context = new SignalContext(
                random.NextDouble() < 0.5 ? $"session-{random.Next(5)}" : null,
                decision,
                random.NextDouble() < 0.05);
            var signal = new Signal($"s{_next++}", type, at, new ItemRef(item, category, price, tags), value, context);
            _sent.Add(signal);
            return signal;
        }

        private void Apply(Signal signal)
        {
            var changes = new List<BeliefChange>();
            var applied = engine.Apply(_model, signal, changes);
            Line($"apply {signal.Id} {applied}");
            Write(changes);
        }

        private void Rerank()
        {
            var candidates = new Candidate[3 + random.Next(10)];
            for (var i = 0; i < candidates.Length; i++)
            {
                var category = Category();
                candidates[i] = new Candidate(
                    $"{category}#{random.Next(4)}",
                    category,
                    random.NextDouble() < 0.7 ? Math.Round(random.NextDouble(), 3) : null,
                    random.NextDouble() < 0.5 ? Math.Round(5 + random.NextDouble() * 200, 2) : null,
                    random.Next(8) == 0 ? ["complementary"] : null);
            }
            string[] contexts = ["browse", "post_purchase", "search"];
            string[] objectives = [Objectives.Relevance, Objectives.Diversity, Objectives.Exploration];
            var request = new RerankRequest(
                candidates.DistinctBy(c => c.Id).ToList(),
                _now,
                contexts[random.Next(contexts.Length)],
                objectives[random.Next(objectives.Length)],
                random.Next(3) == 0 ? 4 : null,
                "user");
            var decision = _reranker.Decide(_model, request);
            engine.Record(_model, decision);
            _lastDecision = decision;
            Line($"rerank {decision.Id}");
            foreach (var item in decision.Result.Items)
            {
                Line($"  {item.Id} {item.Rank} {D(item.Score)} {D(item.BaseScore)}");
                Write(item.Reasons);
            }
            foreach (var item in decision.Result.Suppressed)
            {
                Line($"  suppressed {item.Id}");
                Write(item.Reasons);
            }
        }

        private void Housekeep()
        {
            _now = _now.AddDays(random.Next(0, 40));
            Line($"housekeep {_now.UtcTicks}");
            Write(engine.Housekeep(_model, _now));
        }

        private void Correct()
        {
            var beliefs = _model.Beliefs.Values.ToList();
            if (beliefs.Count == 0)
            {
                return;
            }
            var belief = beliefs[random.Next(beliefs.Count)];
            switch (random.Next(4))
            {
                case 0:
                    Line("confirm " + belief.Id);
                    Write(engine.Confirm(_model, belief.Id, _now));
                    break;
                case 1:
                    Line("reject " + belief.Id);
                    Write(engine.Reject(_model, belief.Id, _now));
                    break;
                case 2:
                    Line($"forget {belief.Id} {engine.Forget(_model, belief.Id, _now)}");
                    break;
                default:
                    var holds = random.Next(2) == 0;
                    Line($"state {belief.Id} {holds}");
                    Write(engine.State(_model, belief.Key, holds, _now));
                    break;
            }
        }

        // What a host stores and reads back (the grains' state mapping does the same).
        private void SnapshotAndRestore()
        {
            var folded = Memory.ExportFolded(_model);
            Line("snapshot " + folded);
            var restored = new SelfModel
            {
                FirstSignalAt = _model.FirstSignalAt,
                LastSignalAt = _model.LastSignalAt,
                SignalCount = _model.SignalCount,
            };
            foreach (var id in _model.RecentSignalIds)
            {
                restored.RememberSignalId(id, engine.Options.RecentSignalIds);
            }
            foreach (var b in _model.FoldedBeliefs.Values)
            {
                var belief = new Belief(b.Key, b.FirstObservedAt)
                {
                    Support = b.Support,
                    Against = b.Against,
                    Observations = b.Observations,
                    Contradictions = b.Contradictions,
                    LastObservedAt = b.LastObservedAt,
                    Source = b.Source,
                    Status = b.Status,
                    Holds = b.Holds,
                    Correction = b.Correction,
                    ExpectedAt = b.ExpectedAt,
                };
                belief.RestoreTrail([.. b.Trail]);
                restored.Restore(belief);
            }
            foreach (var (key, cutoff) in _model.EvidenceCutoffs)
            {
                restored.SetCutoff(key, cutoff, engine.Options.Corrections.MaxCutoffs);
            }
            Memory.Import(restored, folded, engine.Options.Interpretation.SaturationMemory);
            var window = _model.WindowSignals.ToList();
            engine.RestoreDecisions(restored, _model.RecordedDecisions.ToList());
            if (window.Count > 0)
            {
                engine.RestoreWindow(restored, window);
            }
            _model = restored;
            Line("restored " + Memory.Export(_model));
        }

        private void Write(IEnumerable<BeliefChange> changes)
        {
            foreach (var c in changes)
            {
                Line($"  {c.Kind} {c.BeliefId} {c.SignalId} {D(c.Effect)}");
            }
        }

        private void Write(IEnumerable<Reason> reasons)
        {
            foreach (var r in reasons)
            {
                Line($"    {r.BeliefId} {r.Statement} {D(r.Effect)}");
            }
        }

        private void Write(BeliefSnapshot? snapshot)
        {
            if (snapshot is null)
            {
                Line("  none");
                return;
            }
            var b = snapshot.Belief;
            Line($"  {snapshot.Id} {snapshot.Statement} {D(snapshot.Confidence)} {D(snapshot.Posterior)} {D(snapshot.Evidence)} "
                + $"{snapshot.Status} {snapshot.Holds} {D(snapshot.HalfLifeDays)} {b.Observations} {b.Contradictions} "
                + $"{b.FirstObservedAt.UtcTicks} {b.LastObservedAt.UtcTicks} {b.ExpectedAt?.UtcTicks} {b.Source} {b.Correction}");
            foreach (var t in b.Trail)
            {
                Line($"    {t.SignalId} {t.Type} {t.OccurredAt:O} {D(t.Effect)} {t.Note}");
            }
        }

        private void Write(IEnumerable<BeliefSnapshot> snapshots)
        {
            foreach (var snapshot in snapshots)
            {
                Write(snapshot);
            }
        }

        private static string D(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private void Line(string line) => text.Append(line).Append('\n');
    }
}
