using System.Text.Json.Serialization;
using Clarity.Evaluation.Calibration;
using Clarity.Evaluation.Metrics;
using Clarity.Evaluation.Recommenders;

namespace Clarity.Evaluation.Scenarios;

/// <summary>
/// One method on the scenarios' test window: ranking metrics, intervals, AbsurdRepeat@10 (all users,
/// users at risk, and users at risk asked the day after their durable purchase).
/// </summary>
public sealed record ScenarioMethodRow(
    string Method, string Group, MetricSummary Test,
    Dictionary<string, Interval> Mean,
    Dictionary<string, Interval>? VersusBaseline,
    Interval AbsurdRepeat,
    Interval? AbsurdRepeatAtRisk,
    Interval? AbsurdRepeatDayAfter = null);

public sealed record DurableRow(string Category, string TrueRole, int Purchases, double RepurchaseRate90d, bool LearnedDurable);

public sealed record DurableCategories(HashSet<int> Set, List<DurableRow> Rows);

/// <summary>Truths of one archetype, kind and polarity: how many the engine recovered, had no belief for, or got wrong.</summary>
public sealed record TruthRow(string Configuration, string Archetype, string Kind, bool Holds, int Truths, int Recovered, int Absent, int Wrong)
{
    public double RecoveredShare => Truths == 0 ? double.NaN : (double)Recovered / Truths;
}

/// <summary>
/// How well one kind's confidence separates true statements from false ones at the cut: the area
/// under the ROC curve (the chance that a random true statement gets a higher confidence than a
/// random false one, ties counting half; 0.5 is no better than chance). A statement without an
/// active belief scores the kind's calibrated prior, what the engine reports with no evidence.
/// </summary>
public sealed record TruthDiscrimination(string Configuration, string Kind, int True, int False, double Auc);

public sealed record RecoveryUser(string User, string Category, int Impressions, int Rounds, bool Recovered);

/// <summary>Curve[i]: share of users whose top 10 still holds the ignored category after i impressions.</summary>
public sealed record RecoveryMethod(string Method, int Users, double RecoveredShare, double MedianImpressionsOfRecovered, double MeanImpressionsOfRecovered, double MeanImpressions, List<double> Curve);

public sealed record RecoveryResult(int Users, int Rounds, List<RecoveryMethod> Methods);

/// <summary>Calibration of every belief kind for one engine configuration at one cut.</summary>
public sealed record CalibrationRun(string Configuration, string Split, string Data, List<KindCalibration> Kinds, Dictionary<string, string> Changes)
{
    /// <summary>The scored (reported confidence, outcome) pairs per kind; not written to the report.</summary>
    [JsonIgnore]
    public Dictionary<string, List<(double P, bool O)>> Pairs { get; init; } = [];

    /// <summary>The same predictions with the raw posterior mean (before the engine's calibration map), what maps are fitted on.</summary>
    [JsonIgnore]
    public Dictionary<string, List<(double P, bool O)>> RawPairs { get; init; } = [];
}

public sealed class ScenarioResult
{
    public required ScenarioSettings Scenario { get; init; }

    public required int Users { get; init; }

    public required Dictionary<string, int> UsersPerArchetype { get; init; }

    public required long Signals { get; init; }

    /// <summary>Users with a purchase in the 30 days after the test cut (the ranking metrics' users).</summary>
    public required int RankedUsers { get; init; }

    /// <summary>Users who bought in a learned durable category in the 90 days before the test cut.</summary>
    public required int UsersAtRisk { get; init; }

    public required double SarHalfLifeDays { get; init; }

    public required ClarityConfig Clarity { get; init; }

    public required List<TuningRow> Tuning { get; init; }

    public required MetricSummary CandidateRecall { get; init; }

    public required List<ScenarioMethodRow> Comparison { get; init; }

    public required List<DurableRow> Durable { get; init; }

    public required List<TruthRow> Truth { get; init; }

    public required List<TruthDiscrimination> Discrimination { get; init; }

    public required RecoveryResult Recovery { get; init; }

    public required List<CalibrationRun> Calibration { get; init; }

    [JsonIgnore]
    public ScenarioMethodRow? this[string method] => Comparison.FirstOrDefault(r => r.Method == method);
}
