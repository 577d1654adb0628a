using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Interpretation;
using Clarity.Engine.Signals;

namespace Clarity.Grains.State;

/// <summary>
/// The stored form of a self-model. Separate from the engine's types so that storage can evolve
/// with explicit, never-renumbered ids while the engine stays free of Orleans.
/// </summary>
[GenerateSerializer, Alias("Clarity.SelfModelState")]
public sealed class SelfModelState
{
    [Id(0)] public List<BeliefState> Beliefs { get; set; } = [];

    [Id(1)] public List<string> RecentSignalIds { get; set; } = [];

    [Id(2)] public DateTimeOffset? FirstSignalAt { get; set; }

    [Id(3)] public DateTimeOffset? LastSignalAt { get; set; }

    [Id(4)] public long SignalCount { get; set; }

    /// <summary>The last signal-log position this snapshot includes; activation replays after it.</summary>
    [Id(5)] public long LogPosition { get; set; }

    /// <summary>Rejected or forgotten beliefs and the instant up to which their evidence no longer counts.</summary>
    [Id(20)] public List<CutoffState> Cutoffs { get; set; } = [];
    /// <summary>
    /// The interpreters' memory (recent views, purchase intervals, streaks, usual prices): an
    /// engine-owned, versioned document (<see cref="Clarity.Engine.Interpretation.Memory"/>), so the
    /// engine can evolve it without renumbering stored fields here.
    /// </summary>
    [Id(6)] public string? InterpreterMemory { get; set; }

    /// <summary>
    /// The reorder window (signals not yet folded, in event order). When present, <see cref="Beliefs"/>
    /// and <see cref="InterpreterMemory"/> are the folded state and activation replays the window on
    /// top, so a late signal is read the same whether or not a snapshot happened in between. Empty in
    /// snapshots written before the window was stored: those hold the window folded in.
    /// </summary>
    [Id(7)] public List<WindowSignalState> Window { get; set; } = [];
}

/// <summary>A signal of the reorder window as stored.</summary>
[GenerateSerializer, Immutable, Alias("Clarity.WindowSignalState")]
public sealed record WindowSignalState(
    [property: Id(0)] string Id,
    [property: Id(1)] SignalType Type,
    [property: Id(2)] DateTimeOffset OccurredAt,
    [property: Id(3)] string ItemId,
    [property: Id(4)] string Category,
    [property: Id(5)] double? Price,
    [property: Id(6)] IReadOnlyList<string>? Tags,
    [property: Id(7)] double? Value,
    [property: Id(8)] string? SessionId,
    [property: Id(9)] string? DecisionId,
    [property: Id(10)] bool Gift)
{
    public static WindowSignalState From(Signal s) =>
        new(s.Id, s.Type, s.OccurredAt, s.Item.Id, s.Item.Category, s.Item.Price, s.Item.Tags, s.Value, s.Context?.SessionId, s.Context?.DecisionId, s.Context?.Gift ?? false);

    /// <summary>The engine's signal, with the engine's shared copy of the category path (see <see cref="WireMapping"/>).</summary>
    public Signal ToSignal(BeliefEngine engine) => new(
        Id, Type, OccurredAt, new ItemRef(ItemId, engine.Category(Category).Path, Price, Tags), Value,
        SessionId is null && DecisionId is null && !Gift ? null : new SignalContext(SessionId, DecisionId, Gift));
}

[GenerateSerializer, Immutable, Alias("Clarity.CutoffState")]
public sealed record CutoffState(
    [property: Id(0)] BeliefKind Kind,
    [property: Id(1)] string Subject,
    [property: Id(2)] DateTimeOffset EvidenceUpTo);

[GenerateSerializer, Immutable, Alias("Clarity.CorrectionState")]
public sealed record CorrectionState(
    [property: Id(0)] UserVerdict Verdict,
    [property: Id(1)] bool Holds,
    [property: Id(2)] DateTimeOffset At);

[GenerateSerializer, Alias("Clarity.BeliefState")]
public sealed class BeliefState
{
    [Id(0)] public BeliefKind Kind { get; set; }

    [Id(1)] public string Subject { get; set; } = "";

    [Id(2)] public double Support { get; set; }

    [Id(3)] public long SupportTicks { get; set; }

    [Id(4)] public double Against { get; set; }

    [Id(5)] public long AgainstTicks { get; set; }

    [Id(6)] public int Observations { get; set; }

    [Id(7)] public int Contradictions { get; set; }

    [Id(8)] public DateTimeOffset FirstObservedAt { get; set; }

    [Id(9)] public DateTimeOffset LastObservedAt { get; set; }

    [Id(10)] public BeliefSource Source { get; set; }

    [Id(11)] public BeliefStatus Status { get; set; }

    [Id(12)] public bool Holds { get; set; }

    [Id(13)] public List<TrailState> Trail { get; set; } = [];

    /// <summary>The user's word on the belief; null for a plain inference.</summary>
    [Id(20)] public CorrectionState? Correction { get; set; }
    /// <summary>Replenishment: when the next purchase is expected.</summary>
    [Id(14)] public DateTimeOffset? ExpectedAt { get; set; }
}

[GenerateSerializer, Immutable, Alias("Clarity.TrailState")]
public sealed record TrailState(
    [property: Id(0)] string SignalId,
    [property: Id(1)] SignalType Type,
    [property: Id(2)] DateTimeOffset OccurredAt,
    [property: Id(3)] double Effect,
    [property: Id(4)] string? Note);

/// <summary>Maps between the engine's model and its stored form.</summary>
public static class SelfModelStateMapping
{
    /// <summary>
    /// The folded state plus the reorder window: what the model is, and also how it would read a
    /// late signal (see <see cref="SelfModelState.Window"/>). Restore with <see cref="ToModel"/>, then
    /// <see cref="BeliefEngine.RestoreWindow"/> with <see cref="WindowSignals"/>.
    /// </summary>
    public static SelfModelState ToState(this SelfModel model) => new()
    {
        Beliefs = [.. model.FoldedBeliefs.Values.Select(ToState)],
        RecentSignalIds = [.. model.RecentSignalIds],
        FirstSignalAt = model.FirstSignalAt,
        LastSignalAt = model.LastSignalAt,
        SignalCount = model.SignalCount,
        Cutoffs = [.. model.EvidenceCutoffs.Select(c => new CutoffState(c.Key.Kind, c.Key.Subject, c.Value))],
        InterpreterMemory = Memory.ExportFolded(model),
        Window = [.. model.WindowSignals.Select(WindowSignalState.From)],
    };

    /// <summary>The stored reorder window, to replay with <see cref="BeliefEngine.RestoreWindow"/> after <see cref="ToModel"/>.</summary>
    public static IReadOnlyList<Signal> WindowSignals(this SelfModelState state, BeliefEngine engine) => [.. state.Window.Select(w => w.ToSignal(engine))];

    public static SelfModel ToModel(this SelfModelState state, EngineOptions options)
    {
        var model = new SelfModel
        {
            FirstSignalAt = state.FirstSignalAt,
            LastSignalAt = state.LastSignalAt,
            SignalCount = state.SignalCount,
        };
        foreach (var id in state.RecentSignalIds)
        {
            model.RememberSignalId(id, options.RecentSignalIds);
        }
        foreach (var b in state.Beliefs)
        {
            var belief = new Belief(new BeliefKey(b.Kind, b.Subject), b.FirstObservedAt)
            {
                Support = new DecayedMass(b.Support, b.SupportTicks),
                Against = new DecayedMass(b.Against, b.AgainstTicks),
                Observations = b.Observations,
                Contradictions = b.Contradictions,
                LastObservedAt = b.LastObservedAt,
                Source = b.Source,
                Status = b.Status,
                Holds = b.Holds,
                Correction = b.Correction is { } c ? new Correction(c.Verdict, c.Holds, c.At) : null,
                ExpectedAt = b.ExpectedAt,
            };
            belief.RestoreTrail(b.Trail.Select(t => new TrailEntry(t.SignalId, t.Type, t.OccurredAt, t.Effect, t.Note)));
            model.Restore(belief);
        }
        foreach (var cutoff in state.Cutoffs)
        {
            model.SetCutoff(new BeliefKey(cutoff.Kind, cutoff.Subject), cutoff.EvidenceUpTo, options.Corrections.MaxCutoffs);
        }
        Memory.Import(model, state.InterpreterMemory, options.Interpretation.SaturationMemory);
        return model;
    }

    private static BeliefState ToState(Belief b) => new()
    {
        Kind = b.Key.Kind,
        Subject = b.Key.Subject,
        Support = b.Support.Value,
        SupportTicks = b.Support.ReferenceTicks,
        Against = b.Against.Value,
        AgainstTicks = b.Against.ReferenceTicks,
        Observations = b.Observations,
        Contradictions = b.Contradictions,
        FirstObservedAt = b.FirstObservedAt,
        LastObservedAt = b.LastObservedAt,
        Source = b.Source,
        Status = b.Status,
        Holds = b.Holds,
        Correction = b.Correction is { } c ? new CorrectionState(c.Verdict, c.Holds, c.At) : null,
        ExpectedAt = b.ExpectedAt,
        Trail = [.. b.Trail.Select(t => new TrailState(t.SignalId, t.Type, t.OccurredAt, t.Effect, t.Note))],
    };
}
