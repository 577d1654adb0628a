using System.Net;
using System.Text.Json.Nodes;
using Clarity.Gateway.Tests.Infrastructure;
using Microsoft.Playwright;
using static Clarity.Gateway.Tests.Infrastructure.Signals;
using static Microsoft.Playwright.Assertions;

namespace Clarity.Browser.Tests;

/// <summary>The /me page in a real browser against the real gateway, on a phone-sized screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MePageTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Hostile = "<img src=x onerror=alert(1)>";

    private ClarityApp _app = null!;
    private Uri _address = null!;
    private HttpClient _api = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;
    private readonly List<string> _dialogs = [];

    public async Task InitializeAsync()
    {
        (_app, _address) = Gateway.Start();
        _api = Gateway.ApiClient(_address, ClarityApp.DevKey);
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 1,
            AcceptDownloads = true,
        });
        _page = await _context.NewPageAsync();
        _page.Dialog += async (_, dialog) =>
        {
            _dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
    }

    public async Task DisposeAsync()
    {
        await _context.CloseAsync();
        _api.Dispose();
        await _app.DisposeAsync();
    }

    // As a user would arrive: the service issues a short-lived end-user token and links to /me with it.
    private async Task OpenAsync(string user)
    {
        var issued = await (await _api.PostJsonAsync($"/v1/users/{Uri.EscapeDataString(user)}/tokens", new { })).ExpectAsync(HttpStatusCode.OK);
        var token = issued["token"]!.GetValue<string>();
        await _page.GotoAsync(new Uri(_address, $"/me#token={Uri.EscapeDataString(token)}").ToString());
        await Expect(_page.Locator("body[data-ready=true]")).ToHaveCountAsync(1);
    }

    private async Task ScreenshotAsync(string name) =>
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts.Screenshots, name + ".png"), FullPage = true });

    private async Task<JsonNode> RerankAsync(string user, object candidates) =>
        await (await _api.PostJsonAsync($"/v1/users/{user}/rerank", candidates)).ExpectAsync(HttpStatusCode.OK);

    private async Task<JsonNode> SelfModelAsync(string user) =>
        await (await _api.GetAsync($"/v1/users/{user}/self-model")).ExpectAsync(HttpStatusCode.OK);

    private static string[] ReasonIds(JsonNode rerank) =>
        [.. rerank["items"]!.AsArray().SelectMany(i => i!["reasons"]!.AsArray()).Select(r => r!["beliefId"]!.GetValue<string>())];

    private static string[] Order(JsonNode rerank) => [.. rerank["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>())];

    [Fact]
    public async Task Rejecting_a_belief_on_the_page_changes_the_next_rerank()
    {
        await (await _api.PostJsonAsync("/v1/signals", KitchenLover("u-page", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var knives = (await SelfModelAsync("u-page"))["beliefs"]!.AsArray()
            .Single(b => b!["subject"]!.GetValue<string>() == "home/kitchen/knives")!["id"]!.GetValue<string>();
        var before = await RerankAsync("u-page", KitchenCandidates);
        Assert.Contains(knives, ReasonIds(before));

        await OpenAsync("u-page");
        var belief = _page.Locator($"li[data-belief-id='{knives}']");
        await Expect(belief.Locator(".statement")).ToHaveTextAsync("Interested in knives (home, kitchen)");
        await belief.Locator("summary").ClickAsync();
        await Expect(belief.Locator(".trail li")).ToHaveCountAsync(2);
        await Expect(belief.Locator(".trail li").First).ToContainTextAsync("You bought an item on 2026-11-27");
        await belief.GetByRole(AriaRole.Button, new() { Name = "Reject: this is wrong" }).ClickAsync();

        await Expect(_page.Locator("#status")).ToHaveTextAsync("Rejected: Interested in knives (home, kitchen)");
        await Expect(_page.Locator($"li.rejected[data-belief-id='{knives}'] .source")).ToContainTextAsync("You said this is wrong");
        await ScreenshotAsync("me-reject");

        var after = await RerankAsync("u-page", KitchenCandidates);
        Assert.DoesNotContain(knives, ReasonIds(after));
        var knifeBefore = before["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == "knife-1")!["score"]!.GetValue<double>();
        var knifeAfter = after["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == "knife-1")!["score"]!.GetValue<double>();
        Assert.True(knifeAfter < knifeBefore, $"knife-1 scored {knifeAfter} after the rejection, {knifeBefore} before");
    }

    [Fact]
    public async Task Answering_statements_by_keyboard_on_a_new_user_changes_the_next_rerank()
    {
        var candidates = Candidates(
            ("book-1", "books/fiction", 0.90),
            ("garden-1", "garden/tools", 0.89),
            ("knife-1", "home/kitchen/knives", 0.88),
            ("drill-1", "home/diy/drills", 0.87),
            ("toy-1", "toys", 0.10));
        var before = await RerankAsync("u-new", candidates);
        Assert.Equal(["book-1", "garden-1", "knife-1", "drill-1", "toy-1"], Order(before));

        await OpenAsync("u-new");
        await Expect(_page.Locator("#beliefs-empty")).ToBeVisibleAsync();
        foreach (var (statement, answer) in new[] { ("st-cooking", "Yes, that's me"), ("st-diy", "Yes, that's me"), ("st-books", "No") })
        {
            var radio = _page.Locator($"fieldset[data-statement-id='{statement}']").GetByRole(AriaRole.Radio, new() { Name = answer });
            await radio.FocusAsync();
            await _page.Keyboard.PressAsync("Space");
            await Expect(radio).ToBeCheckedAsync();
        }
        await _page.GetByRole(AriaRole.Button, new() { Name = "Save my answers" }).FocusAsync();
        await _page.Keyboard.PressAsync("Enter");

        await Expect(_page.Locator("#status")).ToHaveTextAsync("Saved your answers.");
        await Expect(_page.Locator("#beliefs > li")).ToHaveCountAsync(3);
        await Expect(_page.Locator("#beliefs")).ToContainTextAsync("Not interested in books");
        await ScreenshotAsync("me-statements");

        var after = await RerankAsync("u-new", candidates);
        Assert.Equal(["knife-1", "drill-1", "garden-1", "book-1", "toy-1"], Order(after));
        Assert.Equal(3, ReasonIds(after).Length);
    }

    [Fact]
    public async Task A_hostile_category_name_shows_as_text()
    {
        var signal = Signal("evt-x", "u-hostile", "purchase", Hostile, ClarityApp.Start.AddDays(-1));
        await (await _api.PostJsonAsync("/v1/signals", Batch(signal))).ExpectAsync(HttpStatusCode.OK);

        await OpenAsync("u-hostile");
        // The purchase also makes other beliefs about the same category (e.g. a researcher trait); the
        // affinity is the one whose sentence repeats the category name verbatim.
        var belief = _page.Locator("#beliefs > li").Filter(new() { HasText = $"Interested in {Hostile}" });
        await Expect(belief.Locator(".statement")).ToHaveTextAsync($"Interested in {Hostile}");
        await belief.Locator("summary").ClickAsync();
        await Expect(belief.Locator(".trail li")).ToHaveCountAsync(1);
        await ScreenshotAsync("me-hostile");

        Assert.Equal(0, await _page.Locator("img").CountAsync());
        Assert.Empty(_dialogs);
    }

    [Fact]
    public async Task Erase_after_confirmation_empties_the_page_and_the_api_and_the_export_downloads_first()
    {
        await (await _api.PostJsonAsync("/v1/signals", KitchenLover("u-erase", ClarityApp.Start))).ExpectAsync(HttpStatusCode.OK);
        var stored = (await SelfModelAsync("u-erase"))["beliefs"]!.AsArray().Count;
        Assert.True(stored >= 3);
        await OpenAsync("u-erase");
        await Expect(_page.Locator("#beliefs > li")).ToHaveCountAsync(stored);

        var download = await _page.RunAndWaitForDownloadAsync(() => _page.GetByRole(AriaRole.Button, new() { Name = "Download my data (JSON)" }).ClickAsync());
        var exported = JsonNode.Parse(await File.ReadAllTextAsync(await download.PathAsync()))!;
        Assert.Equal("clarity-export.json", download.SuggestedFilename);
        Assert.Equal("u-erase", exported["userId"]!.GetValue<string>());
        Assert.Equal(3, exported["signalLog"]!.AsArray().Count);

        await _page.GetByRole(AriaRole.Button, new() { Name = "Erase everything…" }).ClickAsync();
        var confirm = _page.GetByRole(AriaRole.Alertdialog);
        await Expect(confirm).ToBeVisibleAsync();
        await Expect(confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await ScreenshotAsync("me-erase-confirm");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Yes, erase everything" }).ClickAsync();

        await Expect(_page.Locator("#status")).ToHaveTextAsync("Everything Clarity stored about you was erased.");
        await Expect(_page.Locator("#beliefs > li")).ToHaveCountAsync(0);
        await Expect(_page.Locator("#beliefs-empty")).ToBeVisibleAsync();
        await ScreenshotAsync("me-erased");

        Assert.Empty((await SelfModelAsync("u-erase"))["beliefs"]!.AsArray());
        var export = await (await _api.GetAsync("/v1/users/u-erase/export")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(export["signalLog"]!.AsArray());
    }
}

/// <summary>Where tests leave files for people to look at: artifacts/ at the repository root.</summary>
internal static class Artifacts
{
    public static string Screenshots { get; } = Create();

    private static string Create()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Clarity.sln")))
        {
            directory = directory.Parent;
        }
        var root = directory?.FullName ?? Directory.GetCurrentDirectory();
        var path = Path.Combine(root, "artifacts", "screenshots");
        Directory.CreateDirectory(path);
        return path;
    }
}
