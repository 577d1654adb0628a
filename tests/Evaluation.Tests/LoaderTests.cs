using System.IO.Compression;
using System.Text;
using Clarity.Evaluation.Data;

namespace Clarity.Evaluation.Tests;

public class CsvReaderTests
{
    private static List<string[]> ReadAll(string text)
    {
        var reader = new CsvReader(new StringReader(text));
        var records = new List<string[]>();
        while (reader.ReadRecord() is { } record)
        {
            records.Add([.. record]);
        }
        return records;
    }

    [Fact]
    public void Quoted_fields_keep_delimiters_doubled_quotes_and_line_breaks()
    {
        var records = ReadAll("a,\"b, with comma\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,,\"\"\n");

        Assert.Equal(2, records.Count);
        Assert.Equal(["a", "b, with comma", "say \"hi\"", "two\nlines"], records[0]);
        Assert.Equal(["next", "", ""], records[1]);
    }

    [Fact]
    public void Crlf_and_missing_final_newline_end_records()
    {
        var records = ReadAll("x,y\r\n1,2\r\n3,4");

        Assert.Equal([["x", "y"], ["1", "2"], ["3", "4"]], records);
    }
}

public class PurchaseLogLoaderTests
{
    private const string Header = "\"InvoiceNo\",\"StockCode\",\"Description\",\"Quantity\",\"InvoiceDate\",\"UnitPrice\",\"CustomerID\",\"Country\"\n";

    private const string Sample = Header +
        "\"536365\",\"85123A\",\"WHITE HANGING HEART T-LIGHT HOLDER\",6,\"2010-12-01 08:26:00\",2.55,17850,\"United Kingdom\"\n" +
        "\"536365\",\"71053\",\"LANTERN, WHITE \"\"METAL\"\"\",2,\"2010-12-01 08:26:00\",3.39,17850,\"United Kingdom\"\n" +
        "\"536366\",\"POST\",\"POSTAGE\",1,\"2010-12-01 08:28:00\",18,17850,\"United Kingdom\"\n" +
        "\"C536379\",\"85123A\",\"WHITE HANGING HEART T-LIGHT HOLDER\",-2,\"2010-12-02 09:41:00\",2.55,17850,\"United Kingdom\"\n" +
        "\"C536380\",\"D\",\"Discount\",-1,\"2010-12-02 09:41:00\",27.5,17850,\"United Kingdom\"\n" +
        "\"536381\",\"22139\",\"\",4,\"2010-12-03 10:00:00\",1.25,,\"United Kingdom\"\n" +
        "\"536382\",\"22140\",\"?\",-3,\"2010-12-03 11:00:00\",0,13047,\"United Kingdom\"\n" +
        "\"536383\",\"22141\",\"FREE GIFT\",1,\"2010-12-03 12:00:00\",0,13047,\"United Kingdom\"\n" +
        "\"536384\",\"22142\",\"BROKEN\",1\n";

    [Fact]
    public void Keeps_purchases_and_cancellations_as_returns_and_counts_every_skip_by_reason()
    {
        var log = PurchaseLogLoader.LoadText(Sample, new ColumnMap());

        Assert.Equal(9, log.Rows);
        Assert.Equal(["85123A", "71053", "POST"], log.Purchases.Select(p => p.ItemId));
        Assert.Equal("LANTERN, WHITE \"METAL\"", log.Purchases[1].Description);
        var ret = Assert.Single(log.Returns);
        Assert.Equal(("C536379", "85123A", 2m, true), (ret.Invoice, ret.ItemId, ret.Quantity, ret.IsReturn));
        Assert.Equal(new Dictionary<string, long>
        {
            [PurchaseLogLoader.SkipReturnWithoutProduct] = 1,
            [PurchaseLogLoader.SkipMissingCustomer] = 1,
            [PurchaseLogLoader.SkipNonPositiveQuantity] = 1,
            [PurchaseLogLoader.SkipNonPositivePrice] = 1,
            [PurchaseLogLoader.SkipMalformed] = 1,
        }, log.Skipped.ToDictionary());
        Assert.Equal(1, log.NonProductPurchaseLines);
        Assert.Equal(new DateTime(2010, 12, 1, 8, 26, 0, DateTimeKind.Utc), log.Purchases[0].Time);
    }

    [Fact]
    public void Facts_count_lines_customers_invoices_quantity_and_revenue_of_kept_purchases()
    {
        var log = PurchaseLogLoader.LoadText(Sample, new ColumnMap());

        Assert.Equal(new LogFacts(3, 1, 2, 9m, 6 * 2.55m + 2 * 3.39m + 18m), log.Facts());
        // Raw totals cover every parseable row, filtered or not (the malformed row has no quantity column).
        Assert.Equal(8m, log.RawQuantity);
    }

    [Fact]
    public void Gzip_is_detected_by_content_and_checksums_are_of_the_file_bytes()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(Sample));
        }
        var bytes = buffer.ToArray();

        var log = PurchaseLogLoader.Load(bytes, new ColumnMap());

        Assert.True(log.Gzip);
        Assert.Equal(3, log.Purchases.Count);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), log.Sha256);
    }

    [Fact]
    public void Other_csv_layouts_load_through_the_column_map()
    {
        const string csv = "order;sku;qty;ts;price;user\n" +
            "o1;A-1;2;2024-01-02 10:00:00;9.5;u1\n" +
            "R9;A-1;-1;2024-01-05 10:00:00;9.5;u1\n";
        var map = new ColumnMap
        {
            Invoice = "order", Item = "sku", Quantity = "qty", Time = "ts", Price = "price", Customer = "user",
            Description = "", Country = "", CancellationPrefix = "R", ProductPattern = "", Delimiter = ';',
        };

        var log = PurchaseLogLoader.LoadText(csv, map);

        Assert.Equal(("o1", "A-1", 2m, "u1"), (log.Purchases[0].Invoice, log.Purchases[0].ItemId, log.Purchases[0].Quantity, log.Purchases[0].Customer));
        Assert.Equal(("R9", 1m), (log.Returns[0].Invoice, log.Returns[0].Quantity));
    }

    [Fact]
    public void A_missing_column_names_the_option_that_maps_it()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            PurchaseLogLoader.LoadText("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice\n", new ColumnMap()));

        Assert.Contains("--col-customer", error.Message, StringComparison.Ordinal);
    }
}
