using System.Text.Json.Serialization;
using Clarity.Evaluation.Metrics;
using Clarity.Evaluation.Recommenders;

namespace Clarity.Evaluation;

/// <summary>Per-user scores of one method on one split.</summary>
public sealed record MethodScores(string Name, string Group, UserScore[] Scores)
{
    public static readonly (string Name, Func<UserScore, double> Get)[] Metrics =
    [
        ("recall", s => s.Recall), ("ndcg", s => s.Ndcg), ("hitRate", s => s.Hit), ("mrr", s => s.Mrr),
    ];

    public double Mean(Func<UserScore, double> get) => Scores.Length == 0 ? double.NaN : Scores.Average(get);

    public MetricSummary Summary() => new(
        Scores.Length, Mean(s => s.Recall), Mean(s => s.Ndcg), Mean(s => s.Hit), Mean(s => s.Mrr),
        RankingMetrics.MeanDefined(Scores.Select(s => s.RepeatRecall)), Scores.Count(s => !double.IsNaN(s.RepeatRecall)),
        RankingMetrics.MeanDefined(Scores.Select(s => s.NewRecall)), Scores.Count(s => !double.IsNaN(s.NewRecall)));
}

/// <summary>Mean metrics at the cut-off; repeat and new recall are averaged over the users whose target has such items.</summary>
public sealed record MetricSummary(
    int Users, double Recall, double Ndcg, double HitRate, double Mrr,
    double RepeatRecall, int UsersWithRepeats, double NewRecall, int UsersWithNew);

public sealed record FactCheck(string Fact, decimal Expected, decimal Actual)
{
    public bool Matches => Expected == Actual;
}

public sealed record DataSection(
    string Path, string Md5, string Sha256, bool Gzip, long Rows,
    int PurchaseLines, int ReturnLines, long NonProductPurchaseLines, long NonProductLinesDroppedFromBaskets,
    Dictionary<string, long> Skipped, decimal FilteredQuantity, decimal FilteredRevenue, List<FactCheck> Checks);

public sealed record ProtocolSection(
    int EvaluatedCustomers, int ComparisonCustomers, int MinBaskets, int Items, int TrainingBaskets,
    int K, int CandidateDepth, int Resamples, int Seed)
{
    public string Description { get; init; } =
        "Per customer, invoices (baskets) in time order; the last is the test basket, the one before the validation basket, the rest history. " +
        "Customers with at least two baskets of products (non-products such as postage and fees are dropped from baskets). " +
        "Global statistics (popularity, co-occurrence) are fitted on the training split, every basket that is neither a validation nor a test basket; " +
        "when predicting the test basket the customer's own profile includes the validation basket. " +
        "Metrics at the cut-off use each basket's distinct items with binary relevance; repeat items are target items the customer bought before, new items the others. " +
        "Tuning reads the validation basket only; each reported configuration runs on the test basket once. " +
        "Intervals: paired bootstrap over customers.";
}

public sealed record EngineSection(string AssemblyVersion, string InformationalVersion, string GitCommit, bool? GitDirty);

public sealed record ParameterSection(double SarHalfLifeDays, ClarityConfig Clarity, Settings Settings);

public sealed record ReferenceRow(string Method, MetricSummary Measured, double? ReferenceRecall, double? ReferenceNdcg, double? ReferenceHitRate)
{
    public bool? WithinTolerance => ReferenceRecall is null ? null :
        Math.Abs(Measured.Recall - ReferenceRecall.Value) <= Evaluator.ReferenceTolerance
        && Math.Abs(Measured.Ndcg - ReferenceNdcg!.Value) <= Evaluator.ReferenceTolerance
        && Math.Abs(Measured.HitRate - ReferenceHitRate!.Value) <= Evaluator.ReferenceTolerance;

    public static ReferenceRow Of(MethodScores scores) =>
        Evaluator.References.TryGetValue(scores.Name, out var r)
            ? new ReferenceRow(scores.Name, scores.Summary(), r.Recall, r.Ndcg, r.Hit)
            : new ReferenceRow(scores.Name, scores.Summary(), null, null, null);
}

public sealed record TuningRow(string Method, string Configuration, MetricSummary Validation);

/// <summary>One method on the test basket: means, intervals of the means, and differences against the baseline and own-most-frequent.</summary>
public sealed record ComparisonRow(
    string Method, string Group, MetricSummary Test,
    Dictionary<string, Interval> Mean,
    Dictionary<string, Interval>? VersusBaseline,
    Dictionary<string, Interval>? VersusOwnMostFrequent);

public sealed class EvaluationResult
{
    public string Attribution { get; init; } =
        "UCI Online Retail, CC BY 4.0: Daqing Chen, Sai Liang Sain and Kun Guo (2012), \"Data mining for the online retail industry: " +
        "A case study of RFM model-based customer segmentation using data mining\", Journal of Database Marketing and Customer Strategy Management 19(3), 197-208.";

    public required DataSection Data { get; init; }

    public required ProtocolSection Protocol { get; init; }

    public required EngineSection Engine { get; init; }

    public required ParameterSection Parameters { get; init; }

    public required List<ReferenceRow> Reference { get; init; }

    public required List<TuningRow> Tuning { get; init; }

    /// <summary>Recall of the baseline's whole candidate list: the ceiling of every re-ranker.</summary>
    public required MetricSummary CandidateRecall { get; init; }

    public required List<ComparisonRow> Comparison { get; init; }

    /// <summary>Calibration of belief confidence on the real log (null when not run).</summary>
    public List<Scenarios.CalibrationRun>? RealCalibration { get; init; }

    /// <summary>The scenario simulator part (null when not run).</summary>
    public Scenarios.ScenarioResult? Scenarios { get; init; }

    /// <summary>Seconds since start at the end of each phase.</summary>
    public required Dictionary<string, double> Timings { get; init; }

    [JsonIgnore]
    public ComparisonRow? this[string method] => Comparison.FirstOrDefault(r => r.Method == method);
}
