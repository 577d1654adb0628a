using Clarity.Grains.Interfaces;

namespace Clarity.Grains;

/// <summary>
/// The activation floor the load tool compares cold self-model activations with: one small state
/// read through the same storage provider on activation, no engine and no signal log.
/// </summary>
public sealed class StoredFloorGrain(
    [PersistentState("floor", StorageNames.Clarity)] IPersistentState<StoredFloorState> state) : Grain, IStoredFloorGrain
{
    private const int Records = 20;

    public Task WriteAsync()
    {
        state.State.Entries = [.. Enumerable.Range(0, Records).Select(i => new FloorEntry($"d{i % 10}/c{i}/l{i % 4}", i))];
        return state.WriteStateAsync();
    }

    public Task<IReadOnlyList<FloorEntry>> ReadAsync() => Task.FromResult(state.State.Entries);
}

/// <summary>The stored floor's state: 20 records, about the size of a small self-model's summary.</summary>
[GenerateSerializer, Alias("Clarity.StoredFloorState")]
public sealed class StoredFloorState
{
    [Id(0)] public IReadOnlyList<FloorEntry> Entries { get; set; } = [];
}
