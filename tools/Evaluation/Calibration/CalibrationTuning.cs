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

    /// <summary>
    /// The engine's per-kind calibration map (<see cref="CalibrationMap"/>, p' = sigmoid(intercept +
    /// slope * logit(p)) of the raw posterior mean) refitted on the validation pairs and applied to
    /// the test pairs: what the engine defaults would become if these were written into
    /// EngineOptions.Defaults. The fitted constants are reported as configuration keys, so a tenant
    /// can run this on their own log and configure the result.
    /// </summary>
    public static CalibrationRun RefitMaps(CalibrationRun validation, CalibrationRun test)
    {
        var defaults = new EngineOptions();
        var changes = new Dictionary<string, string>();
        var kinds = new List<KindCalibration>();
        foreach (var kc in test.Kinds)
        {
            var kind = Enum.GetValues<BeliefKind>().First(k => k.Wire() == kc.Kind);
            var fit = validation.RawPairs.TryGetValue(kc.Kind, out var v) && v.Count >= MinFitPredictions ? Platt.Fit(v) : ((double A, double B)?)null;
            var pairs = test.RawPairs.GetValueOrDefault(kc.Kind) ?? [];
            if (fit is { } f)
            {
                changes[kc.Kind] = $"Clarity:Engine:Kinds:{kind}:Calibration:Slope={f.A:0.###}, Intercept={f.B:0.###} (from {v!.Count:N0} validation predictions)";
                kinds.Add(KindCalibration.Of(kc.Kind, [.. pairs.Select(x => (Platt.Apply(f, x.P), x.O))]));
            }
            else
            {
                var map = defaults.For(kind).Calibration;
                kinds.Add(KindCalibration.Of(kc.Kind, [.. pairs.Select(x => (map.Apply(x.P), x.O))]));
            }
        }
        return new CalibrationRun("calibration maps refitted on validation", "test", test.Data, kinds, changes);
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
