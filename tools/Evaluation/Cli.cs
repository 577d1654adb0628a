using System.Globalization;
using Clarity.Evaluation.Report;

namespace Clarity.Evaluation;

/// <summary>Command-line entry: parses options, runs the evaluation, writes the report.</summary>
public static class Cli
{
    public const string Usage = """
        Clarity evaluation: reproduces the reference baselines, builds the SAR-style behavioural baseline,
        re-ranks its top candidates with the simple rules and with Clarity, and writes a report folder.

        usage: dotnet run --project tools/Evaluation -c Release -- --out <folder> [options]

          --data PATH            purchase log CSV, gzip or plain (default ../shared/data/online-retail/online-retail.csv.gz)
          --out DIR              report folder (required)
          --customers N          compare SAR, rules and Clarity on a random sample of N customers (default all)
          --seed S               seed of the sample and the bootstrap (default 42)
          --resamples N          bootstrap resamples (default 1000)
          --no-tune              skip validation tuning; use the first value of each grid
          --scenarios            also run the scenario simulator (known truth: ranking, AbsurdRepeat@10,
                                 truth recovery, recovery after a category is ignored, calibration per kind)
          --scenario-users N     simulated users (default 2400; 8 archetypes in turn)
          --scenarios-only       run only the scenarios and print their verdict (no report; for quick looks)
          --no-real-calibration  skip the calibration of belief confidence on the real log
          --col-invoice NAME     column roles by header name (defaults: InvoiceNo, StockCode, Description,
          --col-item NAME          Quantity, InvoiceDate, UnitPrice, CustomerID, Country)
          --col-description NAME
          --col-quantity NAME
          --col-time NAME
          --col-price NAME
          --col-customer NAME
          --col-country NAME
          --cancel-prefix P      invoice prefix of cancellations, read as returns (default C; "" for none)
          --product-pattern RE   item ids that are products (default ^[0-9]{5}[A-Za-z]{0,2}$; "" for all)
          --delimiter C          field delimiter (default ,)
          --time-format F        time format (default yyyy-MM-dd HH:mm:ss)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        Settings settings;
        try
        {
            if (args.Contains("--help") || args.Contains("-h"))
            {
                await Console.Out.WriteLineAsync(Usage);
                return 0;
            }
            settings = Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        var progress = Progress.Console();
        if (!settings.RealData)
        {
            // A quick look while working on the scenarios: their verdict on the console, no report.
            var scenarios = Scenarios.ScenarioEvaluator.Run(settings, progress);
            progress.End();
            foreach (var line in ReportWriter.ScenarioVerdict(scenarios))
            {
                progress.Info(line);
            }
            return 0;
        }
        var result = Evaluator.Run(settings, progress);
        var files = ReportWriter.Write(result, settings.Out);
        progress.Info($"report written to {settings.Out}: {string.Join(", ", files)}");
        foreach (var line in ReportWriter.Verdict(result))
        {
            progress.Info(line);
        }
        return 0;
    }

    public static Settings Parse(string[] args)
    {
        var settings = new Settings();
        var map = settings.Columns;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"Option {name} needs a value.");
                }
                return args[++i];
            }
            int Int()
            {
                var text = Value();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
                    ? n
                    : throw new ArgumentException($"Option {name} needs a positive integer (got '{text}').");
            }
            switch (name)
            {
                case "--data": settings.Data = Value(); break;
                case "--out": settings.Out = Value(); break;
                case "--customers": settings.Customers = Int(); break;
                case "--seed": settings.Seed = Int(); break;
                case "--resamples": settings.Resamples = Int(); break;
                case "--no-tune": settings.Tune = false; break;
                case "--scenarios": settings.Scenarios = true; break;
                case "--scenario-users": settings.ScenarioUsers = Int(); settings.Scenarios = true; break;
                case "--scenarios-only": settings.Scenarios = true; settings.RealData = false; break;
                case "--no-real-calibration": settings.RealCalibration = false; break;
                case "--col-invoice": map.Invoice = Value(); break;
                case "--col-item": map.Item = Value(); break;
                case "--col-description": map.Description = Value(); break;
                case "--col-quantity": map.Quantity = Value(); break;
                case "--col-time": map.Time = Value(); break;
                case "--col-price": map.Price = Value(); break;
                case "--col-customer": map.Customer = Value(); break;
                case "--col-country": map.Country = Value(); break;
                case "--cancel-prefix": map.CancellationPrefix = Value(); break;
                case "--product-pattern": map.ProductPattern = Value(); break;
                case "--time-format": map.TimeFormat = Value(); break;
                case "--delimiter":
                    var d = Value();
                    map.Delimiter = d == "\\t" ? '\t' : d.Length == 1 ? d[0] : throw new ArgumentException("--delimiter needs one character (or \\t).");
                    break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }
        if (settings.Out.Length == 0)
        {
            throw new ArgumentException("--out <folder> is required.");
        }
        if (settings.Data.Length == 0)
        {
            settings.Data = RepoPaths.DefaultData();
        }
        if (!File.Exists(settings.Data))
        {
            throw new ArgumentException($"Data file not found: {settings.Data}");
        }
        return settings;
    }
}
