using BenchmarkDotNet.Attributes;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;

namespace Clarity.Engine.Benchmarks;

/// <summary>
/// The two engine budgets of PERFORMANCE.md: apply one signal to a self-model of 50 beliefs
/// (&lt;= 2 us, no allocation beyond the evidence it records) and rerank 100 candidates against 50
/// beliefs (&lt;= 20 us); plus the self-model read.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly BeliefEngine _engine = new(new EngineOptions());
    private Reranker _reranker = null!;
    private SelfModel _model = null!;
    private ItemRef[] _items = null!;
    private DateTimeOffset _last;
    private RerankRequest _request = null!;
    private RerankRequest _exploration = null!;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _reranker = new Reranker(_engine);
        _model = new SelfModel();
        // 16 leaf categories under 4 roots, with prices: about 50 beliefs (affinities at three levels,
        // price tiers, researcher traits).
        string[] roots = ["home", "electronics", "garden", "sports"];
        string[] middles = ["a", "b"];
        string[] leaves = ["x", "y"];
        var categories = roots.SelectMany(r => middles.SelectMany(m => leaves.Select(l => $"{r}/{m}/{l}"))).ToArray();
        var at = T0;
        for (var i = 0; i < 400 && _model.Beliefs.Count < 50; i++)
        {
            var category = categories[i % categories.Length];
            var type = i % 7 == 6 ? SignalType.Purchase : i % 5 == 4 ? SignalType.Impression : SignalType.View;
            _engine.Apply(_model, new Signal($"seed-{i}", type, at = at.AddMinutes(13), new ItemRef($"item-{i % 37}", category, 20 + i % 9 * 15)));
        }
        _last = at;
        // Items for the apply benchmark; each call makes a signal with a fresh id one second after the
        // previous one, so every signal is new and in order (the common case) however long it runs.
        _items = [.. Enumerable.Range(0, 41 * categories.Length).Select(i =>
            new ItemRef($"item-{i % 41}", categories[i % categories.Length], 25 + i % 7 * 10))];
        _request = new RerankRequest(
            [.. Enumerable.Range(0, 100).Select(i => new Candidate($"c-{i}", categories[i % categories.Length], 1.0 - i / 100.0, 20 + i % 11 * 12))],
            at.AddDays(1),
            Seed: "bench-user");
        _exploration = _request with { OptimizeFor = Objectives.Exploration };
        Console.WriteLine($"// beliefs in the benchmark model: {_model.Beliefs.Count}");
    }

    private Signal NextSignal()
    {
        var i = _next++;
        return new Signal(
            "bench-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            i % 3 == 0 ? SignalType.Click : SignalType.View,
            _last.AddTicks((i + 1) * TimeSpan.TicksPerSecond),
            _items[i % _items.Length]);
    }

    /// <summary>The harness's own cost inside the apply benchmark (a signal with a fresh id): subtract it.</summary>
    [Benchmark(Description = "harness: make one signal")]
    public Signal MakeSignal() => NextSignal();

    [Benchmark(Description = "apply one signal to 50 beliefs")]
    public bool ApplyOneSignal() => _engine.Apply(_model, NextSignal());

    [Benchmark(Description = "rerank 100 candidates x 50 beliefs")]
    public RerankResult Rerank100() => _reranker.Rerank(_model, _request);

    [Benchmark(Description = "rerank 100 x 50, exploration")]
    public RerankResult Rerank100Exploration() => _reranker.Rerank(_model, _exploration);

    [Benchmark(Description = "read self-model of 50 beliefs")]
    public int ReadSelfModel() => _engine.Evaluate(_model, _request.AsOf).Count;
}
