using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;
using Clarity.Evaluation.Protocol;

namespace Clarity.Evaluation.Recommenders;

/// <summary>The knobs of one Clarity configuration in the evaluation (everything else: engine defaults).</summary>
public sealed record ClarityConfig(string Name, double AffinityWeight, double AffinityHalfLifeDays)
{
    /// <summary>Replay returns as <c>return</c> signals (negative evidence). Default true.</summary>
    public bool Returns { get; init; } = true;

    /// <summary>Use the two-level category path; false keeps only the family (no product-type level). Default true.</summary>
    public bool Hierarchy { get; init; } = true;

    /// <summary>Scale effects by evidence (e/(e+k)); false makes every active belief act at full weight. Default true.</summary>
    public bool EvidenceWeighting { get; init; } = true;

    /// <summary>Rerank weight of the item-level "re-buys this item" belief; null: the engine default.</summary>
    public double? ItemWeight { get; init; }

    /// <summary>Share of the item effect right after the last purchase; null: the engine default.</summary>
    public double? ItemEarlyShare { get; init; }

    /// <summary>Evidence for "re-buys this item" from a first purchase; null: the engine default.</summary>
    public double? ItemFirstSupport { get; init; }

    /// <summary>Rerank weight of price-tier beliefs; null: the engine default.</summary>
    public double? TierWeight { get; init; }

    /// <summary>What a replayed model depends on (not the rerank knobs): configurations with the same key can share models.</summary>
    public string ReplayKey() => FormattableString.Invariant($"{AffinityHalfLifeDays}|{ItemFirstSupport}|{Returns}|{Hierarchy}");

    /// <summary>A short description of the tuned knobs, for the tuning table.</summary>
    public string Describe()
    {
        var defaults = new EngineOptions();
        return FormattableString.Invariant(
            $"affinityWeight={AffinityWeight}, affinityHalfLifeDays={AffinityHalfLifeDays}, itemWeight={ItemWeight ?? defaults.Rerank.ItemReplenishmentWeight}, itemFirstSupport={ItemFirstSupport ?? defaults.Interpretation.ItemFirstPurchaseSupport}, itemEarlyShare={ItemEarlyShare ?? defaults.Rerank.ItemReplenishmentEarlyShare}, tierWeight={TierWeight ?? defaults.Rerank.PriceTierWeight}");
    }

    public EngineOptions ToEngineOptions()
    {
        var options = new EngineOptions();
        options.Rerank.AffinityWeight = AffinityWeight;
        if (ItemWeight is { } itemWeight)
        {
            options.Rerank.ItemReplenishmentWeight = itemWeight;
        }
        if (TierWeight is { } tier)
        {
            options.Rerank.PriceTierWeight = tier;
        }
        if (ItemFirstSupport is { } first)
        {
            options.Interpretation.ItemFirstPurchaseSupport = first;
        }
        if (ItemEarlyShare is { } early)
        {
            options.Rerank.ItemReplenishmentEarlyShare = early;
        }
        options.Kinds[BeliefKind.Affinity].HalfLifeDays = AffinityHalfLifeDays;
        if (!EvidenceWeighting)
        {
            options.Rerank.EvidenceHalfSaturation = 1e-9;
        }
        return options;
    }
}

/// <summary>
/// Clarity through the production engine: replays the customer's known purchases (one
/// <c>purchase</c> signal per item and basket) and earlier returns (<c>return</c> signals) in event
/// time order into a fresh <see cref="SelfModel"/>, then re-ranks the baseline's candidates with
/// <see cref="Reranker"/> as of the target basket's time (the moment the customer shows up).
/// </summary>
public sealed class ClarityReranker : IReranker
{
    private readonly BeliefEngine _engine;
    private readonly Reranker _reranker;
    private readonly ItemCatalog _items;
    private readonly string[] _categories;
    private readonly double[] _prices;

    public ClarityReranker(ClarityConfig config, ItemCatalog items, Dictionary<(CustomerBaskets, Split), SelfModel>? models = null)
    {
        Models = models;
        Config = config;
        var options = config.ToEngineOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(config));
        }
        _engine = new BeliefEngine(options);
        _reranker = new Reranker(_engine);
        _items = items;
        _categories = new string[items.Count];
        _prices = new double[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var path = items.Category(i);
            _categories[i] = config.Hierarchy ? path : CategoryPath.Leaf(path);
            _prices[i] = items.MeanPrice(i);
        }
    }

    public ClarityConfig Config { get; }

    public string Name => Config.Name;

    public BeliefEngine Engine => _engine;

    /// <summary>The signals the engine sees for one customer before the target of <paramref name="split"/>, in event-time order.</summary>
    public List<Signal> Signals(CustomerBaskets customer, Split split)
    {
        var signals = new List<Signal>();
        foreach (var basket in customer.Known(split))
        {
            foreach (var item in basket.Items)
            {
                signals.Add(new Signal($"{basket.Invoice}/{_items.Code(item)}", SignalType.Purchase,
                    new DateTimeOffset(basket.Time, TimeSpan.Zero), Ref(item)));
            }
        }
        if (Config.Returns)
        {
            var n = 0;
            foreach (var r in customer.ReturnsBefore(split))
            {
                signals.Add(new Signal($"{r.Invoice}/{_items.Code(r.Item)}/{n++}", SignalType.Return,
                    new DateTimeOffset(r.Time, TimeSpan.Zero), Ref(r.Item), (double)r.Quantity));
            }
        }
        // Stable: same-minute purchases keep basket order, returns come after them.
        return [.. signals.OrderBy(s => s.OccurredAt)];
    }

    public SelfModel Replay(CustomerBaskets customer, Split split)
    {
        var model = new SelfModel();
        foreach (var signal in Signals(customer, split))
        {
            _engine.Apply(model, signal);
        }
        return model;
    }

    /// <summary>
    /// Replayed models shared by configurations that read signals alike (same interpretation and
    /// kind options; only rerank knobs differ), so tuning does not replay every customer per
    /// configuration. Reranking does not change a model.
    /// </summary>
    public Dictionary<(CustomerBaskets, Split), SelfModel>? Models { get; init; }

    public IReadOnlyList<int> Rerank(CustomerBaskets customer, Split split, IReadOnlyList<Scored> candidates, int k)
    {
        SelfModel model;
        if (Models is { } models)
        {
            if (!models.TryGetValue((customer, split), out model!))
            {
                model = Replay(customer, split);
                models[(customer, split)] = model;
            }
        }
        else
        {
            model = Replay(customer, split);
        }
        var request = new RerankRequest(
            [.. candidates.Select(c => new Candidate(_items.Code(c.Item), _categories[c.Item], c.Score, _prices[c.Item]))],
            new DateTimeOffset(customer.Target(split).Time, TimeSpan.Zero),
            Limit: k);
        var result = _reranker.Rerank(model, request);
        var ranked = new List<int>(k);
        foreach (var item in result.Items)
        {
            if (_items.TryGetId(item.Id, out var id))
            {
                ranked.Add(id);
            }
        }
        return ranked;
    }

    private ItemRef Ref(int item) => new(_items.Code(item), _categories[item], _prices[item]);
}
