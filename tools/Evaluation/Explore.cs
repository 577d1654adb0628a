using System.Diagnostics;
using Clarity.Evaluation.Data;
using Clarity.Evaluation.Metrics;
using Clarity.Evaluation.Protocol;
using Clarity.Evaluation.Recommenders;

namespace Clarity.Evaluation;

internal static class Cli
{
    public static Task<int> RunAsync(string[] args)
    {
        var sw = Stopwatch.StartNew();
        var map = new ColumnMap();
        var log = PurchaseLogLoader.Load(args[0], map);
        Console.WriteLine($"load {sw.ElapsedMilliseconds} ms rows {log.Rows} returns {log.Returns.Count} nonproducts {log.NonProductPurchaseLines}");
        foreach (var (k, v) in log.Skipped)
        {
            Console.WriteLine($"  skipped {v} {k}");
        }
        Console.WriteLine(log.Facts());
        var productsOnly = true;
        foreach (var sees in new[] { true })
        {
            Console.WriteLine($"test sees validation: {sees}");
            var data = Dataset.Build(log, map, productsOnly, testSeesValidation: sees);
            Console.WriteLine($"productsOnly={productsOnly} customers {data.AllCustomers.Count} evaluated {data.Evaluated.Count} items {data.Items.Count} {sw.ElapsedMilliseconds} ms");
            void Eval(IRecommender r, string label)
            {
                var scores = data.Evaluated.Select(c =>
                {
                    var known = c.Known(Split.Test).SelectMany(b => b.Items).ToHashSet();
                    return RankingMetrics.Score(r.Recommend(c, 10), c.Test.Items, 10, known);
                }).ToList();
                Console.WriteLine($"  {label,-40} R {scores.Average(s => s.Recall):F4} N {scores.Average(s => s.Ndcg):F4} H {scores.Average(s => s.Hit):F4} rep {RankingMetrics.MeanDefined(scores.Select(s => s.RepeatRecall)):F4} new {RankingMetrics.MeanDefined(scores.Select(s => s.NewRecall)):F4}");
            }
            Eval(new MostPopular(data, Split.Test, PopularityCount.Baskets), "pop baskets");
            Eval(new MostPopular(data, Split.Test, PopularityCount.Customers), "pop customers");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.Recency), "freq recency");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.Popularity), "freq popularity");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.Recency, true), "freq recency pad");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.FirstBought), "freq firstbought");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.ItemCode), "freq itemcode");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.ItemCode, false, FrequencyCount.Lines), "freq lines itemcode");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.FirstBought, false, FrequencyCount.Lines), "freq lines firstbought");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.Recency, false, FrequencyCount.Lines), "freq lines");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.Recency, false, FrequencyCount.Units), "freq units recency");
            Eval(new PersonalFrequency(data, Split.Test, FrequencyTieBreak.Popularity, false, FrequencyCount.Units), "freq units pop");
            var m = new CoOccurrenceMatrix(data, Split.Test);
            Console.WriteLine($"  matrix {sw.ElapsedMilliseconds} ms");
            Eval(new CoOccurrenceCf(m, Split.Test, 5), "cf5");
            Eval(new CoOccurrenceCf(m, Split.Test, 5, excludeKnown: true), "cf5 exclude");
            Eval(new CoOccurrenceCf(m, Split.Test, 5, tieBreak: data.Items.CodeOrderTieBreak()), "cf5 tie code");
            Eval(new MostPopular(data, Split.Test, PopularityCount.Baskets), "pop baskets");
            var m2 = new CoOccurrenceMatrix(data, Split.Test, includeUnevaluated: false);
            Eval(new CoOccurrenceCf(m2, Split.Test, 5), "cf5 evaluated-only matrix");
            m2 = null;
            var m3 = new CoOccurrenceMatrix(data, Split.Validation, includeUnevaluated: true);
            Eval(new CoOccurrenceCf(m3, Split.Test, 5), "cf5 matrix w/o validation baskets");
            m3 = new CoOccurrenceMatrix(data, Split.Validation, includeUnevaluated: false);
            Eval(new CoOccurrenceCf(m3, Split.Test, 5), "cf5 matrix history of evaluated");
            m3 = null;
            Eval(new CoOccurrenceCf(m, Split.Test, 3), "cf3");
            Eval(new CoOccurrenceCf(m, Split.Test, 4), "cf4");
            Eval(new CoOccurrenceCf(m, Split.Test, 6), "cf6");
            Eval(new CoOccurrenceCf(m, Split.Test, 5, multiset: true), "cf5 multiset");
            Eval(new CoOccurrenceCf(m, Split.Test, 5, selfCounts: true), "cf5 self");
            Eval(new CoOccurrenceCf(m, Split.Test, 5, multiset: true, selfCounts: true), "cf5 multiset self");
            Eval(new SarCf(m, Split.Test, 30), "sar 30");
            Console.WriteLine($"  done {sw.ElapsedMilliseconds} ms");
        }
        return Task.FromResult(0);
    }
}
