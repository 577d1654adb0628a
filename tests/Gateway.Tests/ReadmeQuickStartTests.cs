using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Clarity.Gateway.Tests.Infrastructure;

namespace Clarity.Gateway.Tests;

/// <summary>
/// Runs the README's quick start exactly as printed: the request bodies and URLs are read from
/// README.md itself, so the documentation and this test cannot drift apart.
/// </summary>
public sealed partial class ReadmeQuickStartTests
{
    private static string QuickStart()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Clarity.sln")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        var readme = File.ReadAllText(Path.Combine(directory.FullName, "README.md"));
        var start = readme.IndexOf("## Quick start", StringComparison.Ordinal);
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return readme[start..end];
    }

    private static HttpRequestMessage Request(Match curl)
    {
        var url = new Uri(curl.Groups["url"].Value);
        var body = curl.Groups["body"].Success ? curl.Groups["body"].Value : null;
        var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, url.PathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClarityApp.DevKey);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return request;
    }

    [GeneratedRegex(@"curl -s (?:-X POST )?'?(?<url>http://localhost:8080[^'\s]+)'?[^\n]*(?:\\\n[^\n]*?)*?(?:-d '(?<body>[^']*)')?\n(?!\s*-)", RegexOptions.Singleline)]
    private static partial Regex Curl();

    [Fact]
    public async Task The_quick_start_works_as_printed()
    {
        var curls = Curl().Matches(QuickStart());
        Assert.Equal(3, curls.Count);
        await using var app = new ClarityApp();
        var client = app.Client(token: null);

        var ingest = await (await client.SendAsync(Request(curls[0]))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((6, 0), (ingest["accepted"]!.GetValue<int>(), ingest["duplicates"]!.GetValue<int>()));
        var again = await (await client.SendAsync(Request(curls[0]))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((0, 6), (again["accepted"]!.GetValue<int>(), again["duplicates"]!.GetValue<int>()));

        var model = await (await client.SendAsync(Request(curls[1]))).ExpectAsync(HttpStatusCode.OK);
        var beliefs = model["beliefs"]!.AsArray();
        var satiation = beliefs[0]!;
        Assert.Equal(("satiation", "home/bathroom/toilet-seats"), (satiation["kind"]!.GetValue<string>(), satiation["subject"]!.GetValue<string>()));
        Assert.Equal(0.98, satiation["confidence"]!.GetValue<double>(), 2);
        Assert.Equal(0.39, beliefs.Single(b => b!["statement"]!.GetValue<string>() == "Interested in knives (home, kitchen)")!["confidence"]!.GetValue<double>(), 2);
        Assert.Equal(0.55, beliefs.Single(b => b!["statement"]!.GetValue<string>() == "Prefers premium home products")!["confidence"]!.GetValue<double>(), 2);

        var rerank = await (await client.SendAsync(Request(curls[2]))).ExpectAsync(HttpStatusCode.OK);
        var items = rerank["items"]!.AsArray();
        Assert.Equal(["knife-3", "book-1"], items.Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(["Interested in knives (home, kitchen)", "Prefers premium home products"],
            items[0]!["reasons"]!.AsArray().Select(r => r!["statement"]!.GetValue<string>()));
        Assert.Equal(0.194, items[0]!["score"]!.GetValue<double>(), 3);
        Assert.Equal(0.121, items[1]!["score"]!.GetValue<double>(), 3);
        var suppressed = rerank["suppressed"]!.AsArray();
        Assert.Equal(["seat-9", "seat-4"], suppressed.Select(s => s!["id"]!.GetValue<string>()));
        Assert.All(suppressed, s => Assert.Equal(satiation["id"]!.GetValue<string>(), s!["reasons"]![0]!["beliefId"]!.GetValue<string>()));
    }
}
