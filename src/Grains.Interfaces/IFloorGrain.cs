namespace Clarity.Grains.Interfaces;

/// <summary>
/// A trivial grain (a dictionary, no engine, no storage) that the load tool uses as the floor for
/// grain calls behind the gateway's pipeline. Only mapped when <c>Clarity:Benchmark:Floors</c> is true.
/// </summary>
[Alias("Clarity.IFloorGrain")]
public interface IFloorGrain : IGrainWithStringKey
{
    /// <summary>Counts each signal's category in memory; nothing is durable.</summary>
    [Alias("Ingest")]
    Task<IngestResult> IngestAsync([Immutable] IReadOnlyList<SignalData> signals);

    /// <summary>20 small records: the counted categories (at most 20), then fixed fillers.</summary>
    [Alias("Read")]
    [Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<FloorEntry>> ReadAsync();

    /// <summary>Looks each candidate's category up and sorts by score plus count.</summary>
    [Alias("Rerank")]
    [Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<FloorEntry>> RerankAsync(IReadOnlyList<CandidateData> candidates);
}

/// <summary>A name and a number: the floor grain's only record.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.FloorEntry")]
public sealed record FloorEntry([property: Id(0)] string Name, [property: Id(1)] double Value);

/// <summary>
/// The activation floor: a trivial grain whose whole state (20 small records) is persisted through
/// the same ADO.NET storage provider as the self-models, so a first read after a restart costs one
/// storage read and nothing else. Only mapped when <c>Clarity:Benchmark:Floors</c> is true.
/// </summary>
[Alias("Clarity.IStoredFloorGrain")]
public interface IStoredFloorGrain : IGrainWithStringKey
{
    /// <summary>Stores 20 records (one durable write).</summary>
    [Alias("Write")]
    Task WriteAsync();

    /// <summary>The stored records.</summary>
    [Alias("Read")]
    [Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<FloorEntry>> ReadAsync();
}
