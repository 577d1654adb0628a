using BenchmarkDotNet.Attributes;
using Clarity.Engine.Signals;

namespace Clarity.Engine.Benchmarks;

/// <summary>
/// Apply as a silo sees it: one signal for each of 5,000 users in turn, so a user's model has left
/// the CPU caches by the time its next signal comes (the load tool's ingest of batches for many
/// users). The in-cache figure is <see cref="EngineBenchmarks"/>' apply benchmark; the difference is
/// what the model's layout costs in memory traffic. Users are set up as the load tool seeds them
/// (9 purchases on distinct leaf categories, about 20 beliefs) and given 120 views each before
/// measuring; every signal is a view, in event-time order per user, on one of 20 leaves per user.
/// </summary>
[MemoryDiagnoser]
public class ManyUsersBenchmarks
{
    private const int Users = 5_000;
    private const int SignalsPerIteration = 1 << 16;
    private const int WarmSignalsPerUser = 120;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly BeliefEngine _engine = new(new EngineOptions());
    private readonly SelfModel[] _models = new SelfModel[Users];
    private readonly Signal[] _signals = new Signal[SignalsPerIteration];
    private readonly SelfModel[] _targets = new SelfModel[SignalsPerIteration];
    private readonly ItemRef[] _items = new ItemRef[400 * 50];
    private int _cursor;
    private long _next;

    private static string Category(int leaf) => $"d{leaf / 40}/c{leaf / 4 % 10}/l{leaf % 4}";

    private static int Leaf(int user, int k) => (user + (k * 13)) % 400;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < _items.Length; i++)
        {
            _items[i] = new ItemRef($"i-{i / 50}-{i % 50}", Category(i / 50), 25);
        }
        for (var user = 0; user < Users; user++)
        {
            var model = _models[user] = new SelfModel();
            for (var k = 0; k < 9; k++)
            {
                _engine.Apply(model, new Signal($"seed-{user}-{k}", SignalType.Purchase, T0.AddMinutes(k), _items[Leaf(user, k) * 50]));
            }
        }
        // Past the growth of a user's first signals (the reorder window filling up to its bound,
        // trails up to theirs), as the users of a long load run are: what is measured is the
        // steady state, not allocation that a user pays once.
        for (var round = 0; round < WarmSignalsPerUser / (SignalsPerIteration / Users); round++)
        {
            PrepareSignals();
            for (var i = 0; i < SignalsPerIteration; i++)
            {
                _engine.Apply(_targets[i], _signals[i]);
            }
        }
    }

    /// <summary>The next iteration's signals, made outside the measured part (as in the in-cache apply benchmark).</summary>
    [IterationSetup]
    public void PrepareSignals()
    {
        for (var i = 0; i < _signals.Length; i++)
        {
            var n = _next++;
            var user = (int)(n % Users);
            _targets[i] = _models[user];
            var leaf = Leaf(user, (int)(n / Users % 20));
            _signals[i] = new Signal(
                "s-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                SignalType.View,
                T0.AddDays(1).AddTicks(n * TimeSpan.TicksPerSecond),
                _items[(leaf * 50) + (int)(n % 50)]);
        }
        _cursor = 0;
    }

    [Benchmark(Description = "apply one signal, 5,000 users in turn")]
    [InvocationCount(SignalsPerIteration)]
    public bool ApplyAcrossUsers()
    {
        var at = _cursor++;
        return _engine.Apply(_targets[at], _signals[at]);
    }
}
