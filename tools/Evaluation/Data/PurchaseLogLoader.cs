using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Clarity.Evaluation.Data;

/// <summary>
/// Loads a purchase log from a CSV file (gzip detected by its magic bytes, not its name) with a
/// header row. Keeps purchases (positive quantity and price, with a customer) and returns
/// (cancellation invoices with a customer); counts everything it drops by reason.
/// </summary>
public static class PurchaseLogLoader
{
    public const string SkipMissingCustomer = "missing customer";
    public const string SkipNonPositiveQuantity = "non-positive quantity on a non-cancellation invoice";
    public const string SkipNonPositivePrice = "non-positive unit price";
    public const string SkipMalformed = "malformed row (field count differs from header)";
    public const string SkipUnparseable = "unparseable quantity, price or time";
    public const string SkipBlank = "blank line";
    public const string SkipReturnWithoutProduct = "cancellation of a non-product (fee, postage, discount)";

    public static PurchaseLog Load(string path, ColumnMap map, Action<long>? progress = null)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return Load(bytes, map, progress);
    }

    public static PurchaseLog Load(byte[] bytes, ColumnMap map, Action<long>? progress = null)
    {
        var gzip = bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
        using var raw = new MemoryStream(bytes, writable: false);
        using Stream stream = gzip ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var log = Parse(text, map, progress);
        return new PurchaseLog
        {
            Purchases = log.Purchases,
            Returns = log.Returns,
            Rows = log.Rows,
            Skipped = log.Skipped,
            NonProductPurchaseLines = log.NonProducts,
            RawQuantity = log.RawQuantity,
            RawRevenue = log.RawRevenue,
#pragma warning disable CA5351 // MD5 identifies the file against the checksum its README publishes; it protects nothing.
            Md5 = Convert.ToHexStringLower(MD5.HashData(bytes)),
#pragma warning restore CA5351
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            Gzip = gzip,
        };
    }

    /// <summary>Loads CSV text (for tests and small inputs); checksums are of its UTF-8 bytes.</summary>
    public static PurchaseLog LoadText(string csv, ColumnMap map) => Load(Encoding.UTF8.GetBytes(csv), map);

    private sealed record Parsed(List<PurchaseLine> Purchases, List<PurchaseLine> Returns, long Rows, Dictionary<string, long> Skipped, long NonProducts, decimal RawQuantity, decimal RawRevenue);

    private static Parsed Parse(TextReader text, ColumnMap map, Action<long>? progress)
    {
        var csv = new CsvReader(text, map.Delimiter);
        var header = csv.ReadRecord() ?? throw new InvalidDataException("The file is empty: expected a header row.");
        var columns = header.Select(h => h.Trim()).ToList();
        int Required(string name, string role)
        {
            var index = columns.FindIndex(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
            return index >= 0
                ? index
                : throw new InvalidDataException(
                    $"Column '{name}' for the {role} is not in the header ({string.Join(", ", columns)}). Map it with --col-{role} NAME.");
        }
        int Optional(string name) =>
            string.IsNullOrEmpty(name) ? -1 : columns.FindIndex(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));

        var invoiceAt = Required(map.Invoice, "invoice");
        var itemAt = Required(map.Item, "item");
        var quantityAt = Required(map.Quantity, "quantity");
        var timeAt = Required(map.Time, "time");
        var customerAt = Required(map.Customer, "customer");
        var priceAt = Optional(map.Price);
        var descriptionAt = Optional(map.Description);
        var countryAt = Optional(map.Country);
        var product = string.IsNullOrEmpty(map.ProductPattern) ? null : new Regex(map.ProductPattern, RegexOptions.CultureInvariant);
        var productCache = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool IsProduct(string item)
        {
            if (product is null)
            {
                return true;
            }
            if (!productCache.TryGetValue(item, out var yes))
            {
                yes = product.IsMatch(item);
                productCache[item] = yes;
            }
            return yes;
        }

        // Interning: half a million lines share a few thousand ids, names and timestamps.
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        string Intern(string s)
        {
            if (!pool.TryGetValue(s, out var shared))
            {
                pool[s] = s;
                shared = s;
            }
            return shared;
        }
        var times = new Dictionary<string, DateTime?>(StringComparer.Ordinal);

        var purchases = new List<PurchaseLine>();
        var returns = new List<PurchaseLine>();
        var skipped = new Dictionary<string, long>(StringComparer.Ordinal);
        void Skip(string reason) => skipped[reason] = skipped.GetValueOrDefault(reason) + 1;
        long rows = 0, nonProducts = 0;
        decimal rawQuantity = 0, rawRevenue = 0;

        while (csv.ReadRecord() is { } record)
        {
            rows++;
            if ((rows & 0xFFFF) == 0)
            {
                progress?.Invoke(rows);
            }
            if (record.Count == 1 && record[0].Length == 0)
            {
                Skip(SkipBlank);
                continue;
            }
            if (record.Count != columns.Count)
            {
                Skip(SkipMalformed);
                continue;
            }
            if (decimal.TryParse(record[quantityAt], NumberStyles.Float, CultureInfo.InvariantCulture, out var rawQ))
            {
                rawQuantity += rawQ;
                if (priceAt >= 0 && decimal.TryParse(record[priceAt], NumberStyles.Float, CultureInfo.InvariantCulture, out var rawP))
                {
                    rawRevenue += rawQ * rawP;
                }
            }
            var customer = record[customerAt].Trim();
            if (customer.Length == 0)
            {
                Skip(SkipMissingCustomer);
                continue;
            }
            var invoice = record[invoiceAt].Trim();
            var isReturn = map.CancellationPrefix.Length > 0 && invoice.StartsWith(map.CancellationPrefix, StringComparison.OrdinalIgnoreCase);
            var timeText = record[timeAt].Trim();
            if (!times.TryGetValue(timeText, out var time))
            {
                time = ParseTime(timeText, map.TimeFormat);
                times[timeText] = time;
            }
            if (!decimal.TryParse(record[quantityAt], NumberStyles.Float, CultureInfo.InvariantCulture, out var quantity)
                || time is null)
            {
                Skip(SkipUnparseable);
                continue;
            }
            var price = 0m;
            if (priceAt >= 0 && !decimal.TryParse(record[priceAt], NumberStyles.Float, CultureInfo.InvariantCulture, out price))
            {
                Skip(SkipUnparseable);
                continue;
            }
            var item = Intern(record[itemAt].Trim());
            if (isReturn)
            {
                if (!IsProduct(item))
                {
                    Skip(SkipReturnWithoutProduct);
                    continue;
                }
                returns.Add(new PurchaseLine(Intern(invoice), item, descriptionAt >= 0 ? Intern(record[descriptionAt].Trim()) : "",
                    Math.Abs(quantity), time.Value, price, Intern(customer), countryAt >= 0 ? Intern(record[countryAt].Trim()) : "", IsReturn: true));
                continue;
            }
            if (quantity <= 0)
            {
                Skip(SkipNonPositiveQuantity);
                continue;
            }
            if (priceAt >= 0 && price <= 0)
            {
                Skip(SkipNonPositivePrice);
                continue;
            }
            if (!IsProduct(item))
            {
                nonProducts++;
            }
            purchases.Add(new PurchaseLine(Intern(invoice), item, descriptionAt >= 0 ? Intern(record[descriptionAt].Trim()) : "",
                quantity, time.Value, price, Intern(customer), countryAt >= 0 ? Intern(record[countryAt].Trim()) : "", IsReturn: false));
        }
        progress?.Invoke(rows);
        return new Parsed(purchases, returns, rows, skipped, nonProducts, rawQuantity, rawRevenue);
    }

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-dd",
    ];

    /// <summary>Times are read as given (the data's local time) and treated as UTC: ordering and gaps are what matter.</summary>
    internal static DateTime? ParseTime(string text, string format)
    {
        var formats = string.IsNullOrEmpty(format) ? IsoFormats : [format, .. IsoFormats];
        return DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : null;
    }

    /// <summary>True when the item id is a product under <paramref name="map"/>.</summary>
    public static bool IsProduct(string item, ColumnMap map) =>
        string.IsNullOrEmpty(map.ProductPattern) || Regex.IsMatch(item, map.ProductPattern, RegexOptions.CultureInvariant);
}
