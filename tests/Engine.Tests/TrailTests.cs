using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clarity.Engine.Tests;

/// <summary>
/// A belief's trail is newest first by event time and bounded; its older entries are a ring, so
/// these check it against a plain list that does the same by insertion, through growth, wrap-around,
/// late entries, copies and restores.
/// </summary>
public class TrailTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>One step: record an entry at a minute, or copy the belief, or restore its trail as read.</summary>
    public sealed record Step(int Minute, int Action);

    public static class Steps
    {
        public static Arbitrary<Step[]> Histories() =>
            Gen.ArrayOf(
                from minute in Gen.Frequency(
                    // Mostly in order (the common case), sometimes late, sometimes at an equal instant.
                    (6, Gen.Choose(0, 3)),
                    (3, Gen.Choose(-40, -1)),
                    (1, Gen.Constant(0)))
                from action in Gen.Frequency((18, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
                select new Step(minute, action))
            .Select(a => a.Length > 120 ? a[..120] : a)
            .ToArbitrary();
    }

    [Property(Arbitrary = [typeof(Steps)])]
    public void The_trail_is_the_newest_entries_by_event_time(Step[] steps, PositiveInt boundSeed)
    {
        var bound = 1 + (boundSeed.Get % 25);
        var belief = new Belief(new BeliefKey(BeliefKind.Affinity, "home"), T0);
        var expected = new List<TrailEntry>();
        var clock = 0;
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            switch (step.Action)
            {
                case 1:
                    belief = belief.Clone();
                    break;
                case 2:
                    belief.RestoreTrail([.. belief.Trail]);
                    break;
                default:
                    clock = Math.Max(clock, clock + step.Minute);
                    var entry = new TrailEntry($"s-{i}", SignalType.View, T0.AddMinutes(clock + Math.Min(step.Minute, 0)), 1);
                    belief.Record(entry, bound);
                    Reference(expected, entry, bound);
                    break;
            }
            Assert.Equal(expected.Select(e => e.SignalId), belief.Trail.Select(e => e.SignalId));
        }
    }

    [Fact]
    public void In_order_entries_keep_the_bound_newest_first()
    {
        var belief = new Belief(new BeliefKey(BeliefKind.Affinity, "home"), T0);
        for (var i = 0; i < 100; i++)
        {
            belief.Record(new TrailEntry($"s-{i}", SignalType.View, T0.AddMinutes(i), 1), 20);
        }

        Assert.Equal(Enumerable.Range(80, 20).Reverse().Select(i => $"s-{i}"), belief.Trail.Select(e => e.SignalId));
    }

    [Fact]
    public void A_late_entry_lands_in_its_place_and_the_oldest_falls_off()
    {
        var belief = new Belief(new BeliefKey(BeliefKind.Affinity, "home"), T0);
        for (var i = 0; i < 30; i++)
        {
            belief.Record(new TrailEntry($"s-{i}", SignalType.View, T0.AddMinutes(i * 2), 1), 5);
        }

        belief.Record(new TrailEntry("late", SignalType.View, T0.AddMinutes(55), 1), 5);
        belief.Record(new TrailEntry("too-late", SignalType.View, T0.AddMinutes(1), 1), 5);

        Assert.Equal(["s-29", "s-28", "late", "s-27", "s-26"], belief.Trail.Select(e => e.SignalId));
    }

    // What Record promises, done the plain way: after every entry newer than it (an equal instant
    // goes in front), unless that is beyond the bound; the oldest falls off once the trail is full.
    private static void Reference(List<TrailEntry> trail, TrailEntry entry, int bound)
    {
        var index = 0;
        while (index < trail.Count && trail[index].OccurredAtUtcTicks > entry.OccurredAtUtcTicks)
        {
            index++;
        }
        if (index >= bound)
        {
            return;
        }
        trail.Insert(index, entry);
        if (trail.Count > bound)
        {
            trail.RemoveAt(trail.Count - 1);
        }
    }
}
