using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;
using Clarity.Grains.Interfaces;

namespace Clarity.Grains;

/// <summary>Maps between wire types (Grains.Interfaces) and engine types.</summary>
public static class WireMapping
{
    public static SignalType ParseSignalType(string type) => type switch
    {
        "view" => SignalType.View,
        "click" => SignalType.Click,
        "add_to_cart" => SignalType.AddToCart,
        "purchase" => SignalType.Purchase,
        "return" => SignalType.Return,
        "rating" => SignalType.Rating,
        "consume" => SignalType.Consume,
        "impression" => SignalType.Impression,
        "dismiss" => SignalType.Dismiss,
        _ => throw new ArgumentException($"Unknown signal type '{type}'.", nameof(type)),
    };

    public static string ToWire(this SignalType type) => type switch
    {
        SignalType.AddToCart => "add_to_cart",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// The engine's signal. The category path is the engine's shared copy (<see cref="BeliefEngine.Category"/>),
    /// not the one just read off the wire: a signal stays in the reorder window for a while, and one
    /// string per category for all users is less than one per signal.
    /// </summary>
    public static Signal ToSignal(this SignalData s, BeliefEngine engine) => new(
        s.Id,
        ParseSignalType(s.Type),
        s.OccurredAt,
        new ItemRef(s.Item.Id, engine.Category(s.Item.Category).Path, s.Item.Price, s.Item.Tags),
        s.Value,
        s.Context is null ? null : new SignalContext(s.Context.SessionId, s.Context.DecisionId, s.Context.Gift));

    public static BeliefView ToView(this BeliefSnapshot b) => new()
    {
        Id = b.Id,
        Kind = b.Key.Kind.Wire(),
        Subject = b.Key.Subject,
        Statement = b.Statement,
        Confidence = b.Confidence,
        Evidence = b.Evidence,
        Observations = b.Belief.Observations,
        Contradictions = b.Belief.Contradictions,
        Source = b.Belief.Source.Wire(),
        Status = b.Status.Wire(),
        FirstObservedAt = b.Belief.FirstObservedAt,
        LastObservedAt = b.Belief.LastObservedAt,
        HalfLifeDays = b.HalfLifeDays,
        Verdict = b.Belief.Correction?.Verdict.Wire(),
        Holds = b.Holds,
        ExpectedAt = b.Belief.ExpectedAt,
    };

    /// <summary>A belief with its audit trail, most recent first.</summary>
    public static BeliefView ToDetailView(this BeliefSnapshot b) => b.ToView() with
    {
        Trail = [.. b.Belief.Trail.Select(t => new TrailEntryView
        {
            SignalId = t.SignalId,
            Type = t.Type.ToWire(),
            OccurredAt = t.OccurredAt,
            Effect = t.Effect,
            Note = t.Note,
        })],
    };

    public static Candidate ToCandidate(this CandidateData c) => new(c.Id, c.Category, c.Score, c.Price, c.Tags);

    public static DecisionView ToView(this Decision d) => new()
    {
        DecisionId = d.Id,
        Request = new RerankCall
        {
            Candidates = [.. d.Request.Candidates.Select(c => new CandidateData { Id = c.Id, Score = c.Score, Category = c.Category, Price = c.Price, Tags = c.Tags })],
            Context = d.Request.Context,
            OptimizeFor = d.Request.OptimizeFor,
            Limit = d.Request.Limit,
            AsOf = d.Request.AsOf,
        },
        Response = d.Result.ToResponse(),
        Beliefs = [.. d.Beliefs.Select(b => new DecisionBeliefView
        {
            Id = b.Id,
            Kind = b.Key.Kind.Wire(),
            Subject = b.Key.Subject,
            Statement = b.Statement,
            Confidence = b.Confidence,
            Evidence = b.Evidence,
            Status = b.Status.Wire(),
            Source = b.Source.Wire(),
        })],
    };

    /// <summary>
    /// The answer on the wire. The engine shares one reason list among the items of a category and
    /// tier, so each list is mapped once and its views shared the same way (the records are immutable).
    /// </summary>
    public static RerankResponse ToResponse(this RerankResult result)
    {
        var mapped = new Dictionary<IReadOnlyList<Reason>, ReasonView[]>(ReferenceEqualityComparer.Instance);
        var items = new RankedItemView[result.Items.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var item = result.Items[i];
            items[i] = new RankedItemView
            {
                Id = item.Id,
                Rank = item.Rank,
                Score = item.Score,
                BaseScore = item.BaseScore,
                Reasons = Views(item.Reasons, mapped),
            };
        }
        var suppressed = new SuppressedItemView[result.Suppressed.Count];
        for (var i = 0; i < suppressed.Length; i++)
        {
            var item = result.Suppressed[i];
            suppressed[i] = new SuppressedItemView { Id = item.Id, Reasons = Views(item.Reasons, mapped) };
        }
        return new RerankResponse { DecisionId = result.DecisionId, Items = items, Suppressed = suppressed };
    }

    private static ReasonView[] Views(IReadOnlyList<Reason> reasons, Dictionary<IReadOnlyList<Reason>, ReasonView[]> mapped)
    {
        if (reasons.Count == 0)
        {
            return [];
        }
        if (!mapped.TryGetValue(reasons, out var views))
        {
            views = new ReasonView[reasons.Count];
            for (var i = 0; i < views.Length; i++)
            {
                views[i] = ToView(reasons[i]);
            }
            mapped[reasons] = views;
        }
        return views;
    }

    private static ReasonView ToView(Reason r) => new() { BeliefId = r.BeliefId, Statement = r.Statement, Effect = r.Effect };
}
