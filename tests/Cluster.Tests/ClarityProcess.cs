using System.Collections.Concurrent;
using System.Diagnostics;

namespace Clarity.Cluster.Tests;

/// <summary>
/// A silo or gateway started as its own process from the built output, so that it can really be
/// killed. Start is signalled by the host's "Application started" log line (an event, not a poll).
/// </summary>
public sealed class ClarityProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ClarityProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        // Exited can be raised before the last output lines were read; WaitForExit() without a
        // timeout returns only once both redirected streams reached their end, so the message
        // carries what the process printed on its way out (on a busy machine it used to be empty).
        _process.Exited += (_, _) => _ = Task.Run(() =>
        {
            _process.WaitForExit();
            _started.TrySetException(new InvalidOperationException($"{Name} exited before it started:{Environment.NewLine}{Output}"));
        });
    }

    public string Name { get; }

    public int Id => _process.Id;

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Runs <c>dotnet {assembly}</c> in the assembly's directory with the given settings.</summary>
    public static ClarityProcess Start(string name, string assemblyPath, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var clarity = new ClarityProcess(name, process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return clarity;
    }

    /// <summary>Completes when the host reports it started (its silo joined or its client connected).</summary>
    public async Task WaitStartedAsync()
    {
        try
        {
            await _started.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not start:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>kill -9: no shutdown, no snapshot, connections dropped.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>A graceful stop (SIGTERM), as an orchestrator would do it.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 400 && _output.TryDequeue(out _))
        {
        }
        if (line.Contains("Application started", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }
}
