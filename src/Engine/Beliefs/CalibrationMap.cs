namespace Clarity.Engine.Beliefs;

/// <summary>
/// Maps a belief's raw posterior mean (the decayed Beta mean) to the confidence Clarity reports:
/// <c>sigmoid(Intercept + Slope * logit(p))</c>, a logistic (Platt) map in logit space. The Beta
/// mean measures how the evidence leans, not how often the kind's predicted event happens (the
/// evaluation's definition of a calibrated confidence, docs/evaluation and EVALUATION.md); this
/// map, fitted per kind on held-out data, turns the one into the other. With the slope positive it
/// is strictly increasing, so it never reorders beliefs of a kind nor turns a statement around.
/// Identity: intercept 0, slope 1. Configuration <c>Clarity:Engine:Kinds:{Kind}:Calibration</c>.
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

    public bool IsIdentity => Intercept == 0 && Slope == 1;

    /// <summary>The reported confidence for the raw posterior mean <paramref name="posterior"/>.</summary>
    public double Apply(double posterior)
    {
        if (IsIdentity)
        {
            return posterior;
        }
        var p = Math.Clamp(posterior, Edge, 1 - Edge);
        var z = Intercept + Slope * Math.Log(p / (1 - p));
        return 1 / (1 + Math.Exp(-z));
    }

    public CalibrationMap Clone() => (CalibrationMap)MemberwiseClone();

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
    }
}
