using System.Globalization;

namespace Clarity.LoadTest;

/// <summary>
/// CPU time of the processes under test, from <c>/proc</c> (Linux only): the gateway by its pid and
/// the throwaway PostgreSQL server as its postmaster and every process it started, exited ones
/// included (the postmaster's children's time); and the whole machine's busy time, load generator
/// and kernel included, from <c>/proc/stat</c>. On a shared machine throughput moves with the
/// neighbours' load, CPU spent per item much less, so runs log both.
/// </summary>
internal sealed class CpuMeter(int gatewayPid, int? postmasterPid)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux ABI .NET runs on

    public static bool Supported => Directory.Exists("/proc/self");

    public CpuReading Read()
    {
        var gateway = Ticks(gatewayPid, children: false) ?? 0;
        long postgres = 0;
        if (postmasterPid is { } master)
        {
            postgres = Ticks(master, children: true) ?? 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && Fields(pid) is { } fields && fields.Length > 20 && fields[1] == master.ToString(CultureInfo.InvariantCulture))
                {
                    postgres += Sum(fields, children: false);
                }
            }
        }
        return new CpuReading(FromTicks(gateway), FromTicks(postgres), MachineBusyTicks() is { } busy ? FromTicks(busy) : null);
    }

    /// <summary>
    /// CPU per item, in microseconds, spent since <paramref name="before"/> (a <see cref="Read"/>):
    /// per signal, candidate or request, so that runs of different throughput compare. Null without
    /// items; PostgreSQL's is null when the meter has no server to read.
    /// </summary>
    public CpuCost? PerItemSince(CpuReading before, double items)
    {
        if (items <= 0)
        {
            return null;
        }
        var after = Read();
        double PerItem(TimeSpan spent) => spent.TotalMicroseconds / items;
        return new CpuCost(
            PerItem(after.Gateway - before.Gateway),
            postmasterPid is null ? null : PerItem(after.Postgres - before.Postgres),
            after.Machine - before.Machine is { } machine ? PerItem(machine) : null);
    }

    /// <summary>
    /// The machine's busy time, all cores, from the first line of <c>/proc/stat</c>
    /// (<c>cpu user nice system idle iowait irq softirq steal ...</c>, in USER_HZ): everything but
    /// idle and iowait. Guest time is already counted in user.
    /// </summary>
    internal static long? BusyTicks(string statFirstLine)
    {
        var fields = statFirstLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] != "cpu")
        {
            return null;
        }
        long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
    }

    private static long? MachineBusyTicks()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return reader.ReadLine() is { } line ? BusyTicks(line) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds(ticks / TicksPerSecond);

    private static long? Ticks(int pid, bool children) => Fields(pid) is { Length: > 20 } fields ? Sum(fields, children) : null;

    // Fields after the command name: [0] state, [1] ppid, ..., [11] utime, [12] stime, [13] cutime, [14] cstime.
    private static long Sum(string[] fields, bool children)
    {
        var sum = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        if (children)
        {
            sum += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may contain spaces.
            var close = stat.LastIndexOf(')');
            return close < 0 ? null : stat[(close + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>One reading of <see cref="CpuMeter"/>: CPU time so far of the gateway, of PostgreSQL, and the machine's busy time (null without <c>/proc/stat</c>).</summary>
internal readonly record struct CpuReading(TimeSpan Gateway, TimeSpan Postgres, TimeSpan? Machine);

/// <summary>
/// CPU time per item in microseconds: the gateway's, PostgreSQL's when the tool started the server
/// (its postmaster pid is known), and the whole machine's (every process and the kernel, all cores).
/// </summary>
internal readonly record struct CpuCost(double Gateway, double? Postgres, double? Machine = null);
