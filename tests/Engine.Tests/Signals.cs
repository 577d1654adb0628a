using Clarity.Engine.Signals;

namespace Clarity.Engine.Tests;

/// <summary>Builders for test signals at fixed instants.</summary>
internal static class Signals
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);

    private static int _next;

    public static Signal Make(SignalType type, string category, DateTimeOffset at, string? item = null, string? id = null,
        double? value = null, bool gift = false, string? session = null, double? price = null, string? decision = null) =>
        new(id ?? $"s-{Interlocked.Increment(ref _next)}", type, at, new ItemRef(item ?? $"{category}#1", category, price),
            value, new SignalContext(session, decision, gift));
}
