using Clarity.Evaluation.Data;

namespace Clarity.Evaluation.Protocol;

/// <summary>
/// One invoice of one customer: the distinct items bought in it (dense ids, in the order of their
/// first line in the file), the units
/// of each (aligned with <see cref="Items"/>) and the lines each came from.
/// </summary>
public sealed record Basket(string Invoice, DateTime Time, int[] Items, decimal[] Units, int[] Lines);

/// <summary>A return (a line of a cancellation invoice) of one item.</summary>
public sealed record ReturnEvent(string Invoice, DateTime Time, int Item, decimal Quantity);

/// <summary>
/// One evaluated customer under leave-last-basket-out: baskets in time order, the last is the test,
/// the one before the validation, the rest the history.
/// </summary>
public sealed class CustomerBaskets(string customer, IReadOnlyList<Basket> baskets, IReadOnlyList<ReturnEvent> returns)
{
    public string Customer { get; } = customer;

    /// <summary>All baskets, oldest first (ties on time broken by invoice id).</summary>
    public IReadOnlyList<Basket> Baskets { get; } = baskets;

    /// <summary>Returns, oldest first.</summary>
    public IReadOnlyList<ReturnEvent> Returns { get; } = returns;

    public Basket Test => Baskets[^1];

    public Basket Validation => Baskets[^2];

    /// <summary>The baskets known when predicting <paramref name="split"/>'s target basket.</summary>
    public IEnumerable<Basket> Known(Split split) => Baskets.Take(KnownCount(split));

    public Basket Target(Split split) => split == Split.Test ? Test : Validation;

    /// <summary>Test sees the validation basket: by then it is part of the customer's history.</summary>
    public int KnownCount(Split split) => Baskets.Count - (split == Split.Test ? 1 : 2);

    /// <summary>Returns that happened strictly before the target basket of <paramref name="split"/>.</summary>
    public IEnumerable<ReturnEvent> ReturnsBefore(Split split)
    {
        var time = Target(split).Time;
        return Returns.Where(r => r.Time < time);
    }
}

/// <summary>Which basket is predicted: validation (for tuning) or test (reported once per configuration).</summary>
public enum Split
{
    Validation,
    Test,
}

/// <summary>Dense integer ids for items, with the metadata the engine and the reports need.</summary>
public sealed class ItemCatalog
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _codes = [];
    private readonly List<string> _descriptions = [];
    private readonly List<decimal> _priceSum = [];
    private readonly List<int> _priceCount = [];

    public int Count => _codes.Count;

    public int Id(string code, string description)
    {
        if (!_ids.TryGetValue(code, out var id))
        {
            id = _codes.Count;
            _ids[code] = id;
            _codes.Add(code);
            _descriptions.Add(description);
            _priceSum.Add(0);
            _priceCount.Add(0);
        }
        else if (_descriptions[id].Length == 0 && description.Length > 0)
        {
            _descriptions[id] = description;
        }
        return id;
    }

    /// <summary>A tie-break array: higher for codes earlier in ordinal order (the first code gets Count, the last 1).</summary>
    public double[] CodeOrderTieBreak()
    {
        var order = Enumerable.Range(0, Count).OrderBy(i => _codes[i], StringComparer.Ordinal).ToArray();
        var result = new double[Count];
        for (var rank = 0; rank < order.Length; rank++)
        {
            result[order[rank]] = Count - rank;
        }
        return result;
    }

    public bool TryGetId(string code, out int id) => _ids.TryGetValue(code, out id);

    public string Code(int id) => _codes[id];

    public string Description(int id) => _descriptions[id];

    /// <summary>The derived category path (see <see cref="Categories"/>).</summary>
    public string Category(int id) => Categories.Path(_codes[id], _descriptions[id]);

    /// <summary>The product type (root of the derived category path) of every item, by dense id.</summary>
    public string[] CategoryRoots() => [.. Enumerable.Range(0, Count).Select(i => Categories.ProductType(_descriptions[i]))];

    internal void AddPrice(int id, decimal price)
    {
        _priceSum[id] += price;
        _priceCount[id]++;
    }

    /// <summary>Mean unit price over the purchase lines seen (0 when none).</summary>
    public double MeanPrice(int id) => _priceCount[id] == 0 ? 0 : (double)(_priceSum[id] / _priceCount[id]);
}

/// <summary>Baskets per customer built from a purchase log.</summary>
public sealed class Dataset
{
    public required ItemCatalog Items { get; init; }

    /// <summary>Every customer with at least one basket, in customer-id order.</summary>
    public required IReadOnlyList<CustomerBaskets> AllCustomers { get; init; }

    /// <summary>Customers with at least <see cref="MinBaskets"/> baskets, in customer-id order.</summary>
    public required IReadOnlyList<CustomerBaskets> Evaluated { get; init; }

    public required int MinBaskets { get; init; }

    /// <summary>Purchase lines of non-products left out of baskets.</summary>
    public required long NonProductLinesDropped { get; init; }

    /// <summary>
    /// Groups purchase lines by customer and invoice (invoice = basket; its time is its earliest
    /// line). Non-products are dropped from baskets when <paramref name="productsOnly"/>; a basket
    /// left empty disappears.
    /// </summary>
    public static Dataset Build(PurchaseLog log, ColumnMap map, bool productsOnly = true, int minBaskets = 2)
    {
        var items = new ItemCatalog();
        long dropped = 0;
        var productCache = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool Keep(string code)
        {
            if (!productsOnly)
            {
                return true;
            }
            if (!productCache.TryGetValue(code, out var keep))
            {
                keep = PurchaseLogLoader.IsProduct(code, map);
                productCache[code] = keep;
            }
            return keep;
        }

        var byCustomer = new Dictionary<string, Dictionary<string, (DateTime Time, Dictionary<int, (decimal Units, int Lines, int Order)> Items)>>(StringComparer.Ordinal);
        foreach (var line in log.Purchases)
        {
            if (!Keep(line.ItemId))
            {
                dropped++;
                continue;
            }
            var id = items.Id(line.ItemId, line.Description);
            items.AddPrice(id, line.UnitPrice);
            if (!byCustomer.TryGetValue(line.Customer, out var invoices))
            {
                invoices = new(StringComparer.Ordinal);
                byCustomer[line.Customer] = invoices;
            }
            if (!invoices.TryGetValue(line.Invoice, out var basket))
            {
                basket = (line.Time, []);
            }
            basket = (line.Time < basket.Time ? line.Time : basket.Time, basket.Items);
            var (units, lines, order) = basket.Items.TryGetValue(id, out var entry) ? entry : (0m, 0, basket.Items.Count);
            basket.Items[id] = (units + line.Quantity, lines + 1, order);
            invoices[line.Invoice] = basket;
        }
        var returnsByCustomer = new Dictionary<string, List<ReturnEvent>>(StringComparer.Ordinal);
        foreach (var line in log.Returns)
        {
            if (!Keep(line.ItemId))
            {
                continue;
            }
            if (!returnsByCustomer.TryGetValue(line.Customer, out var list))
            {
                list = [];
                returnsByCustomer[line.Customer] = list;
            }
            list.Add(new ReturnEvent(line.Invoice, line.Time, items.Id(line.ItemId, line.Description), line.Quantity));
        }

        var all = new List<CustomerBaskets>(byCustomer.Count);
        foreach (var (customer, invoices) in byCustomer.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var baskets = invoices
                .Select(p =>
                {
                    var ordered = p.Value.Items.OrderBy(i => i.Value.Order).ToList();
                    return new Basket(p.Key, p.Value.Time, [.. ordered.Select(i => i.Key)], [.. ordered.Select(i => i.Value.Units)], [.. ordered.Select(i => i.Value.Lines)]);
                })
                .OrderBy(b => b.Time)
                .ThenBy(b => b.Invoice, StringComparer.Ordinal)
                .ToList();
            var returns = returnsByCustomer.TryGetValue(customer, out var r)
                ? r.OrderBy(e => e.Time).ThenBy(e => e.Invoice, StringComparer.Ordinal).ToList()
                : [];
            all.Add(new CustomerBaskets(customer, baskets, returns));
        }
        return new Dataset
        {
            Items = items,
            AllCustomers = all,
            Evaluated = all.Where(c => c.Baskets.Count >= minBaskets).ToList(),
            MinBaskets = minBaskets,
            NonProductLinesDropped = dropped,
        };
    }
}
