using BenchmarkDotNet.Attributes;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;

namespace Clarity.Engine.Benchmarks;

/// <summary>
/// The two engine budgets of PERFORMANCE.md: apply one signal to a self-model of 50 beliefs
/// (&lt;= 2 us, no allocation beyond the evidence it records) and rerank 100 candidates against 50
/// beliefs (&lt;= 20 us).
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly BeliefEngine _engine = new(new EngineOptions());
    private Reranker _reranker = null!;
    private SelfModel _model = null!;
    private Signal[] _signals = null!;
    private RerankRequest _request = null!;
    private int _next;

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
        // Signals for the apply benchmark: new ids, later times, so each is in order (the common case).
        _signals = [.. Enumerable.Range(0, 1 << 16).Select(i => new Signal(
            $"bench-{i}", i % 3 == 0 ? SignalType.Click : SignalType.View, at.AddSeconds(i + 1),
            new ItemRef($"item-{i % 41}", categories[i % categories.Length], 25 + i % 7 * 10)))];
        _request = new RerankRequest(
            [.. Enumerable.Range(0, 100).Select(i => new Candidate($"c-{i}", categories[i % categories.Length], 1.0 - i / 100.0, 20 + i % 11 * 12))],
            at.AddDays(1),
            Seed: "bench-user");
        Console.WriteLine($"// beliefs in the benchmark model: {_model.Beliefs.Count}");
    }

    [Benchmark(Description = "apply one signal to 50 beliefs")]
    public bool ApplyOneSignal()
    {
        // The model keeps growing its dedup set and window within their bounds; beliefs stay ~50.
        return _engine.Apply(_model, _signals[_next++ & ((1 << 16) - 1)]);
    }

    [Benchmark(Description = "rerank 100 candidates x 50 beliefs")]
    public RerankResult Rerank100() => _reranker.Rerank(_model, _request);

    [Benchmark(Description = "rerank 100 x 50, exploration")]
    public RerankResult Rerank100Exploration() => _reranker.Rerank(_model, _request with { OptimizeFor = Objectives.Exploration });
}
