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
}
