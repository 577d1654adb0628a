using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Evaluation.Protocol;
using Clarity.Evaluation.Scenarios;

namespace Clarity.Evaluation.Calibration;

/// <summary>
/// Calibration runs for one data source: engine defaults on validation and test, and, when tuning,
/// per-kind priors and half-life chosen by ECE on the validation cut only, then scored on test once.
/// Kinds do not share evidence, so one grid over all kinds at once serves each kind separately.
/// </summary>
public static class CalibrationTuning
{
    public static readonly double[] HalfLifeScales = [0.5, 1.0, 2.0];

    public static readonly (double Support, double Against)[] Priors = [(1, 2), (1, 1), (1, 4), (0.5, 2), (2, 2), (1, 8)];

    public static List<CalibrationRun> Run(Func<string, EngineOptions, Split, CalibrationRun> calibrate, bool tune)
    {
        var defaults = new EngineOptions();
        var runs = new List<CalibrationRun>
        {
            calibrate("engine defaults", defaults, Split.Validation),
            calibrate("engine defaults", defaults, Split.Test),
        };
        if (!tune)
        {
            return runs;
        }
        runs.Add(RefitMaps(runs[0], runs[1]));
        var kinds = Enum.GetValues<BeliefKind>();
        var best = runs[0].Kinds.ToDictionary(k => k.Kind, k => (Ece: k.Predictions > 0 ? k.Ece : double.PositiveInfinity, Run: k, Options: (KindOptions?)null));
        foreach (var scale in HalfLifeScales)
        {
            foreach (var (support, against) in Priors)
            {
                var options = new EngineOptions();
                foreach (var kind in kinds)
                {
                    var o = options.For(kind).Clone();
                    o.HalfLifeDays *= scale;
                    o.PriorSupport = support;
                    o.PriorAgainst = against;
                    options.Kinds[kind] = o;
                }
                var run = calibrate($"grid: half-life x{scale}, prior {support}/{against}", options, Split.Validation);
                foreach (var kc in run.Kinds)
                {
                    if (kc.Predictions > 0 && kc.Ece < best[kc.Kind].Ece - 1e-9)
                    {
                        best[kc.Kind] = (kc.Ece, kc, options.For(kinds.First(x => x.Wire() == kc.Kind)));
                    }
                }
            }
        }
        var tuned = new EngineOptions();
        var changes = new Dictionary<string, string>();
        foreach (var kind in kinds)
        {
            if (best[kind.Wire()].Options is { } o)
            {
                tuned.Kinds[kind] = o;
                changes[kind.Wire()] = $"HalfLifeDays={o.HalfLifeDays:0.##}, PriorSupport={o.PriorSupport:0.##}, PriorAgainst={o.PriorAgainst:0.##}";
            }
        }
        runs.Add(new CalibrationRun("tuned on validation", "validation", runs[0].Data, [.. kinds.Select(k => best[k.Wire()].Run)], changes));
        runs.Add(calibrate("tuned on validation", tuned, Split.Test) with { Changes = changes });
        return runs;
    }

    /// <summary>Fewest validation predictions of a kind to fit its map on; below it the engine's map stays.</summary>
    public const int MinFitPredictions = 20;

    /// <summary>The target: a kind is calibrated when its ECE is at most this.</summary>
    public const double TargetEce = 0.05;

    /// <summary>
    /// The engine's per-kind calibration map (<see cref="CalibrationMap"/>) refitted on the validation
    /// pairs and applied to the test pairs: what the engine defaults would become if these were
    /// written into EngineOptions.Defaults. Per kind the logistic (p' = sigmoid(intercept + slope *
    /// logit(p)) of the raw posterior mean) is fitted first; where even its in-sample validation ECE
    /// misses <see cref="TargetEce"/> (two parameters cannot follow the data), the monotone
    /// piecewise-linear map (<see cref="Isotonic"/>) is used instead. The choice reads validation only.
    /// The fitted constants are reported as configuration keys, so a tenant can run this on their own
    /// log and configure the result.
    /// </summary>
    public static CalibrationRun RefitMaps(CalibrationRun validation, CalibrationRun test)
    {
        var defaults = new EngineOptions();
        var changes = new Dictionary<string, string>();
        var kinds = new List<KindCalibration>();
        foreach (var kc in test.Kinds)
        {
            var kind = Enum.GetValues<BeliefKind>().First(k => k.Wire() == kc.Kind);
            var pairs = test.RawPairs.GetValueOrDefault(kc.Kind) ?? [];
            var map = defaults.For(kind).Calibration;
            if (validation.RawPairs.TryGetValue(kc.Kind, out var v) && v.Count >= MinFitPredictions)
            {
                var (a, b) = Platt.Fit(v);
                map = new CalibrationMap { Slope = a, Intercept = b };
                var key = $"Clarity:Engine:Kinds:{kind}:Calibration";
                var logisticEce = KindCalibration.Of(kc.Kind, [.. v.Select(x => (map.Apply(x.P), x.O))]).Ece;
                if (logisticEce <= TargetEce)
                {
                    changes[kc.Kind] = $"{key}:Slope={a:0.###}, Intercept={b:0.###} (from {v.Count:N0} validation predictions; validation ECE {logisticEce:0.000})";
                }
                else
                {
                    map = new CalibrationMap { Points = Isotonic.Fit(v) };
                    var ece = KindCalibration.Of(kc.Kind, [.. v.Select(x => (map.Apply(x.P), x.O))]).Ece;
                    changes[kc.Kind] = $"{key}:Points=\"{map.Points}\" (from {v.Count:N0} validation predictions; the logistic's validation ECE {logisticEce:0.000} misses {TargetEce}, this map's {ece:0.000})";
                }
            }
            kinds.Add(KindCalibration.Of(kc.Kind, [.. pairs.Select(x => (map.Apply(x.P), x.O))]));
        }
        return new CalibrationRun("calibration maps refitted on validation", "test", test.Data, kinds, changes);
    }
}

/// <summary>
/// Monotone recalibration: the validation pairs, sorted by raw posterior, in equal-count bins; the
/// bins' event rates (smoothed as Platt's targets, (events + 1) / (n + 2)) made non-decreasing by
/// pool-adjacent-violators; a knot at the first and last bin of each pooled block, at the bins'
/// mean posteriors. The result is <see cref="CalibrationMap.Points"/>.
/// </summary>
public static class Isotonic
{
    public const int Bins = 15;

    public static string Fit(IReadOnlyList<(double P, bool O)> pairs)
    {
        var sorted = pairs.OrderBy(x => x.P).ToList();
        var bins = new List<(double P, double Events, double N)>();
        for (var b = 0; b < Bins; b++)
        {
            var from = sorted.Count * b / Bins;
            var to = sorted.Count * (b + 1) / Bins;
            if (to > from)
            {
                var slice = sorted.GetRange(from, to - from);
                bins.Add((slice.Average(x => x.P), slice.Count(x => x.O), slice.Count));
            }
        }
        // Pool adjacent violators: blocks of bins with their pooled (smoothed) rate.
        var blocks = new List<(int First, int Last, double Events, double N)>();
        for (var i = 0; i < bins.Count; i++)
        {
            blocks.Add((i, i, bins[i].Events, bins[i].N));
            while (blocks.Count > 1 && Rate(blocks[^2]) >= Rate(blocks[^1]))
            {
                var (f, _, e, n) = blocks[^2];
                var last = blocks[^1];
                blocks.RemoveRange(blocks.Count - 2, 2);
                blocks.Add((f, last.Last, e + last.Events, n + last.N));
            }
        }
        var knots = new List<(double X, double Y)>();
        foreach (var block in blocks)
        {
            var y = Math.Round(Rate(block), 3);
            foreach (var x in block.First == block.Last ? [bins[block.First].P] : new[] { bins[block.First].P, bins[block.Last].P })
            {
                var rx = Math.Round(x, 3);
                if (knots.Count == 0 || rx > knots[^1].X)
                {
                    knots.Add((rx, Math.Max(y, knots.Count == 0 ? 0 : knots[^1].Y)));
                }
            }
        }
        return string.Join(' ', knots.Select(k => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{k.X}:{k.Y}")));

        static double Rate((int, int, double Events, double N) block) => (block.Events + 1) / (block.N + 2);
    }
}

/// <summary>
/// Two-parameter logistic recalibration (Platt scaling) fitted by Newton's method on the log loss,
/// with Platt's smoothed targets ((n+ + 1) / (n+ + 2) for events, 1 / (n- + 2) for non-events) so a
/// kind whose validation events all happened (or none did) gets a confident map, not an infinite
/// one, and a weak ridge toward the identity so that confidences that barely vary still give a fit.
/// </summary>
public static class Platt
{
    /// <summary>Ridge toward slope 1, intercept 0, per parameter; small against any sample worth fitting.</summary>
    public const double Ridge = 1e-2;

    private static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-9, 1 - 1e-9);
        return Math.Log(p / (1 - p));
    }

    /// <summary>The map as the engine applies it (<see cref="CalibrationMap"/>): A is the slope, B the intercept.</summary>
    public static double Apply((double A, double B) f, double p) => new CalibrationMap { Slope = f.A, Intercept = f.B }.Apply(p);

    public static (double A, double B) Fit(IReadOnlyList<(double P, bool O)> pairs)
    {
        var events = pairs.Count(x => x.O);
        var hit = (events + 1.0) / (events + 2.0);
        var miss = 1.0 / (pairs.Count - events + 2.0);
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = Ridge * (a - 1), gb = Ridge * b, haa = Ridge, hab = 0, hbb = Ridge;
            foreach (var (p, o) in pairs)
            {
                var x = Logit(p);
                var q = 1 / (1 + Math.Exp(-(a * x + b)));
                var r = q - (o ? hit : miss);
                var w = Math.Max(q * (1 - q), 1e-12);
                ga += r * x;
                gb += r;
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            var det = haa * hbb - hab * hab;
            if (Math.Abs(det) < 1e-15)
            {
                break;
            }
            var da = (hbb * ga - hab * gb) / det;
            var db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-10)
            {
                break;
            }
        }
        return (a, b);
    }
}
