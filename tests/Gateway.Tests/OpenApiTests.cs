using System.Net;
using System.Text.RegularExpressions;
using Clarity.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Clarity.Gateway.Tests;

/// <summary>The OpenAPI document describes exactly API.md's routes that the gateway serves, with their status codes.</summary>
public sealed partial class OpenApiTests(ITestOutputHelper output)
{
    private static (string Method, string Path) Key(string method, string path) => (method.ToUpperInvariant(), path.TrimEnd('/'));

    /// <summary>The /v1 routes this gateway serves, from its own endpoint table.</summary>
    private static HashSet<(string, string)> Served(ClarityApp app) =>
    [
        .. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => Key(m, e.RoutePattern.RawText!))),
    ];

    [Fact]
    public async Task The_document_lists_every_served_route_of_api_md_with_its_status_codes_and_nothing_else()
    {
        await using var app = new ClarityApp();
        var document = await (await app.Client(token: null).GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);
        var served = Served(app);
        var paths = document["paths"]!.AsObject();

        var documented = paths.SelectMany(p => p.Value!.AsObject().Select(m => Key(m.Key, p.Key))).ToHashSet();
        var contract = ApiRoutes.All.ToDictionary(r => Key(r.Method, r.Path));

        Assert.Subset(contract.Keys.ToHashSet(), documented);
        Assert.Equal(served.Order(), documented.Order());
        foreach (var route in ApiRoutes.All)
        {
            if (!served.Contains(Key(route.Method, route.Path)))
            {
                output.WriteLine($"not served yet: {route.Method} {route.Path}");
                continue;
            }
            var operation = paths[route.Path]![route.Method.ToLowerInvariant()]!;
            var statuses = operation["responses"]!.AsObject().Select(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            var expected = route.Statuses.Concat(ApiRoutes.Shared).Concat(route.HasBody ? ApiRoutes.WithBody : []).ToHashSet();
            // Every code API.md gives the route is documented, and nothing else except 400 (any input can be invalid).
            var extra = statuses.Except(expected).Except([400]).ToList();
            Assert.True(statuses.IsSupersetOf(expected) && extra.Count == 0,
                $"{route.Method} {route.Path}: documented [{string.Join(",", statuses.Order())}], API.md [{string.Join(",", expected.Order())}]");
            Assert.False(string.IsNullOrWhiteSpace(operation["operationId"]?.GetValue<string>()), $"{route.Method} {route.Path} has no operationId");
            Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{route.Method} {route.Path} has no summary");
            foreach (var error in statuses.Where(s => s >= 400 && s != 404))
            {
                var content = operation["responses"]![error.ToString(System.Globalization.CultureInfo.InvariantCulture)]!["content"]?.AsObject();
                Assert.True(content?.ContainsKey("application/problem+json") == true, $"{route.Method} {route.Path} {error} is not a problem+json response");
            }
            output.WriteLine($"served and documented: {route.Method} {route.Path} [{string.Join(",", statuses.Order())}]");
        }
    }

    [Fact]
    public async Task The_document_carries_api_md_examples_and_bearer_auth()
    {
        await using var app = new ClarityApp();
        var document = await (await app.Client(token: null).GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);

        var ingest = document["paths"]!["/v1/signals"]!["post"]!;
        var example = ingest["requestBody"]!["content"]!["application/json"]!["example"]!;
        Assert.Equal("purchase", example["signals"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(1, ingest["responses"]!["200"]!["content"]!["application/json"]!["example"]!["accepted"]!.GetValue<int>());
        var rerank = document["paths"]!["/v1/users/{userId}/rerank"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["example"]!;
        Assert.NotEmpty(rerank["items"]![0]!["reasons"]!.AsArray());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
        Assert.NotEmpty(document["security"]!.AsArray());
    }

    [Fact]
    public async Task The_reference_page_is_served_from_the_gateway_with_no_external_resources()
    {
        await using var app = new ClarityApp();
        var client = app.Client(token: null);

        var page = await client.GetAsync("/openapi/");
        var html = await page.Content.ReadAsStringAsync();
        var script = await client.GetAsync("/openapi/reference.js");
        var js = await script.Content.ReadAsStringAsync();

        Assert.True(page.StatusCode == HttpStatusCode.OK, html);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("/openapi/v1.json", js, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", Assert.Single(page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        // Every src/href is same-origin; nothing is fetched from anywhere else.
        var references = ResourceReference().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.StartsWith("/", r, StringComparison.Ordinal));
        Assert.DoesNotContain("http://", js, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", js, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", js, StringComparison.Ordinal);
    }

    [GeneratedRegex("(?:src|href)=\"([^\"]*)\"")]
    private static partial Regex ResourceReference();
}
