using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Orleans.Serialization;

namespace Clarity.Grains.State;

/// <summary>
/// Everything an idle activation holds of its user, for keeping it as bytes in memory (never
/// stored, so its ids may change with the code): the stored form of the model (beliefs, window,
/// interpreter memory, cutoffs, recent ids), the recorded decisions, and what housekeeping last
/// reported, which the stored form leaves out.
/// </summary>
[GenerateSerializer, Alias("Clarity.CompactSelfModel")]
public sealed class CompactSelfModel
{
    [Id(0)] public SelfModelState State { get; set; } = new();

    /// <summary>Recorded decisions in their stored form (<see cref="DecisionPayload"/>), oldest first.</summary>
    [Id(1)] public List<string> Decisions { get; set; } = [];

    /// <summary>Beliefs whose reported status differs from their status (see <see cref="SelfModel.ReportedStatusesThatDiffer"/>).</summary>
    [Id(2)] public List<ReportedState> Reported { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("Clarity.ReportedState")]
public sealed record ReportedState(
    [property: Id(0)] BeliefKind Kind,
    [property: Id(1)] string Subject,
    [property: Id(2)] BeliefStatus Status);

/// <summary>
/// Folds a self-model into one compressed byte array and rebuilds it: the Orleans binary form of
/// <see cref="CompactSelfModel"/>, Brotli-compressed at its fastest level (category paths, signal
/// ids and the interpreter memory's field names repeat: 18 beliefs take about a third of the
/// uncompressed bytes), behind a 4-byte length so the rebuild decompresses in one call.
/// </summary>
public sealed class SelfModelCompactor(Serializer<CompactSelfModel> serializer, BeliefEngine engine)
{
    // Brotli's fastest quality; a 64 KB window is as good as a larger one for a few KB of input
    // and keeps the encoder's scratch memory small.
    private const int Quality = 1;
    private const int WindowBits = 16;

    public byte[] Compact(SelfModel model, long logPosition)
    {
        var state = model.ToState();
        state.LogPosition = logPosition;
        var compact = new CompactSelfModel
        {
            State = state,
            Decisions = [.. model.RecordedDecisions.Select(d => DecisionPayload.Serialize(d).Payload)],
            Reported = [.. model.ReportedStatusesThatDiffer().Select(r => new ReportedState(r.Key.Kind, r.Key.Subject, r.Value))],
        };
        var plain = new ArrayBufferWriter<byte>(4096);
        serializer.Serialize(compact, plain);
        var bound = BrotliEncoder.GetMaxCompressedLength(plain.WrittenCount);
        var buffer = ArrayPool<byte>.Shared.Rent(sizeof(int) + bound);
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer, plain.WrittenCount);
            if (!BrotliEncoder.TryCompress(plain.WrittenSpan, buffer.AsSpan(sizeof(int), bound), out var written, Quality, WindowBits))
            {
                throw new InvalidOperationException("Compressing a self-model failed.");
            }
            return buffer.AsSpan(0, sizeof(int) + written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The folded form as stored (for a snapshot written while the model is compact), without rebuilding the model.</summary>
    public SelfModelState State(byte[] compact) => Read(compact).State;

    /// <summary>The model as it was compacted, with its window, decisions and reported statuses.</summary>
    public SelfModel Rebuild(byte[] compact)
    {
        var read = Read(compact);
        var model = read.State.ToModel(engine.Options);
        if (read.Decisions.Count > 0)
        {
            engine.RestoreDecisions(model, read.Decisions.Select(DecisionPayload.Deserialize));
        }
        var window = read.State.WindowSignals(engine);
        if (window.Count > 0)
        {
            engine.RestoreWindow(model, window);
        }
        model.RestoreReportedStatuses(read.Reported.Select(r => new KeyValuePair<BeliefKey, BeliefStatus>(new BeliefKey(r.Kind, r.Subject), r.Status)));
        return model;
    }

    private CompactSelfModel Read(byte[] compact)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(compact);
        var plain = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            if (!BrotliDecoder.TryDecompress(compact.AsSpan(sizeof(int)), plain, out var written) || written != length)
            {
                throw new InvalidOperationException("A compacted self-model does not decompress.");
            }
            return serializer.Deserialize(new ReadOnlyMemory<byte>(plain, 0, length))
                ?? throw new InvalidOperationException("A compacted self-model is empty.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }
}
