using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Clarity.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clarity.Grains.Tests;

/// <summary>
/// The group commit's bound on flushes in flight: appends that arrive while the bound is taken wait
/// and go out together in the next flush, and a bad setting stops the silo with the key's name.
/// </summary>
public sealed class SignalLogGroupCommitTests
{
    [Fact]
    public async Task Appends_queued_behind_the_one_flush_in_flight_go_out_together()
    {
        var store = new GatedStore();
        await using var log = new GroupCommitSignalLog(store, new SignalLogOptions { MaxConcurrentFlushes = 1 }, NullLogger<GroupCommitSignalLog>.Instance);

        var first = log.AppendAsync("t1", "user-0", [Signal("a")]);
        await store.FlushStarted(1);
        var queued = Enumerable.Range(1, 50).Select(u => log.AppendAsync("t1", $"user-{u}", [Signal("a")])).ToList();
        // The second flush may not start while the first holds the only slot.
        Assert.Equal(1, store.Started);

        store.Release();
        var results = await Task.WhenAll(queued.Prepend(first));

        Assert.All(results, r => Assert.NotNull(Assert.Single(r)));
        Assert.Equal(1, store.MostInFlight);
        Assert.Equal([1, 50], store.FlushSizes);
    }

    [Fact]
    public async Task Without_the_setting_the_store_bounds_flushes_in_flight()
    {
        var store = new GatedStore { MaxConcurrentAppends = 3 };
        await using var log = new GroupCommitSignalLog(store, new SignalLogOptions(), NullLogger<GroupCommitSignalLog>.Instance);

        var appends = new List<Task<IReadOnlyList<long?>>>();
        for (var u = 0; u < 3; u++)
        {
            appends.Add(log.AppendAsync("t1", $"user-{u}", [Signal("a")]));
            await store.FlushStarted(u + 1);
        }
        appends.Add(log.AppendAsync("t1", "user-3", [Signal("a")]));
        Assert.Equal(3, store.Started);

        store.Release();
        await Task.WhenAll(appends);
        Assert.Equal(3, store.MostInFlight);
        Assert.Equal(4, store.FlushSizes.Sum());
    }

    [Theory]
    [InlineData(0, null, "Clarity:SignalLog:MaxRowsPerAppend")]
    [InlineData(2000, 0, "Clarity:SignalLog:MaxConcurrentFlushes")]
    public void Invalid_settings_name_their_key(int maxRows, int? maxFlushes, string key)
    {
        var errors = new SignalLogOptions { MaxRowsPerAppend = maxRows, MaxConcurrentFlushes = maxFlushes }.Validate().ToList();
        Assert.Contains(key, Assert.Single(errors), StringComparison.Ordinal);
        Assert.Empty(new SignalLogOptions { MaxConcurrentFlushes = 1 }.Validate());
    }

    private static SignalData Signal(string id) => new()
    {
        Id = id,
        Type = "view",
        OccurredAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        Item = new ItemData { Id = "item-1", Category = "books" },
    };

    /// <summary>Holds every flush until released; counts flushes, their sizes and how many ran at once.</summary>
    private sealed class GatedStore : ISignalLogStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();
        private readonly List<int> _sizes = [];
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private long _position;
        private int _inFlight;

        public int MaxConcurrentAppends { get; init; } = 1;

        public int Started { get { lock (_lock) { return _sizes.Count; } } }

        public int MostInFlight { get; private set; }

        public IReadOnlyList<int> FlushSizes { get { lock (_lock) { return [.. _sizes]; } } }

        public void Release() => _gate.TrySetResult();

        public Task FlushStarted(int count)
        {
            lock (_lock)
            {
                if (_sizes.Count >= count)
                {
                    return Task.CompletedTask;
                }
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task;
            }
        }

        public async Task<IReadOnlyList<LogInserted>> AppendAsync(IReadOnlyList<LogRow> rows, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _sizes.Add(rows.Count);
                MostInFlight = Math.Max(MostInFlight, ++_inFlight);
                foreach (var waiter in _waiters.Where(w => _sizes.Count >= w.Count).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Reached.TrySetResult();
                }
            }
            await _gate.Task.WaitAsync(cancellationToken);
            lock (_lock)
            {
                _inFlight--;
                return [.. rows.Select(r => new LogInserted(r.TenantId, r.UserId, r.SignalId, ++_position))];
            }
        }

        public Task<IReadOnlyList<LoggedSignal>> ReadAsync(string tenantId, string userId, long afterPosition, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<LoggedSignal>>([]);

        public Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task WriteDecisionsAsync(string tenantId, string userId, IReadOnlyList<StoredDecision> decisions, int keep, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<StoredDecision>> ReadDecisionsAsync(string tenantId, string userId, int keep, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoredDecision>>([]);

        public Task<int> DeleteDecisionsAsync(string tenantId, string userId, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
