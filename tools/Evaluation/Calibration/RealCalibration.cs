using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;
using Clarity.Evaluation.Protocol;
using Clarity.Evaluation.Scenarios;

namespace Clarity.Evaluation.Calibration;

/// <summary>
/// Calibration on the real purchase log: every customer's purchases and returns before a global cut
/// are replayed through the engine; each active belief's confidence is scored against what the
/// customer bought in the horizon after the cut. Only purchases are observed, so only the kinds
/// purchases can produce are scored (affinity as "buys in the category within 90 days").
/// </summary>
public static class RealCalibration
{
    /// <summary>Validation cut (tuning) and test cut; both leave a full 90 days before the data ends (2011-12-09).</summary>
    public static readonly DateTime ValidationCut = new(2011, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    public static readonly DateTime TestCut = new(2011, 9, 9, 0, 0, 0, DateTimeKind.Utc);

    private static readonly DateTime Epoch = new(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Runs on <paramref name="customers"/> (every customer, or the run's sample when one is asked for).</summary>
    public static List<CalibrationRun> Run(Dataset data, IReadOnlyList<CustomerBaskets> customers, Settings settings, Progress progress)
    {
        var items = data.Items;
        var categories = Enumerable.Range(0, items.Count).Select(items.Category).ToArray();
        var prices = Enumerable.Range(0, items.Count).Select(items.MeanPrice).ToArray();
        return CalibrationTuning.Run((name, options, split) =>
        {
            var cut = split == Split.Test ? TestCut : ValidationCut;
            var cutDay = Day(cut);
            var engine = new BeliefEngine(options);
            progress.Stage($"real data: calibration, {name} ({split.ToString().ToLowerInvariant()})", customers.Count);
            var pairs = new Dictionary<BeliefKind, List<(double, bool)>>();
            var raw = new Dictionary<BeliefKind, List<(double, bool)>>();
            for (var i = 0; i < customers.Count; i++)
            {
                progress.Tick(i);
                var c = customers[i];
                if (c.Baskets.Count == 0 || c.Baskets[0].Time >= cut)
                {
                    continue;
                }
                var signals = new List<Signal>();
                var before = new List<OutcomeEvent>();
                var after = new List<OutcomeEvent>();
                foreach (var b in c.Baskets)
                {
                    foreach (var item in b.Items)
                    {
                        var e = new OutcomeEvent(Day(b.Time), SignalType.Purchase, items.Code(item), categories[item]);
                        if (b.Time < cut)
                        {
                            before.Add(e);
                            signals.Add(new Signal($"{b.Invoice}/{items.Code(item)}", SignalType.Purchase, new DateTimeOffset(b.Time, TimeSpan.Zero),
                                new ItemRef(items.Code(item), categories[item], prices[item])));
                        }
                        else
                        {
                            after.Add(e);
                        }
                    }
                }
                var n = 0;
                foreach (var r in c.Returns.Where(r => r.Time < cut))
                {
                    signals.Add(new Signal($"{r.Invoice}/{items.Code(r.Item)}/{n++}", SignalType.Return, new DateTimeOffset(r.Time, TimeSpan.Zero),
                        new ItemRef(items.Code(r.Item), categories[r.Item], prices[r.Item]), (double)r.Quantity));
                }
                var model = new SelfModel();
                foreach (var s in signals.OrderBy(s => s.OccurredAt))
                {
                    engine.Apply(model, s);
                }
                foreach (var s in engine.Evaluate(model, new DateTimeOffset(cut, TimeSpan.Zero)))
                {
                    if (s.Status == BeliefStatus.Active
                        && KindEvents.Outcome(s.Key.Kind, s.Key.Subject, cutDay, before, after, settings.Horizons, purchasesOnly: true, RealNextDay(s)) is { } o)
                    {
                        (pairs.TryGetValue(s.Key.Kind, out var l) ? l : pairs[s.Key.Kind] = []).Add((s.Confidence, o));
                        (raw.TryGetValue(s.Key.Kind, out var rl) ? rl : raw[s.Key.Kind] = []).Add((s.Posterior, o));
                    }
                }
            }
            return new CalibrationRun(name, split.ToString().ToLowerInvariant(), "online-retail",
                [.. Enum.GetValues<BeliefKind>().Select(kind => KindCalibration.Of(kind.Wire(), pairs.GetValueOrDefault(kind) ?? []))], [])
            {
                Pairs = pairs.ToDictionary(p => p.Key.Wire(), p => p.Value),
                RawPairs = raw.ToDictionary(p => p.Key.Wire(), p => p.Value),
            };
        }, settings.Tune);
    }

    private static double Day(DateTime t) => (t - Epoch).TotalDays;

    private static double? RealNextDay(BeliefSnapshot s) =>
        Scenarios.ScenarioEvaluator.NextDay(s) is { } simDay ? Day(Scenarios.Simulator.At(simDay).UtcDateTime) : null;
}
