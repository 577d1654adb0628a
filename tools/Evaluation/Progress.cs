using System.Diagnostics;

namespace Clarity.Evaluation;

/// <summary>
/// A progress display on a writer (stderr by default): one line per stage, rewritten in place on a
/// terminal and throttled to one line a second when redirected, so logs stay readable.
/// </summary>
public sealed class Progress(TextWriter writer, bool interactive)
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private string _stage = "";
    private long _total0;

    public static Progress Console() => new(System.Console.Error, !System.Console.IsErrorRedirected);

    public static Progress Silent() => new(TextWriter.Null, false);

    public void Stage(string name, long total = 0)
    {
        End();
        _stage = name;
        _total0 = total;
        if (interactive)
        {
            Draw(0, force: true);
        }
    }

    public void Tick(long done)
    {
        if (_sinceDraw.ElapsedMilliseconds >= (interactive ? 100 : 1000))
        {
            Draw(done, force: false);
        }
    }

    public void End()
    {
        if (_stage.Length > 0)
        {
            Draw(_total0, force: true);
            if (interactive)
            {
                writer.WriteLine();
            }
            _stage = "";
        }
    }

    public void Info(string message)
    {
        End();
        writer.WriteLine(message);
    }

    private void Draw(long done, bool force)
    {
        if (!force && !interactive && _total0 == 0)
        {
            return;
        }
        _sinceDraw.Restart();
        var amount = _total0 > 0 ? $" {done:N0}/{_total0:N0} ({100.0 * done / _total0:0}%)" : done > 0 ? $" {done:N0}" : "";
        var line = $"[{_total.Elapsed:mm\\:ss}] {_stage}{amount}";
        if (interactive)
        {
            writer.Write("\r" + line.PadRight(72));
        }
        else
        {
            writer.WriteLine(line);
        }
    }
}
