using System.Net;
using System.Text;
using Clarity.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;
using static Clarity.Gateway.Tests.Infrastructure.Signals;

namespace Clarity.Gateway.Tests;

/// <summary>
/// Issue 6's hostile-input suite over HTTP: every request gets the right 4xx with a problem body,
/// none a 5xx, nothing from a rejected request is stored, and the server answers normally after.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    private const string Victim = "victim";

    /// <summary>A valid signal for the victim as JSON text, with one field replaced by raw JSON.</summary>
    private static string SignalJson(string? field = null, string? rawValue = null, string userId = Victim)
    {
        var fields = new Dictionary<string, string>
        {
            ["id"] = "\"evt-h\"",
            ["userId"] = $"\"{userId}\"",
            ["type"] = "\"purchase\"",
            ["occurredAt"] = "\"2026-11-01T10:00:00Z\"",
            ["item"] = "{\"id\":\"sku-1\",\"category\":\"home/kitchen/knives\",\"price\":10}",
        };
        if (field is not null)
        {
            fields[field] = rawValue!;
        }
        return "{\"signals\":[{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}]}";
    }

    private static string Item(string category = "home/kitchen/knives", string price = "10", string id = "\"sku-1\"") =>
        $"{{\"id\":{id},\"category\":{category},\"price\":{price}}}";

    /// <summary>The JSON text as UTF-8 with the raw bytes put where "@@" stands.</summary>
    private static byte[] WithBytes(string json, params byte[] raw)
    {
        var at = json.IndexOf("@@", StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(json[..at]), .. raw, .. Encoding.UTF8.GetBytes(json[(at + 2)..])];
    }

    public sealed record Case(string Name, HttpMethod Method, string Path, byte[]? Body, string? ContentType, HttpStatusCode Expected, string? Token = ClarityApp.DevKey);

    private static Case Ingest(string name, string json, HttpStatusCode expected = HttpStatusCode.BadRequest) =>
        new(name, HttpMethod.Post, "/v1/signals", Encoding.UTF8.GetBytes(json), "application/json", expected);

    private static Case Rerank(string name, string json, HttpStatusCode expected = HttpStatusCode.BadRequest) =>
        new(name, HttpMethod.Post, $"/v1/users/{Victim}/rerank", Encoding.UTF8.GetBytes(json), "application/json", expected);

    public static IEnumerable<Case> Cases()
    {
        var valid = SignalJson();
        yield return Ingest("malformed JSON", "{\"signals\": [");
        yield return Ingest("truncated JSON", valid[..(valid.Length / 2)]);
        yield return Ingest("not an object", "[1,2,3]");
        yield return Ingest("JSON null", "null");
        yield return Ingest("empty body", "");
        yield return Ingest("trailing garbage", valid + "}}");
        yield return Ingest("signals is a string", "{\"signals\":\"all of them\"}");
        yield return Ingest("id is a number", SignalJson("id", "12345"));
        yield return Ingest("occurredAt is prose", SignalJson("occurredAt", "\"yesterday\""));
        yield return Ingest("occurredAt without offset", SignalJson("occurredAt", "\"2026-11-01T10:00:00\""));
        yield return Ingest("item is an array", SignalJson("item", "[]"));
        yield return Ingest("deep nesting", SignalJson("context", new string('[', 5000) + new string(']', 5000)));
        yield return Ingest("deep object nesting", SignalJson("context", string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200)));
        yield return Ingest("NaN literal", SignalJson("item", Item(price: "NaN")));
        yield return Ingest("NaN as string", SignalJson("item", Item(price: "\"NaN\"")));
        yield return Ingest("Infinity literal", SignalJson("item", Item(price: "Infinity")));
        yield return Ingest("1e309", SignalJson("item", Item(price: "1e309")));
        yield return Ingest("negative price", SignalJson("item", Item(price: "-1")));
        yield return Ingest("rating out of range", SignalJson("type", "\"rating\"").Replace("\"item\"", "\"value\":6,\"item\"", StringComparison.Ordinal));
        yield return Ingest("value 1e309", SignalJson("type", "\"rating\"").Replace("\"item\"", "\"value\":1e309,\"item\"", StringComparison.Ordinal));
        yield return Ingest("control character in user id", SignalJson("userId", "\"vic\\u0000tim\""));
        yield return Ingest("bell in category", SignalJson("item", Item(category: "\"home/\\u0007\"")));
        yield return Ingest("newline in signal id", SignalJson("id", "\"evt\\nforged log line\""));
        yield return Ingest("lone surrogate in item id", SignalJson("item", Item(id: "\"\\ud800\"")));
        yield return Ingest("bidi override in tag", SignalJson("item", "{\"id\":\"sku-1\",\"category\":\"home\",\"tags\":[\"\\u202e\"]}"));
        yield return Ingest("too many tags", SignalJson("item", "{\"id\":\"sku-1\",\"category\":\"home\",\"tags\":[" + string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"t{i}\"")) + "]}"));
        yield return Ingest("very long user id", SignalJson("userId", "\"" + new string('u', 129) + "\""));
        yield return Ingest("very long category", SignalJson("item", Item(category: "\"" + string.Join("/", Enumerable.Repeat("a", 9)) + "\"")));
        yield return Ingest("unknown type", SignalJson("type", "\"<script>alert(1)</script>\""));
        yield return Ingest("1,001 signals", "{\"signals\":[" + string.Join(",", Enumerable.Repeat(SignalJson()[12..^2], 1001)) + "]}");
        yield return new Case("invalid UTF-8 in an id", HttpMethod.Post, "/v1/signals", WithBytes(SignalJson("id", "\"evt-@@\""), 0xC3, 0x28, 0xFF), "application/json", HttpStatusCode.BadRequest);
        yield return new Case("UTF-8-encoded surrogate in a user id", HttpMethod.Post, "/v1/signals", WithBytes(SignalJson("userId", "\"vic@@\""), 0xED, 0xA0, 0x80), "application/json", HttpStatusCode.BadRequest);
        yield return new Case("overlong UTF-8 slash in a category", HttpMethod.Post, "/v1/signals", WithBytes(SignalJson("item", Item(category: "\"home@@etc\"")), 0xC0, 0xAF), "application/json", HttpStatusCode.BadRequest);
        yield return new Case("text/plain", HttpMethod.Post, "/v1/signals", Encoding.UTF8.GetBytes(valid), "text/plain", HttpStatusCode.UnsupportedMediaType);
        yield return new Case("form post", HttpMethod.Post, "/v1/signals", Encoding.UTF8.GetBytes("signals=1"), "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType);
        yield return new Case("XML", HttpMethod.Post, "/v1/signals", Encoding.UTF8.GetBytes("<signals/>"), "application/xml", HttpStatusCode.UnsupportedMediaType);
        yield return new Case("2 MB body", HttpMethod.Post, "/v1/signals", Encoding.UTF8.GetBytes("{\"signals\":[\"" + new string('x', 2 * 1024 * 1024) + "\"]}"), "application/json", HttpStatusCode.RequestEntityTooLarge);
        yield return Rerank("10,000 candidates", "{\"candidates\":[" + string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"{{\"id\":\"c{i}\",\"category\":\"a\"}}")) + "]}");
        yield return Rerank("candidate score NaN", "{\"candidates\":[{\"id\":\"c\",\"category\":\"a\",\"score\":NaN}]}");
        yield return Rerank("candidate score -1e309", "{\"candidates\":[{\"id\":\"c\",\"category\":\"a\",\"score\":-1e309}]}");
        yield return Rerank("candidate score 1e300", "{\"candidates\":[{\"id\":\"c\",\"category\":\"a\",\"score\":1e300}]}");
        yield return Rerank("duplicate candidate ids", "{\"candidates\":[{\"id\":\"c\",\"category\":\"a\"},{\"id\":\"c\",\"category\":\"a\"}]}");
        yield return Rerank("limit zero", "{\"candidates\":[{\"id\":\"c\",\"category\":\"a\"}],\"limit\":0}");
        yield return Rerank("limit as a huge number", "{\"candidates\":[{\"id\":\"c\",\"category\":\"a\"}],\"limit\":99999999999}");
        yield return Rerank("unknown objective", "{\"candidates\":[{\"id\":\"c\",\"category\":\"a\"}],\"optimizeFor\":\"chaos\"}");
        yield return new Case("bad asOf", HttpMethod.Get, $"/v1/users/{Victim}/self-model?asOf=not-a-time", null, null, HttpStatusCode.BadRequest);
        yield return new Case("very long user id in the path", HttpMethod.Get, $"/v1/users/{new string('u', 1000)}/self-model", null, null, HttpStatusCode.BadRequest);
        yield return new Case("control character in the path", HttpMethod.Get, "/v1/users/vic%01tim/self-model", null, null, HttpStatusCode.BadRequest);
        yield return new Case("path traversal through the route", HttpMethod.Get, "/v1/users/../../etc/passwd", null, null, HttpStatusCode.NotFound);
        yield return new Case("missing credentials", HttpMethod.Post, "/v1/signals", Encoding.UTF8.GetBytes(valid), "application/json", HttpStatusCode.Unauthorized, Token: null);
        yield return new Case("forged service key", HttpMethod.Post, "/v1/signals", Encoding.UTF8.GetBytes(valid), "application/json", HttpStatusCode.Unauthorized, Token: "dev-kez");
        yield return new Case("forged end-user token", HttpMethod.Post, "/v1/signals", Encoding.UTF8.GetBytes(valid), "application/json", HttpStatusCode.Unauthorized, Token: "cu1.eyJ0IjoiZGV2IiwidSI6InZpY3RpbSIsImV4cCI6OTk5OTk5OTk5OX0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        yield return new Case("huge Authorization header", HttpMethod.Post, "/v1/signals", Encoding.UTF8.GetBytes(valid), "application/json", HttpStatusCode.Unauthorized, Token: new string('k', 5000));
    }

    [Fact]
    public async Task Every_hostile_request_gets_the_right_4xx_nothing_is_stored_and_the_server_still_answers()
    {
        await using var app = new ClarityApp();
        var failures = new List<string>();
        var count = 0;

        foreach (var c in Cases())
        {
            count++;
            using var request = new HttpRequestMessage(c.Method, c.Path);
            if (c.Body is not null)
            {
                request.Content = new ByteArrayContent(c.Body);
                if (c.ContentType is not null)
                {
                    request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(c.ContentType);
                }
            }
            var client = app.Client(token: null);
            if (c.Token is not null)
            {
                client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + c.Token);
            }
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var isProblem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            output.WriteLine($"{c.Name}: {(int)response.StatusCode} {(text.Length > 300 ? text[..300] + "..." : text)}");
            if (response.StatusCode != c.Expected || (!isProblem && c.Expected != HttpStatusCode.NotFound))
            {
                failures.Add($"{c.Name}: expected {(int)c.Expected} problem, got {(int)response.StatusCode} {response.Content.Headers.ContentType}");
            }
            if ((int)response.StatusCode >= 500 || text.Contains("Exception", StringComparison.Ordinal) || text.Contains("   at ", StringComparison.Ordinal))
            {
                failures.Add($"{c.Name}: leaked a server error or stack trace");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(count > 50);
        var service = app.Client();
        var model = await (await service.GetAsync($"/v1/users/{Victim}/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(model["beliefs"]!.AsArray());
        var ingest = await (await service.PostRawAsync("/v1/signals", SignalJson())).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, ingest["accepted"]!.GetValue<int>());
        await (await service.GetAsync("/healthz")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_100_MB_body_is_refused_with_413_before_it_is_read()
    {
        await using var app = new ClarityApp();
        var body = new EndlessContent(100L * 1024 * 1024);

        var response = await app.Client().PostAsync("/v1/signals", body);

        await response.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.True(body.Written < 100L * 1024 * 1024, $"{body.Written} bytes were read");
    }

    [Fact]
    public async Task A_body_without_declared_length_is_cut_at_the_limit()
    {
        await using var app = new ClarityApp(settings: new Dictionary<string, string?> { ["Clarity:Limits:MaxBodyBytes"] = "4096" });
        var body = new EndlessContent(length: null, limit: 10L * 1024 * 1024);

        var response = await app.Client().PostAsync("/v1/signals", body);

        await response.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        var model = await (await app.Client().GetAsync($"/v1/users/{Victim}/self-model")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(model["beliefs"]!.AsArray());
    }

    [Fact]
    public async Task Markup_in_categories_is_stored_and_returned_as_inert_text()
    {
        await using var app = new ClarityApp();
        var client = app.Client();
        const string category = "<img src=x onerror=alert(1)>/<script>alert(2)</script>";

        await (await client.PostJsonAsync("/v1/signals", Batch(
            Signal("evt-x1", Victim, "purchase", category, ClarityApp.Start.AddDays(-2)),
            Signal("evt-x2", Victim, "purchase", category, ClarityApp.Start.AddDays(-1))))).ExpectAsync(HttpStatusCode.OK);
        var response = await client.GetAsync($"/v1/users/{Victim}/self-model");
        var raw = await response.Content.ReadAsStringAsync();
        var model = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(model["beliefs"]!.AsArray(), b => b!["subject"]!.GetValue<string>() == category);
        // JSON-escaped on the wire (\u003C...), so even a client that wrongly renders it as HTML gets no tag.
        Assert.DoesNotContain("<script>", raw, StringComparison.Ordinal);
    }

    /// <summary>A body of <c>length</c> bytes of JSON-ish filler, produced on demand and counting what was read.</summary>
    private sealed class EndlessContent(long? length, long limit = long.MaxValue) : HttpContent
    {
        public long Written { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            var total = Math.Min(length ?? limit, limit);
            try
            {
                while (Written < total)
                {
                    var n = (int)Math.Min(chunk.Length, total - Written);
                    await stream.WriteAsync(chunk.AsMemory(0, n));
                    Written += n;
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The server stopped reading: exactly what a limit should do.
            }
        }

        protected override bool TryComputeLength(out long result)
        {
            result = length ?? 0;
            return length is not null;
        }
    }
}
