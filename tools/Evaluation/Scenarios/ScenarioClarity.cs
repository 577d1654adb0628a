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

    public ScenarioClarity(string name, EngineOptions options, Simulator simulator, Catalog catalog)
    {
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
        for (var n = 0; n < user.Events.Count && user.Events[n].Day < cut; n++)
        {
            Engine.Apply(model, _simulator.ToSignal(user, user.Events[n], n));
        }
        return model;
    }

    public List<int> Rerank(SelfModel model, IReadOnlyList<(int Item, double Score)> candidates, double asOf, int k)
    {
        var request = new RerankRequest(
            [.. candidates.Select(c =>
            {
                var item = _catalog.Items[c.Item];
                return new Candidate(item.Id, _catalog.Categories[item.Category].Path, c.Score, item.Price);
            })],
            Simulator.At(asOf), Limit: k);
        return [.. Reranker.Rerank(model, request).Items.Select(i => _ids[i.Id])];
    }

    /// <summary>An impression the user did not engage with (and perhaps dismissed), as the client would report it.</summary>
    public void Impression(SelfModel model, SimUser user, int item, double day, string id, bool dismissed)
    {
        var it = _catalog.Items[item];
        var reference = new ItemRef(it.Id, _catalog.Categories[it.Category].Path, it.Price);
        Engine.Apply(model, new Signal($"{user.Id}/recovery/{id}", SignalType.Impression, Simulator.At(day), reference));
        if (dismissed)
        {
            Engine.Apply(model, new Signal($"{user.Id}/recovery/{id}/dismiss", SignalType.Dismiss, Simulator.At(day).AddMinutes(1), reference));
        }
    }
}
