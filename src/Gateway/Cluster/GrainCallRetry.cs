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
/// (rejected, or silo unavailable) until the cluster declares it dead and the users reactivate
/// elsewhere. Every self-model call is idempotent (ingest is deduplicated by signal id in the log;
/// reads do not change state), so the gateway retries them here, within a bounded budget, after
/// which the failure reaches the problem mapping as a 503 with Retry-After. Timeouts are not
/// retried: the silo may just be overloaded, and the client's own retry after the 503 is safe.
/// Calls made by grains themselves are left alone.
/// </summary>
/// <remarks>
/// A retry issues a new call through the grain reference: Orleans pools and clears a request once
/// it was sent, so the first attempt's request must never be sent again.
/// </remarks>
public sealed partial class GrainCallRetry(GrainCallRetryOptions options, TimeProvider clock, ILogger<GrainCallRetry> logger) : IOutgoingGrainCallFilter
{
    // Set while a retry re-issues a call, so that the inner call passes straight through.
    private static readonly AsyncLocal<bool> Retrying = new();

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (Retrying.Value || context.SourceId is not null || context.Grain is not ISelfModelGrain)
        {
            await context.Invoke();
            return;
        }
        // Captured before the first attempt, which clears the request once it is sent.
        var method = context.Request.GetMethod();
        var arguments = new object?[context.Request.GetArgumentCount()];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = context.Request.GetArgument(i);
        }
        var started = clock.GetTimestamp();
        var delay = options.FirstDelay;
        Exception? failure;
        try
        {
            await context.Invoke();
            failure = context.Response?.Exception;
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        for (var attempt = 1; failure is not null && IsSiloFailure(failure) && clock.GetElapsedTime(started) + delay <= options.Budget; attempt++)
        {
            var errorKind = failure.GetType().Name;
            LogRetry(context.MethodName, attempt, errorKind);
            await Task.Delay(delay, clock);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxDelay.Ticks));
            try
            {
                Retrying.Value = true;
                var call = (Task)method.Invoke(context.Grain, arguments)!;
                await call;
                context.Result = call.GetType().IsGenericType ? call.GetType().GetProperty("Result")!.GetValue(call) : null;
                return;
            }
            catch (Exception exception)
            {
                failure = exception is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : exception;
            }
            finally
            {
                Retrying.Value = false;
            }
        }
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Failures that mean "the silo holding this user is gone", worth another try.</summary>
    internal static bool IsSiloFailure(Exception exception) => exception switch
    {
        SiloUnavailableException or OrleansMessageRejectionException => true,
        StorageUnavailableException or TimeoutException => false,
        _ => exception.GetType().Name == "ConnectionFailedException"
            || (exception.InnerException is { } inner && IsSiloFailure(inner)),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying {Method} (attempt {Attempt}) after {ErrorKind}")]
    private partial void LogRetry(string method, int attempt, string errorKind);
}
