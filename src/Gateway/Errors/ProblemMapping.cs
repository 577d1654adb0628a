using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Clarity.Gateway.Errors;

/// <summary>
/// The one place exceptions become responses (RFC 9457 problem details): bad requests keep their
/// status, storage or cluster trouble becomes 503 with Retry-After, anything else is a 500 with no
/// internal detail. Never a stack trace or a type name.
/// </summary>
public sealed class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    /// <summary>Seconds a client should wait before retrying after a 503.</summary>
    public const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Classify(exception);
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            logger.LogWarning("Request {Path} failed with a transient error {ErrorKind}", httpContext.Request.Path.Value, exception.GetType().Name);
        }
        else if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error on {Path}", httpContext.Request.Path.Value);
        }
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    internal static (int Status, string Title, string Detail) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException bad => (bad.StatusCode, Title(bad.StatusCode), BadRequestDetail(bad)),
        ArgumentException argument => (StatusCodes.Status400BadRequest, "Invalid request", argument.Message),
        TimeoutException or OrleansException or Orleans.Storage.InconsistentStateException or OperationCanceledException
            or System.Data.Common.DbException => (StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                "Clarity could not reach its storage or cluster in time. Nothing from this request was lost; retry it."),
        _ => (StatusCodes.Status500InternalServerError, "Internal error", "An unexpected error occurred."),
    };

    private static string BadRequestDetail(BadHttpRequestException bad) => bad.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than the limit.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
        // Say where the JSON is wrong, never what the parser's types are or what the payload held.
            _ => bad.InnerException is System.Text.Json.JsonException json
            ? $"The body is not valid JSON for this request (at {json.Path ?? "$"}, line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1})."
            : "The request is malformed.",
    };

    private static string Title(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Payload too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        _ => "Bad request",
    };
}
