namespace Clarity.Grains.Interfaces;

/// <summary>
/// Clarity's storage did not answer, so the call did nothing that was acknowledged: retry it. An
/// ingest retried with the same signal ids is applied at most once. The message never carries
/// payloads or connection details.
/// </summary>
[GenerateSerializer, Alias("Clarity.StorageUnavailableException")]
public sealed class StorageUnavailableException : OrleansException
{
    public StorageUnavailableException()
        : base("Clarity's storage is unavailable; retry later.")
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
