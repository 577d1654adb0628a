namespace Clarity.Evaluation.Data;

/// <summary>
/// One invoice line kept by the loader. Purchases have positive quantity; returns (cancellation
/// invoices) keep the quantity as a positive number of units returned.
/// </summary>
public sealed record PurchaseLine(
    string Invoice,
    string ItemId,
    string Description,
    decimal Quantity,
    DateTime Time,
    decimal UnitPrice,
    string Customer,
    string Country,
    bool IsReturn);

/// <summary>Which column plays which role, by header name; and how cancellations and non-products look.</summary>
public sealed class ColumnMap
{
    /// <summary>Invoice (basket) id column. Default <c>InvoiceNo</c>.</summary>
    public string Invoice { get; set; } = "InvoiceNo";

    /// <summary>Item id column. Default <c>StockCode</c>.</summary>
    public string Item { get; set; } = "StockCode";

    /// <summary>Item name column; optional (empty string: none). Default <c>Description</c>.</summary>
    public string Description { get; set; } = "Description";

    /// <summary>Units column. Default <c>Quantity</c>.</summary>
    public string Quantity { get; set; } = "Quantity";

    /// <summary>Event time column. Default <c>InvoiceDate</c>.</summary>
    public string Time { get; set; } = "InvoiceDate";

    /// <summary>Unit price column; optional. Default <c>UnitPrice</c>.</summary>
    public string Price { get; set; } = "UnitPrice";

    /// <summary>Customer id column. Default <c>CustomerID</c>.</summary>
    public string Customer { get; set; } = "CustomerID";

    /// <summary>Country column; optional. Default <c>Country</c>.</summary>
    public string Country { get; set; } = "Country";

    /// <summary>An invoice id starting with this marks a cancellation (a return). Default <c>C</c>; empty: none.</summary>
    public string CancellationPrefix { get; set; } = "C";

    /// <summary>
    /// Item ids matching this regular expression are products; others (postage, discounts, manual
    /// adjustments, fees) are dropped from baskets. Default: five digits, optional letter suffix.
    /// Empty: every item is a product.
    /// </summary>
    public string ProductPattern { get; set; } = "^[0-9]{5}[A-Za-z]{0,2}$";

    /// <summary>Field delimiter. Default comma.</summary>
    public char Delimiter { get; set; } = ',';

    /// <summary>Time format(s) tried in order, invariant culture; empty: any ISO-like format. Default <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
    public string TimeFormat { get; set; } = "yyyy-MM-dd HH:mm:ss";
}

/// <summary>What the loader kept, what it skipped and why, and the checksums of the input.</summary>
public sealed class PurchaseLog
{
    public required IReadOnlyList<PurchaseLine> Purchases { get; init; }

    public required IReadOnlyList<PurchaseLine> Returns { get; init; }

    /// <summary>Data rows read (header excluded).</summary>
    public required long Rows { get; init; }

    /// <summary>Rows not kept, by reason (a row counts for its first reason only).</summary>
    public required IReadOnlyDictionary<string, long> Skipped { get; init; }

    /// <summary>Purchase lines kept that are not products (see <see cref="ColumnMap.ProductPattern"/>).</summary>
    public required long NonProductPurchaseLines { get; init; }

    /// <summary>Sum of quantity over every row whose quantity and price parse, before any filter.</summary>
    public required decimal RawQuantity { get; init; }

    /// <summary>Sum of quantity × unit price over every row whose quantity and price parse, before any filter.</summary>
    public required decimal RawRevenue { get; init; }

    public required string Md5 { get; init; }

    public required string Sha256 { get; init; }

    public required bool Gzip { get; init; }

    /// <summary>Counts of the kept purchase lines, the numbers the data README lists as known facts.</summary>
    public LogFacts Facts() => LogFacts.Of(Purchases);
}

/// <summary>Summary counts of purchase lines.</summary>
public sealed record LogFacts(int Lines, int Customers, int Invoices, decimal TotalQuantity, decimal Revenue)
{
    public static LogFacts Of(IReadOnlyList<PurchaseLine> lines)
    {
        var customers = new HashSet<string>(StringComparer.Ordinal);
        var invoices = new HashSet<string>(StringComparer.Ordinal);
        decimal quantity = 0, revenue = 0;
        foreach (var line in lines)
        {
            customers.Add(line.Customer);
            invoices.Add(line.Invoice);
            quantity += line.Quantity;
            revenue += line.Quantity * line.UnitPrice;
        }
        return new LogFacts(lines.Count, customers.Count, invoices.Count, quantity, revenue);
    }
}
