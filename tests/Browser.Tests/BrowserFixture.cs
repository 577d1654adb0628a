using Microsoft.Playwright;

namespace Clarity.Browser.Tests;

/// <summary>
/// One headless Chromium for the collection: Debian's package (browser downloads cannot work in CI),
/// driven by Playwright. <c>CLARITY_CHROMIUM</c> overrides where it is.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("CLARITY_CHROMIUM") ?? DefaultChromium;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium is not at {executable}: run ./test.sh (it installs the 'chromium' package) or set CLARITY_CHROMIUM.");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
