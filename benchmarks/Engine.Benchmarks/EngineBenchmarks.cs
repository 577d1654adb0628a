using BenchmarkDotNet.Attributes;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;

namespace Clarity.Engine.Benchmarks;

/// <summary>
/// The two engine budgets of PERFORMANCE.md: apply one signal to a self-model of 50 beliefs
/// (&lt;= 2 us, no allocation beyond the evidence it records) and rerank 100 candidates against 50
/// beliefs (&lt;= 20 us); plus the self-model read. The apply benchmark's Allocated column is the
/// engine's own: its signals are made before each iteration (<see cref="PrepareSignals"/>).
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

    // The apply benchmark's signals for one iteration (see PrepareSignals) and the next to apply.
    private const int SignalsPerIteration = 1 << 16;
    private readonly Signal[] _signals = new Signal[SignalsPerIteration];
    private int _cursor;

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
        // Items for the apply benchmark; each signal has a fresh id and comes one second after the
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

    /// <summary>
    /// Makes the signals the next iteration of the apply benchmark applies, one per invocation, so
    /// that the measured call is the engine's alone: BenchmarkDotNet runs this outside the timed and
    /// the allocation-counted part of the iteration, so the Allocated column of the apply benchmark
    /// is what the engine allocates (a new signal and its id were 176 of the 304 bytes it showed
    /// when each call made its own). The signals are still made fresh for every call, as a host's
    /// deserializer makes them, not reused from a small ring (a reused id is a duplicate).
    /// </summary>
    [IterationSetup(Target = nameof(ApplyOneSignal))]
    public void PrepareSignals()
    {
        for (var i = 0; i < _signals.Length; i++)
        {
            var n = _next++;
            _signals[i] = new Signal(
                "bench-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                n % 3 == 0 ? SignalType.Click : SignalType.View,
                _last.AddTicks((n + 1) * TimeSpan.TicksPerSecond),
                _items[n % _items.Length]);
        }
        _cursor = 0;
    }

    // A fixed invocation count per iteration, so that the iteration setup can make exactly the
    // signals it applies (about 0.1 s of applying at 1.5 us a signal).
    [Benchmark(Description = "apply one signal to 50 beliefs")]
    [InvocationCount(SignalsPerIteration)]
    public bool ApplyOneSignal() => _engine.Apply(_model, _signals[_cursor++]);

    [Benchmark(Description = "rerank 100 candidates x 50 beliefs")]
    public RerankResult Rerank100() => _reranker.Rerank(_model, _request);

    [Benchmark(Description = "rerank 100 x 50, exploration")]
    public RerankResult Rerank100Exploration() => _reranker.Rerank(_model, _exploration);

    [Benchmark(Description = "read self-model of 50 beliefs")]
    public int ReadSelfModel() => _engine.Evaluate(_model, _request.AsOf).Count;
}
