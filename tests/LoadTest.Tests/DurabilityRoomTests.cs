namespace Clarity.LoadTest.Tests;

/// <summary>
/// The arithmetic the report gives beside the two durable-ingest budgets: how much machine time per
/// item a budget leaves for what durability adds, from the floors' rates and the machine's CPU time
/// measured in the same run; and the machine's busy time as read from <c>/proc/stat</c>.
/// </summary>
public sealed class DurabilityRoomTests
{
    [Fact]
    public void OneSignalPerRequestLeavesAQuarterOfTheFloorsMachineTimeAtFourFifthsOfItsRate()
    {
        // 25,000 requests/s on 2 cores, every core busy: 80 us of machine per request. At 0.8x,
        // 20,000 requests/s, Clarity may spend 100 us; the floor's own work takes 80 of them.
        var floor = Figure("floor: trivial grain ingest, 1 signal", perSecond: 25_000, itemsPerRequest: 1, machine: 80, postgres: null);
        var durable = Figure("ingest, 1 signal per request", perSecond: 9_600, itemsPerRequest: 1, machine: 205, postgres: 36);

        var room = Report.Room(processors: 2, ratio: 0.8, floor, floor, durable);

        Assert.NotNull(room);
        Assert.Equal(100, room.Allowed, precision: 9);
        Assert.Equal(80, room.Baseline, precision: 9);
        Assert.Equal(20, room.Room, precision: 9);
        Assert.Equal(36, room.Postgres);
    }

    [Fact]
    public void BatchesAreAllowedTwoCoresTimeAtHalfTheRawRateLessTheFanOutsMachineTime()
    {
        // Raw PostgreSQL at 100,000 rows/s: at 0.5x, 50,000 signals/s, so 40 us of two cores' time
        // per signal, whatever share of the cores the raw floor itself kept busy. The fan-out of the
        // same batches into a trivial grain spends 12 of them.
        var raw = Figure("floor: raw PostgreSQL INSERT", perSecond: 10_000, itemsPerRequest: 10, machine: 17, postgres: 10);
        var fanOut = Figure("floor: trivial grain ingest, 100 signals for 100 users", perSecond: 1_600, itemsPerRequest: 100, machine: 12, postgres: null);
        var durable = Figure("ingest, 100 signals for 100 users", perSecond: 245, itemsPerRequest: 100, machine: 75, postgres: 20);

        var room = Report.Room(processors: 2, ratio: 0.5, raw, fanOut, durable);

        Assert.NotNull(room);
        Assert.Equal(40, room.Allowed, precision: 9);
        Assert.Equal(28, room.Room, precision: 9);
        Assert.Equal(20, room.Postgres);
    }

    [Fact]
    public void WithoutTheMachinesCpuTimeThereIsNoRoomToState()
    {
        var floor = Figure("floor: trivial grain ingest, 1 signal", perSecond: 25_000, itemsPerRequest: 1, machine: null, postgres: null);
        var durable = Figure("ingest, 1 signal per request", perSecond: 9_600, itemsPerRequest: 1, machine: null, postgres: 36);

        Assert.Null(Report.Room(processors: 2, ratio: 0.8, floor, floor, durable));
    }

    [Fact]
    public void TheCostOfAFigureIsTheMedianOfItsRunsForEachProcess()
    {
        var figure = new Series("test", "ingest", 64, 1, "signals");
        figure.Costs.Add(new CpuCost(100, 30, 200));
        figure.Costs.Add(new CpuCost(140, 50, 260));
        figure.Costs.Add(new CpuCost(120, 90, 210));

        Assert.Equal(new CpuCost(120, 50, 210), figure.Cost);
    }

    [Theory]
    // user nice system idle iowait irq softirq steal guest guest_nice: busy is all but idle and iowait.
    [InlineData("cpu  4705 150 1120 16250 520 0 23 7 0 0", 4705 + 150 + 1120 + 23 + 7)]
    [InlineData("cpu 10 0 5 100 0 1 2 3", 21)]
    public void TheMachinesBusyTimeIsEverythingButIdleAndIowait(string line, long busy)
    {
        Assert.Equal(busy, CpuMeter.BusyTicks(line));
    }

    [Theory]
    [InlineData("cpu0 10 0 5 100 0 1 2 3")]
    [InlineData("cpu 10 0 5")]
    [InlineData("intr 12345")]
    public void ALineThatIsNotTheMachinesTotalGivesNothing(string line)
    {
        Assert.Null(CpuMeter.BusyTicks(line));
    }

    private static Series Figure(string name, double perSecond, int itemsPerRequest, double? machine, double? postgres)
    {
        var figure = new Series("test", name, 64, itemsPerRequest, "items");
        figure.Runs.Add(new RunResult(Requests: (long)perSecond, Errors: 0, Elapsed: TimeSpan.FromSeconds(1), P50Ms: 1, P99Ms: 2, P999Ms: 3, MaxMs: 4, FirstError: null));
        figure.Costs.Add(new CpuCost(Gateway: 50, Postgres: postgres, Machine: machine));
        return figure;
    }
}
