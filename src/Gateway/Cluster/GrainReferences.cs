namespace Clarity.Gateway.Cluster;

/// <summary>
/// Grain references by key without Orleans' per-call interface lookup. <c>GetGrain&lt;T&gt;(string)</c>
/// resolves the interface's grain type from its custom attributes on every call (about 6% of the
/// gateway's CPU on batch ingest, where a request of 100 signals for 100 users makes 100 references).
/// The grain type and interface type of <typeparamref name="T"/> are the same for every reference,
/// so they are resolved once, by Orleans itself, and then reused.
/// </summary>
internal static class GrainReferences<T> where T : IGrainWithStringKey
{
    // Derived from T's names and aliases, which are the same in every host of this build. Held by
    // reference so a reader on another thread sees either nothing or both types, never a struct
    // half written by the first callers.
    private static Resolved? _resolved;

    public static T Get(IGrainFactory grains, string key)
    {
        if (Volatile.Read(ref _resolved) is { } resolved)
        {
            return (T)grains.GetGrain(GrainId.Create(resolved.Type, key), resolved.Interface);
        }
        var grain = grains.GetGrain<T>(key);
        var reference = (GrainReference)(object)grain;
        Volatile.Write(ref _resolved, new Resolved(reference.GrainId.Type, reference.InterfaceType));
        return grain;
    }

    private sealed record Resolved(GrainType Type, GrainInterfaceType Interface);
}
