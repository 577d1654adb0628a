using Clarity.Evaluation.Data;

namespace Clarity.Evaluation;

/// <summary>Everything that parameterises one evaluation run; recorded in the report.</summary>
public sealed class Settings
{
    /// <summary>Input purchase log (CSV, optionally gzip). Default: the Online Retail file under ../shared/data.</summary>
    public string Data { get; set; } = "";

    /// <summary>Report folder, created if missing.</summary>
    public string Out { get; set; } = "";

    /// <summary>Evaluate the comparison (SAR, rules, Clarity) on a random sample of this many customers; null: all.</summary>
    public int? Customers { get; set; }

    /// <summary>Seed of the customer sample and of the bootstrap. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Bootstrap resamples. Default 1000.</summary>
    public int Resamples { get; set; } = 1000;

    /// <summary>Cut-off of every ranking metric. Default 10.</summary>
    public int K { get; set; } = 10;

    /// <summary>Candidates per customer from the behavioural baseline. Default 100.</summary>
    public int CandidateDepth { get; set; } = 100;

    /// <summary>Tune SAR's half-life and Clarity's weight and half-life on the validation basket. Default true.</summary>
    public bool Tune { get; set; } = true;

    /// <summary>SAR affinity half-lives (days) tried on validation; the first is used when not tuning.</summary>
    public double[] SarHalfLives { get; set; } = [30, 7, 90, 365];

    /// <summary>Clarity rerank affinity weights tried on validation; the first is used when not tuning.</summary>
    public double[] ClarityWeights { get; set; } = [0.3, 0.1, 1.0];

    /// <summary>Clarity affinity half-lives (days) tried on validation; the first is used when not tuning.</summary>
    public double[] ClarityHalfLives { get; set; } = [60, 20, 180];

    /// <summary>Clarity item-level repeat-purchase rerank weights tried on validation; the first is used when not tuning.</summary>
    public double[] ClarityItemWeights { get; set; } = [1.0, 0, 0.5, 2.0];

    /// <summary>Clarity "re-buys this item" evidence from a first purchase tried on validation; the first is used when not tuning.</summary>
    public double[] ClarityItemFirstSupports { get; set; } = [0.25, 0, 0.5];

    /// <summary>Clarity item effect shares right after a purchase tried on validation; the first is used when not tuning.</summary>
    public double[] ClarityItemEarlyShares { get; set; } = [1.0, 0.5];

    /// <summary>Clarity price-tier rerank weights tried on validation; the first is used when not tuning.</summary>
    public double[] ClarityTierWeights { get; set; } = [0.6, 0, 0.2];

    /// <summary>Window of the "never recommend a category bought in the last W days" rule. Default 30.</summary>
    public double RuleRecentDays { get; set; } = 30;

    /// <summary>Weight of the "boost own most frequent items" rule. Default 1.</summary>
    public double RuleBoostWeight { get; set; } = 1;

    /// <summary>Items per product type in the diversity rule's top k. Default 2.</summary>
    public int RuleDiversityPerType { get; set; } = 2;

    /// <summary>Drop non-products (postage, fees) from baskets. Default true.</summary>
    public bool ProductsOnly { get; set; } = true;

    public ColumnMap Columns { get; set; } = new();

    /// <summary>Run the real-data comparison. Default true; false with <see cref="Scenarios"/> runs the scenarios alone.</summary>
    public bool RealData { get; set; } = true;

    /// <summary>Run the scenario simulator part (ranking, truth, AbsurdRepeat, recovery, calibration). Default false.</summary>
    public bool Scenarios { get; set; }

    /// <summary>
    /// Simulated users (a multiple of the 8 archetypes is fairest). Default 2,400: 300 of each
    /// archetype. With 800 (100 each) the rarer kinds had a few hundred correlated predictions per
    /// period (variety 536), too few for a 15-bin ECE to tell a 0.05 miscalibration from sampling.
    /// </summary>
    public int ScenarioUsers { get; set; } = 2400;

    /// <summary>Run calibration of belief confidence on the real data (affinity and whatever kinds purchases give). Default true.</summary>
    public bool RealCalibration { get; set; } = true;

    /// <summary>Horizons of the events each belief kind predicts.</summary>
    public Calibration.Horizons Horizons { get; set; } = new();
}
