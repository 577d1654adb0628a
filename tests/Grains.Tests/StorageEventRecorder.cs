namespace Clarity.Grains.Tests;

/// <summary>
/// Records one grain's snapshots and activations from <see cref="SelfModelEvents"/> while it is
/// alive, so a test can assert what was written and replayed without waiting on time.
/// </summary>
internal sealed class StorageEventRecorder : IDisposable
{
    private readonly SelfModelEvents _events;
    private readonly string _key;

    public StorageEventRecorder(SelfModelEvents events, string key)
    {
        _events = events;
        _key = key;
        _events.Snapshotted += OnSnapshotted;
        _events.Activated += OnActivated;
    }

    /// <summary>Log positions of the snapshots written, in order.</summary>
    public List<long> Snapshots { get; } = [];

    /// <summary>Each activation's snapshot position and the log positions it replayed.</summary>
    public List<(long Snapshot, IReadOnlyList<long> Replayed)> Activations { get; } = [];

    public void Dispose()
    {
        _events.Snapshotted -= OnSnapshotted;
        _events.Activated -= OnActivated;
    }

    private void OnSnapshotted(string grainKey, long position)
    {
        if (grainKey == _key)
        {
            Snapshots.Add(position);
        }
    }

    private void OnActivated(string grainKey, long snapshot, IReadOnlyList<long> replayed)
    {
        if (grainKey == _key)
        {
            Activations.Add((snapshot, replayed));
        }
    }
}
