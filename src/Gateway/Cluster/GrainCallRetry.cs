using System.Runtime.ExceptionServices;
using Clarity.Grains.Interfaces;

namespace Clarity.Gateway.Cluster;

/// <summary>Retry settings for grain calls (configuration section <c>Clarity:Retry</c>).</summary>
public sealed class GrainCallRetryOptions
{
    public const string Section = "Clarity:Retry";

    /// <summary>Total time one request may spend retrying before it becomes a 503. Default 20 s.</summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The first pause between attempts; doubles up to <see cref="MaxDelay"/>. Default 100 ms.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between attempts. Default 2 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Orleans delivers at most once and never retries. When a silo dies, calls to its users fail
/// (rejected, silo unavailable, or timed out) until the cluster declares it dead and the users
/// reactivate elsewhere. Every self-model call is idempotent (ingest is deduplicated by signal id
/// in the log; reads do not change state), so the gateway retries them here, within a bounded
/// budget, after which the failure reaches the problem mapping as a 503 with Retry-After.
/// Calls made by grains themselves are left alone.
/// </summary>
public sealed partial class GrainCallRetry(GrainCallRetryOptions options, TimeProvider clock, ILogger<GrainCallRetry> logger) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.SourceId is not null || context.Grain is not ISelfModelGrain)
        {
            await context.Invoke();
            return;
        }
        var started = clock.GetTimestamp();
        var delay = options.FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            ExceptionDispatchInfo? thrown = null;
            try
            {
                await context.Invoke();
            }
            catch (Exception exception)
            {
                thrown = ExceptionDispatchInfo.Capture(exception);
            }
            // A failure arrives either thrown or inside the response, depending on where it arose.
            var failure = thrown?.SourceException ?? context.Response?.Exception;
            if (failure is null || !IsSiloFailure(failure) || clock.GetElapsedTime(started) + delay > options.Budget)
            {
                thrown?.Throw();
                return;
            }
            var errorKind = failure.GetType().Name;
            LogRetry(context.MethodName, attempt, errorKind);
            context.Response = null!;
            await Task.Delay(delay, clock);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxDelay.Ticks));
        }
    }

    /// <summary>Failures that mean "the silo holding this user is gone or going", worth another try.</summary>
    internal static bool IsSiloFailure(Exception exception) => exception switch
    {
        SiloUnavailableException or OrleansMessageRejectionException or TimeoutException => true,
        StorageUnavailableException => false,
        _ => exception.GetType().Name == "ConnectionFailedException"
            || (exception.InnerException is { } inner && IsSiloFailure(inner)),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying {Method} (attempt {Attempt}) after {ErrorKind}")]
    private partial void LogRetry(string method, int attempt, string errorKind);
}
