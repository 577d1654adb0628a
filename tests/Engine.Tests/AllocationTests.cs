using Clarity.Engine.Signals;

namespace Clarity.Engine.Tests;

/// <summary>
/// The apply budget of PERFORMANCE.md says "no allocation beyond the evidence it records", and
/// memory per active user is a budget too: these count bytes (exact, unlike a duration).
/// </summary>
public sealed class AllocationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_reorder_window_stores_a_signal_in_72_bytes()
    {
        // Every active user holds up to 64 of them; the interpreters read this form in place, so
        // avoiding an allocation per signal must not have cost a wider entry.
        Assert.Equal(72, System.Runtime.CompilerServices.Unsafe.SizeOf<SignalEntry>());
    }

    /// <summary>For signals that record no new evidence object (no note, no new belief) in a model in steady state.</summary>
    [Fact]
    public void Applying_in_order_signals_to_a_model_in_steady_state_allocates_nothing()
    {
        var engine = new BeliefEngine(new EngineOptions());
        var model = new SelfModel();
        // Engagement of every kind that records no note, in a few categories (with and without prices),
        // each signal a fresh id one minute after the previous one: the common case of a live user.
        string[] categories = ["home/a/x", "home/a/y", "garden/b/x", "sports/a/y"];
        SignalType[] types = [SignalType.View, SignalType.Click, SignalType.AddToCart, SignalType.Impression, SignalType.Dismiss, SignalType.Rating];
        Signal Make(int i) => new(
            $"s-{i}",
            types[i % types.Length],
            T0.AddMinutes(i),
            new ItemRef($"item-{i % 23}", categories[i % categories.Length], i % 2 == 0 ? 20 + i % 5 * 10 : null),
            types[i % types.Length] == SignalType.Rating ? 1 + i % 5 : null);
        // Past every bound that grows with use: the deduplication set (2,048 ids), the reorder window
        // (64 signals), the trails (20 entries), the repeat counts and the research sets.
        const int warmUp = 3_000;
        for (var i = 0; i < warmUp; i++)
        {
            Assert.True(engine.Apply(model, Make(i)));
        }
        var beliefs = model.Beliefs.Count;
        var signals = Enumerable.Range(warmUp, 500).Select(Make).ToArray();

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var signal in signals)
        {
            engine.Apply(model, signal);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(beliefs, model.Beliefs.Count);
        Assert.Equal(warmUp + signals.Length, model.SignalCount);
    }
}
