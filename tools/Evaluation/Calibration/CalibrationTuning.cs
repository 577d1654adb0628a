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
        runs.Add(PlattProposal(runs[0], runs[1]));
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

    /// <summary>
    /// The proposal when constants alone cannot calibrate a kind: a per-kind logistic map of the
    /// engine's confidence, p' = sigmoid(a * logit(p) + b), fitted on the validation pairs and applied
    /// to the test pairs (not an engine feature yet; the fitted a and b are reported).
    /// </summary>
    public static CalibrationRun PlattProposal(CalibrationRun validation, CalibrationRun test)
    {
        var changes = new Dictionary<string, string>();
        var kinds = new List<KindCalibration>();
        foreach (var kc in test.Kinds)
        {
            var fit = validation.Pairs.TryGetValue(kc.Kind, out var v) && v.Count >= 20 ? Platt.Fit(v) : ((double A, double B)?)null;
            var pairs = test.Pairs.GetValueOrDefault(kc.Kind) ?? [];
            if (fit is { } f)
            {
                changes[kc.Kind] = $"a={f.A:0.###}, b={f.B:0.###}";
                kinds.Add(KindCalibration.Of(kc.Kind, [.. pairs.Select(x => (Platt.Apply(f, x.P), x.O))]));
            }
            else
            {
                kinds.Add(kc);
            }
        }
        return new CalibrationRun("engine defaults + logistic map fitted on validation (proposal)", "test", test.Data, kinds, changes);
    }
}

/// <summary>Two-parameter logistic recalibration fitted by Newton's method on the log loss.</summary>
public static class Platt
{
    private static double Logit(double p)
    {
        p = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(p / (1 - p));
    }

    public static double Apply((double A, double B) f, double p) => 1 / (1 + Math.Exp(-(f.A * Logit(p) + f.B)));

    public static (double A, double B) Fit(IReadOnlyList<(double P, bool O)> pairs)
    {
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            foreach (var (p, o) in pairs)
            {
                var x = Logit(p);
                var q = 1 / (1 + Math.Exp(-(a * x + b)));
                var r = q - (o ? 1 : 0);
                var w = Math.Max(q * (1 - q), 1e-9);
                ga += r * x;
                gb += r;
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            var det = haa * hbb - hab * hab;
            if (Math.Abs(det) < 1e-12)
            {
                break;
            }
            var da = (hbb * ga - hab * gb) / det;
            var db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-9)
            {
                break;
            }
        }
        return (a, b);
    }
}
