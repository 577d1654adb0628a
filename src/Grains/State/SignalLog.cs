using System.Text.Json;
using System.Text.Json.Serialization;
using Clarity.Grains.Interfaces;

namespace Clarity.Grains.State;

/// <summary>
/// The append-only log of accepted signals, unique on (tenant, user, signal id). Acknowledged means
/// in the log: grains append before they apply, snapshots record the last position they include,
/// and activation replays what follows. Export and erasure read and delete it here too.
/// </summary>
public interface ISignalLog
{
    /// <summary>
    /// Appends one user's signals durably (group-committed with other users' appends). Returns, per
    /// input signal, its log position, or null when that id was already in the log (a duplicate).
    /// Throws <see cref="StorageUnavailableException"/> when the store fails; then the outcome is
    /// unknown and the caller must not assume either way (the log stays the truth).
    /// </summary>
    Task<IReadOnlyList<long?>> AppendAsync(string tenantId, string userId, IReadOnlyList<SignalData> signals);

    /// <summary>One user's logged signals after <paramref name="afterPosition"/>, in position order.</summary>
    Task<IReadOnlyList<LoggedSignal>> ReadAsync(string tenantId, string userId, long afterPosition = 0, CancellationToken cancellationToken = default);

    /// <summary>Deletes every logged signal of one user (erasure). Returns how many were deleted.</summary>
    Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken = default);
}

/// <summary>A signal as it sits in the log, with its position.</summary>
public sealed record LoggedSignal(long Position, SignalData Signal);

/// <summary>
/// The stored text of a logged signal: JSON, so that export and audits can read it as is. Written
/// once per accepted signal on the ingest path, so the serializer is source-generated (no
/// reflection, no per-call metadata lookups); the text is the web defaults' without null members
/// (an absent value, price, tags or context reads back as null: about a quarter of a typical row
/// that every append would otherwise send and write to the WAL for nothing).
/// </summary>
public static class SignalLogPayload
{
    public static string Serialize(SignalData signal) => JsonSerializer.Serialize(signal, SignalLogJson.Default.SignalData);

    public static SignalData Deserialize(string payload) =>
        JsonSerializer.Deserialize(payload, SignalLogJson.Default.SignalData) ?? throw new InvalidDataException("A logged signal is empty.");
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SignalData))]
internal sealed partial class SignalLogJson : JsonSerializerContext;
