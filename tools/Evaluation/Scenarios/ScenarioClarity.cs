using Clarity.Engine;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;

namespace Clarity.Evaluation.Scenarios;

/// <summary>Clarity on the simulated shop through the production engine: replay, then re-rank the baseline's candidates.</summary>
public sealed class ScenarioClarity
{
    private readonly Simulator _simulator;
    private readonly Catalog _catalog;
    private readonly Dictionary<string, int> _ids;

    // categories: the tenant's category attributes (durable, replenishable, consumable, usual price), learned before the cut.
    public ScenarioClarity(string name, EngineOptions options, Simulator simulator, Catalog catalog, Dictionary<string, CategoryAttributes> categories)
    {
        options.Interpretation.Categories = new Dictionary<string, CategoryAttributes>(categories, StringComparer.Ordinal);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }
        Name = name;
        Engine = new BeliefEngine(options);
        Reranker = new Reranker(Engine);
        _simulator = simulator;
        _catalog = catalog;
        _ids = catalog.Items.ToDictionary(i => i.Id, i => i.Index, StringComparer.Ordinal);
    }

    public string Name { get; }

    public BeliefEngine Engine { get; }

    public Reranker Reranker { get; }

    /// <summary>Every signal of the user before <paramref name="cut"/>, in event-time order, into a fresh model.</summary>
    public SelfModel Replay(SimUser user, double cut)
    {
        var model = new SelfModel();
        ReplayUntil(model, user, 0, cut);
        return model;
    }

    /// <summary>Continues a replay: the user's signals from index <paramref name="from"/> up to <paramref name="cut"/>; returns the index to continue from.</summary>
    public int ReplayUntil(SelfModel model, SimUser user, int from, double cut)
    {
        var n = from;
        for (; n < user.Events.Count && user.Events[n].Day < cut; n++)
        {
            Engine.Apply(model, _simulator.ToSignal(user, user.Events[n], n));
        }
        return n;
    }

    public List<int> Rerank(SelfModel model, SimUser user, IReadOnlyList<(int Item, double Score)> candidates, double asOf, int k) =>
        [.. Reranker.Rerank(model, Request(user, candidates, asOf, k)).Items.Select(i => _ids[i.Id])];

    /// <summary>A rerank as the grain makes it: decided and recorded, so feedback on its items reaches the beliefs that moved them.</summary>
    public (List<int> Items, string DecisionId) Decide(SelfModel model, SimUser user, IReadOnlyList<(int Item, double Score)> candidates, double asOf, int k)
    {
        var decision = Reranker.Decide(model, Request(user, candidates, asOf, k));
        Engine.Record(model, decision);
        return ([.. decision.Result.Items.Select(i => _ids[i.Id])], decision.Id);
    }

    private RerankRequest Request(SimUser user, IReadOnlyList<(int Item, double Score)> candidates, double asOf, int k) =>
        new([.. candidates.Select(c =>
            {
                var item = _catalog.Items[c.Item];
                return new Candidate(item.Id, _catalog.Categories[item.Category].Path, c.Score, item.Price);
            })],
            Simulator.At(asOf), Limit: k, Seed: user.Id);

    /// <summary>An impression of a decision's item the user did not engage with (and perhaps dismissed), as the client reports it.</summary>
    public void Impression(SelfModel model, SimUser user, int item, double day, string id, bool dismissed, string? decisionId)
    {
        var it = _catalog.Items[item];
        var reference = new ItemRef(it.Id, _catalog.Categories[it.Category].Path, it.Price);
        var context = decisionId is null ? null : new SignalContext(DecisionId: decisionId);
        Engine.Apply(model, new Signal($"{user.Id}/recovery/{id}", SignalType.Impression, Simulator.At(day), reference, Context: context));
        if (dismissed)
        {
            Engine.Apply(model, new Signal($"{user.Id}/recovery/{id}/dismiss", SignalType.Dismiss, Simulator.At(day).AddMinutes(1), reference, Context: context));
        }
    }
}
