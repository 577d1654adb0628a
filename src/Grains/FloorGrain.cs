using Clarity.Grains.Interfaces;

namespace Clarity.Grains;

/// <summary>
/// The floor the load tool compares Clarity's grain calls with: the same activation, messaging and
/// serialization, and nothing of the engine or storage. Never reached unless the gateway maps the
/// benchmark floors (<c>Clarity:Benchmark:Floors</c>).
/// </summary>
public sealed class FloorGrain : Grain, IFloorGrain
{
    private const int ReadRecords = 20;

    // A read always answers 20 records, as PERFORMANCE.md's floor does: the counted categories, then
    // fixed fillers. Without them a seeded user answered 9 and the same user 20 once the ingest
    // workloads had added categories, so the floor moved under the figures compared with it.
    private static readonly FloorEntry[] Fillers = [.. Enumerable.Range(0, ReadRecords).Select(i => new FloorEntry($"filler/{i:00}", 0))];
    private readonly Dictionary<string, double> _counts = new(StringComparer.Ordinal);

    public Task<IngestResult> IngestAsync(IReadOnlyList<SignalData> signals)
    {
        foreach (var signal in signals)
        {
            _counts[signal.Item.Category] = _counts.GetValueOrDefault(signal.Item.Category) + 1;
        }
        return Task.FromResult(new IngestResult(signals.Count, 0));
    }

    public Task<IReadOnlyList<FloorEntry>> ReadAsync()
    {
        var entries = new List<FloorEntry>(ReadRecords);
        foreach (var (name, value) in _counts)
        {
            if (entries.Count == ReadRecords)
            {
                break;
            }
            entries.Add(new FloorEntry(name, value));
        }
        for (var i = entries.Count; i < ReadRecords; i++)
        {
            entries.Add(Fillers[i]);
        }
        return Task.FromResult<IReadOnlyList<FloorEntry>>(entries);
    }

    public Task<IReadOnlyList<FloorEntry>> RerankAsync(IReadOnlyList<CandidateData> candidates)
    {
        var ranked = new FloorEntry[candidates.Count];
        for (var i = 0; i < ranked.Length; i++)
        {
            var candidate = candidates[i];
            ranked[i] = new FloorEntry(candidate.Id, (candidate.Score ?? 0) + _counts.GetValueOrDefault(candidate.Category));
        }
        Array.Sort(ranked, static (a, b) => b.Value.CompareTo(a.Value));
        return Task.FromResult<IReadOnlyList<FloorEntry>>(ranked);
    }
}
