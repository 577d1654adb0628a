using System.Globalization;
using System.Security;
using System.Text;
using Clarity.Evaluation.Metrics;

namespace Clarity.Evaluation.Report;

/// <summary>Hand-written SVG: horizontal bars with interval whiskers, one row per method.</summary>
public static class Svg
{
    public static string Bars(string title, IReadOnlyList<(string Label, Interval Value)> rows)
    {
        const int labelWidth = 260, plotWidth = 420, rowHeight = 22, top = 40, bottom = 30;
        var height = top + rows.Count * rowHeight + bottom;
        var values = rows.SelectMany(r => new[] { r.Value.Estimate, r.Value.Low, r.Value.High }).Where(double.IsFinite).ToList();
        var min = Math.Min(0, values.Count == 0 ? 0 : values.Min());
        var max = Math.Max(0, values.Count == 0 ? 1 : values.Max());
        if (max - min < 1e-12)
        {
            max = min + 1;
        }
        var pad = (max - min) * 0.05;
        min -= min < 0 ? pad : 0;
        max += pad;
        double X(double v) => labelWidth + (v - min) / (max - min) * plotWidth;
        static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        static string E(string s) => SecurityElement.Escape(s) ?? "";

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{labelWidth + plotWidth + 90}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"20\" font-size=\"13\" font-weight=\"bold\">{E(title)}</text>\n");
        var zero = X(0);
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(zero)}\" y1=\"{top - 6}\" x2=\"{N(zero)}\" y2=\"{height - bottom + 4}\" stroke=\"#444\"/>\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, v) = rows[i];
            var y = top + i * rowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 14}\" text-anchor=\"end\">{E(label)}</text>\n");
            if (!double.IsFinite(v.Estimate))
            {
                continue;
            }
            var x0 = Math.Min(zero, X(v.Estimate));
            var w = Math.Abs(X(v.Estimate) - zero);
            var color = v.ExcludesZero ? (v.Estimate >= 0 ? "#4a7fb5" : "#c0504d") : "#9aa5b1";
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(x0)}\" y=\"{y + 3}\" width=\"{N(w)}\" height=\"{rowHeight - 8}\" fill=\"{color}\"/>\n");
            if (double.IsFinite(v.Low) && double.IsFinite(v.High))
            {
                var yc = y + rowHeight / 2 - 1;
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(v.Low))}\" y1=\"{yc}\" x2=\"{N(X(v.High))}\" y2=\"{yc}\" stroke=\"black\"/>\n");
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(v.Low))}\" y1=\"{yc - 4}\" x2=\"{N(X(v.Low))}\" y2=\"{yc + 4}\" stroke=\"black\"/>\n");
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(v.High))}\" y1=\"{yc - 4}\" x2=\"{N(X(v.High))}\" y2=\"{yc + 4}\" stroke=\"black\"/>\n");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(Math.Max(X(v.High), X(v.Estimate)) + 6)}\" y=\"{y + 14}\">{v.Estimate.ToString("0.0000", CultureInfo.InvariantCulture)}</text>\n");
        }
        var axisY = height - bottom + 16;
        foreach (var tick in new[] { min, 0, max })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(tick))}\" y=\"{axisY}\" text-anchor=\"middle\" fill=\"#444\">{tick.ToString("0.000", CultureInfo.InvariantCulture)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string s) => SecurityElement.Escape(s) ?? "";

    private static readonly string[] Palette = ["#9aa5b1", "#4a7fb5", "#c0504d", "#9bbb59", "#8064a2"];

    /// <summary>
    /// Reliability diagram: observed rate against mean confidence per bin (marker area by count),
    /// the diagonal of perfect calibration, one series per configuration.
    /// </summary>
    public static string Reliability(string title, IReadOnlyList<(string Label, IReadOnlyList<Calibration.ReliabilityBin> Bins)> series)
    {
        const int left = 50, top = 36, size = 300, right = 260;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + size + right}\" height=\"{top + size + 44}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"20\" font-size=\"13\" font-weight=\"bold\">{E(title)}</text>\n");
        double X(double v) => left + v * size;
        double Y(double v) => top + (1 - v) * size;
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{size}\" height=\"{size}\" fill=\"none\" stroke=\"#444\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(0))}\" y1=\"{N(Y(0))}\" x2=\"{N(X(1))}\" y2=\"{N(Y(1))}\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\n");
        foreach (var t in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(t))}\" y=\"{top + size + 16}\" text-anchor=\"middle\" fill=\"#444\">{t:0.##}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{N(Y(t) + 4)}\" text-anchor=\"end\" fill=\"#444\">{t:0.##}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + size / 2}\" y=\"{top + size + 34}\" text-anchor=\"middle\">confidence (bin mean)</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{top + size / 2}\" transform=\"rotate(-90 14 {top + size / 2})\" text-anchor=\"middle\">observed rate</text>\n");
        var max = Math.Max(1, series.SelectMany(x => x.Bins).Select(b => b.Count).DefaultIfEmpty(1).Max());
        for (var i = 0; i < series.Count; i++)
        {
            var (label, bins) = series[i];
            var color = Palette[(i + 1) % Palette.Length];
            if (bins.Count > 0)
            {
                var points = string.Join(" ", bins.Select(b => $"{N(X(b.MeanConfidence))},{N(Y(b.ObservedRate))}"));
                svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"/>\n");
                foreach (var b in bins)
                {
                    var r = 2 + 6 * Math.Sqrt((double)b.Count / max);
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(X(b.MeanConfidence))}\" cy=\"{N(Y(b.ObservedRate))}\" r=\"{N(r)}\" fill=\"{color}\" fill-opacity=\"0.6\"><title>{b.Count} predictions</title></circle>\n");
                }
            }
            var ly = top + 14 + i * 18;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + size + 14}\" y=\"{ly - 9}\" width=\"10\" height=\"10\" fill=\"{color}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + size + 30}\" y=\"{ly}\">{E(label)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Step curves sharing an x axis (e.g. share still showing a category after n impressions).</summary>
    public static string Curves(string title, string xLabel, string yLabel, IReadOnlyList<(string Label, IReadOnlyList<double> Values)> series)
    {
        const int left = 50, top = 36, width = 420, height = 240, right = 160;
        var n = Math.Max(2, series.Select(x => x.Values.Count).DefaultIfEmpty(2).Max());
        double X(double i) => left + i / (n - 1) * width;
        double Y(double v) => top + (1 - v) * height;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + width + right}\" height=\"{top + height + 44}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"10\" y=\"20\" font-size=\"13\" font-weight=\"bold\">{E(title)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{width}\" height=\"{height}\" fill=\"none\" stroke=\"#444\"/>\n");
        foreach (var t in new[] { 0.0, 0.5, 1.0 })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{N(Y(t) + 4)}\" text-anchor=\"end\" fill=\"#444\">{t:0.#}</text>\n");
        }
        foreach (var t in new[] { 0, (n - 1) / 2, n - 1 })
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(t))}\" y=\"{top + height + 16}\" text-anchor=\"middle\" fill=\"#444\">{t}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + width / 2}\" y=\"{top + height + 34}\" text-anchor=\"middle\">{E(xLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{top + height / 2}\" transform=\"rotate(-90 14 {top + height / 2})\" text-anchor=\"middle\">{E(yLabel)}</text>\n");
        for (var i = 0; i < series.Count; i++)
        {
            var (label, values) = series[i];
            var color = Palette[(i + 1) % Palette.Length];
            var points = new StringBuilder();
            for (var j = 0; j < values.Count; j++)
            {
                if (!double.IsFinite(values[j]))
                {
                    continue;
                }
                if (j > 0 && double.IsFinite(values[j - 1]))
                {
                    points.Append(CultureInfo.InvariantCulture, $"{N(X(j))},{N(Y(values[j - 1]))} ");
                }
                points.Append(CultureInfo.InvariantCulture, $"{N(X(j))},{N(Y(values[j]))} ");
            }
            svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{points.ToString().Trim()}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-dasharray=\"{(i == 0 ? "6 3" : "none")}\"/>\n");
            var ly = top + 14 + i * 18;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + width + 14}\" y=\"{ly - 9}\" width=\"10\" height=\"10\" fill=\"{color}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + width + 30}\" y=\"{ly}\">{E(label)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }
}
