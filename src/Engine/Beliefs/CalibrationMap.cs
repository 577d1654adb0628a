namespace Clarity.Engine.Beliefs;

/// <summary>
/// Maps a belief's raw posterior mean (the decayed Beta mean) to the confidence Clarity reports:
/// <c>sigmoid(Intercept + Slope * logit(p))</c>, a logistic (Platt) map in logit space. The Beta
/// mean measures how the evidence leans, not how often the kind's predicted event happens (the
/// evaluation's definition of a calibrated confidence, docs/evaluation and EVALUATION.md); this
/// map, fitted per kind on held-out data, turns the one into the other. With the slope positive it
/// is strictly increasing, so it never reorders beliefs of a kind nor turns a statement around.
/// Where two parameters cannot follow the data (a kind whose event rate is flat over most of the
/// posterior's range and then jumps), <see cref="Points"/> gives a monotone piecewise-linear map
/// instead (fitted by isotonic regression); it never reorders either, though it may tie.
/// Identity: intercept 0, slope 1, no points. Configuration <c>Clarity:Engine:Kinds:{Kind}:Calibration</c>.
/// </summary>
public sealed class CalibrationMap
{
    // Keeps logit finite; the Beta mean with positive priors never reaches 0 or 1 anyway.
    private const double Edge = 1e-9;

    // Bounds on what a fit can sensibly give: beyond them the map is a step function or a constant.
    private const double MaxIntercept = 20;
    private const double MaxSlope = 20;

    /// <summary>Added in logit space (a shift of the odds: positive reports higher confidence). Default 0.</summary>
    public double Intercept { get; set; }

    /// <summary>Multiplies the posterior's log-odds (above 1 sharpens, below 1 flattens toward 1/2). Must be positive. Default 1.</summary>
    public double Slope { get; set; } = 1;

    private string _points = "";
    private double[] _x = [];
    private double[] _y = [];
    private string? _pointsError;

    /// <summary>
    /// Optional monotone piecewise-linear map, replacing the logistic when set: space-separated
    /// <c>posterior:confidence</c> knots, posteriors strictly increasing in [0, 1], confidences
    /// non-decreasing in [0, 1] (e.g. <c>"0.45:0.12 0.7:0.2 0.76:0.97"</c>); linear between knots, flat
    /// beyond the first and last. A string so that configuring it replaces the default as a whole.
    /// Default empty (the logistic applies).
    /// </summary>
    public string Points
    {
        get => _points;
        set
        {
            _points = value ?? "";
            (_x, _y, _pointsError) = ParsePoints(_points);
        }
    }

    public bool IsIdentity => Intercept == 0 && Slope == 1 && _x.Length == 0;

    /// <summary>The reported confidence for the raw posterior mean <paramref name="posterior"/>.</summary>
    public double Apply(double posterior)
    {
        if (_x.Length > 0)
        {
            return Interpolate(posterior);
        }
        if (IsIdentity)
        {
            return posterior;
        }
        var p = Math.Clamp(posterior, Edge, 1 - Edge);
        var z = Intercept + Slope * Math.Log(p / (1 - p));
        return 1 / (1 + Math.Exp(-z));
    }

    // Arrays are replaced, never mutated, so a shallow copy shares them safely.
    public CalibrationMap Clone() => (CalibrationMap)MemberwiseClone();

    private double Interpolate(double p)
    {
        if (p <= _x[0])
        {
            return _y[0];
        }
        var last = _x.Length - 1;
        if (p >= _x[last])
        {
            return _y[last];
        }
        var i = 1;
        while (_x[i] < p)
        {
            i++;
        }
        var t = (p - _x[i - 1]) / (_x[i] - _x[i - 1]);
        return _y[i - 1] + t * (_y[i] - _y[i - 1]);
    }

    private static (double[] X, double[] Y, string? Error) ParsePoints(string text)
    {
        var parts = text.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var x = new double[parts.Length];
        var y = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var pair = parts[i].Split(':');
            if (pair.Length != 2
                || !double.TryParse(pair[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out x[i])
                || !double.TryParse(pair[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out y[i]))
            {
                return ([], [], $"'{parts[i]}' is not posterior:confidence");
            }
            if (x[i] is < 0 or > 1 || y[i] is < 0 or > 1 || !double.IsFinite(x[i]) || !double.IsFinite(y[i]))
            {
                return ([], [], $"'{parts[i]}' is outside [0, 1]");
            }
            if (i > 0 && (x[i] <= x[i - 1] || y[i] < y[i - 1]))
            {
                return ([], [], $"'{parts[i]}' does not increase (posteriors strictly, confidences not decreasing)");
            }
        }
        return (x, y, null);
    }

    /// <summary>Messages naming the key for every invalid value.</summary>
    public void Validate(string prefix, List<string> errors)
    {
        if (!double.IsFinite(Intercept) || Math.Abs(Intercept) > MaxIntercept)
        {
            errors.Add($"{prefix}:Intercept must be a finite number between -{MaxIntercept} and {MaxIntercept} (got {Intercept}).");
        }
        if (!double.IsFinite(Slope) || Slope <= 0 || Slope > MaxSlope)
        {
            errors.Add($"{prefix}:Slope must be greater than 0 and at most {MaxSlope} (got {Slope}); a slope of 0 or below would make confidence ignore or invert the evidence.");
        }
        if (_pointsError is not null)
        {
            errors.Add($"{prefix}:Points must be space-separated posterior:confidence knots in [0, 1], increasing: {_pointsError}.");
        }
    }
}
