using Clarity.Engine.Signals;
using Clarity.Evaluation.Data;
using Clarity.Evaluation.Protocol;
using Clarity.Evaluation.Recommenders;

namespace Clarity.Evaluation.Tests;

public class ProtocolTests
{
    private const string Csv = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
        // Customer 1: three baskets, written out of order; a return between the second and third.
        "3,22222,RED MUG,1,2011-03-01 10:00:00,2,1,UK\n" +
        "1,11111,WHITE HEART HOLDER,1,2011-01-01 10:00:00,1,1,UK\n" +
        "1,22222,RED MUG,2,2011-01-01 10:00:00,2,1,UK\n" +
        "2,11111,WHITE HEART HOLDER,1,2011-02-01 10:00:00,1,1,UK\n" +
        "2,33333,PINK CANDLES,1,2011-02-01 10:00:00,3,1,UK\n" +
        "2,POST,POSTAGE,1,2011-02-01 10:00:00,5,1,UK\n" +
        "C9,33333,PINK CANDLES,-1,2011-02-15 10:00:00,3,1,UK\n" +
        "3,44444,BLUE BOWL,1,2011-03-01 10:00:00,4,1,UK\n" +
        // Customer 2: one basket only (not evaluated); customer 3: two baskets.
        "4,11111,WHITE HEART HOLDER,1,2011-01-05 10:00:00,1,2,UK\n" +
        "5,44444,BLUE BOWL,1,2011-01-06 10:00:00,4,3,UK\n" +
        "6,22222,RED MUG,1,2011-01-07 10:00:00,2,3,UK\n";

    private static Dataset Data() => Dataset.Build(PurchaseLogLoader.LoadText(Csv, new ColumnMap()), new ColumnMap());

    [Fact]
    public void Baskets_are_invoices_in_time_order_split_into_history_validation_and_test()
    {
        var data = Data();

        Assert.Equal(["1", "3"], data.Evaluated.Select(c => c.Customer));
        var c1 = data.Evaluated[0];
        Assert.Equal(["1", "2", "3"], c1.Baskets.Select(b => b.Invoice));
        Assert.Equal("3", c1.Test.Invoice);
        Assert.Equal("2", c1.Validation.Invoice);
        Assert.Equal(["1"], c1.Known(Split.Validation).Select(b => b.Invoice));
        Assert.Equal(["1", "2"], c1.Known(Split.Test).Select(b => b.Invoice));
        // POST is not a product: dropped from the basket.
        Assert.Equal(["11111", "33333"], c1.Validation.Items.Select(data.Items.Code));
        Assert.Equal(1, data.NonProductLinesDropped);
        Assert.Single(c1.ReturnsBefore(Split.Test));
        Assert.Empty(c1.ReturnsBefore(Split.Validation));
    }

    [Fact]
    public void Global_statistics_are_fitted_on_history_baskets_of_evaluated_customers_only()
    {
        var data = Data();

        // Training baskets: customer 1's basket 1 and customer 3's none (two baskets: validation + test).
        Assert.Equal(["1"], Training.Baskets(data).Select(b => b.Invoice));
        var popularity = new MostPopular(data);
        // One basket each: the tie goes to the item seen first in the file.
        Assert.Equal(["22222", "11111"], popularity.Recommend(data.Evaluated[0], Split.Test, 10).Select(data.Items.Code));
    }

    [Fact]
    public void Own_most_frequent_items_break_ties_by_item_code()
    {
        var data = Data();
        var c1 = data.Evaluated[0];

        var ranked = new PersonalFrequency(data).Recommend(c1, Split.Test, 10).Select(data.Items.Code);

        Assert.Equal(["11111", "22222", "33333"], ranked);
    }

    [Fact]
    public void Co_occurrence_counts_baskets_holding_both_items()
    {
        var data = Data();
        var matrix = new CoOccurrenceMatrix(data);
        data.Items.TryGetId("11111", out var heart);
        data.Items.TryGetId("22222", out var mug);

        Assert.Equal(1, matrix.Count(heart, mug));
        Assert.Equal(1, matrix.Diagonal[heart]);
        Assert.Equal(1, matrix.Jaccard(heart, mug), 12);
    }

    [Fact]
    public void Categories_name_the_product_type_and_the_stock_code_family()
    {
        Assert.Equal("holder/85123", Categories.Path("85123A", "WHITE HANGING HEART T-LIGHT HOLDER"));
        Assert.Equal("candle/33333", Categories.Path("33333", "PINK CANDLES"));
        Assert.Equal("bag/85099", Categories.Path("85099B", "JUMBO BAG RED RETROSPOT"));
        Assert.Equal("other/22139", Categories.Path("22139", ""));
    }

    [Fact]
    public void Clarity_replays_known_purchases_and_earlier_returns_in_event_time_order()
    {
        var data = Data();
        var clarity = new ClarityReranker(new ClarityConfig("clarity", 1, 60), data.Items);
        var c1 = data.Evaluated[0];

        var signals = clarity.Signals(c1, Split.Test);

        Assert.Equal(
            [SignalType.Purchase, SignalType.Purchase, SignalType.Purchase, SignalType.Purchase, SignalType.Return],
            signals.Select(s => s.Type));
        Assert.True(signals.Zip(signals.Skip(1)).All(p => p.First.OccurredAt <= p.Second.OccurredAt));
        Assert.Equal("candle/33333", signals[^1].Item.Category);
        Assert.DoesNotContain(signals, s => s.Item.Id == "44444");
    }

    [Fact]
    public void Clarity_moves_a_candidate_from_a_category_the_customer_buys_above_an_untouched_one()
    {
        var data = Data();
        var clarity = new ClarityReranker(new ClarityConfig("clarity", 1, 60), data.Items);
        var c1 = data.Evaluated[0];
        data.Items.TryGetId("44444", out var bowl);
        data.Items.TryGetId("11111", out var heart);
        data.Items.TryGetId("33333", out var candle);

        // Upstream puts the bowl (never bought) just above the hearts (bought twice); the candle was returned.
        var ranked = clarity.Rerank(c1, Split.Test, [new Scored(bowl, 1.0), new Scored(heart, 0.95), new Scored(candle, 0.0)], 10);

        Assert.Equal([heart, bowl, candle], ranked);
    }
}
