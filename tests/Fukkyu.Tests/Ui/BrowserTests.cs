using Fukkyu.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Fukkyu.Tests.Ui;

/// <summary>A real browser (Debian's Chromium driven by Playwright) against a real Kestrel server.</summary>
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    internal static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(Chromium))
        {
            Assert.False(Stores.InCi, "Chromium is not installed in CI (.ci/run installs the chromium package).");
            Assert.Skip("Chromium is not installed on this machine (apt-get install chromium).");
        }
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Running as root without a sandbox; no background traffic on a closed network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    [Fact]
    public async Task AnOperatorSignsInDeclaresAnIncidentAndSeesItOnTheIncidentPage()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, kestrel: true);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { Locale = "en-US" });

        await page.GotoAsync(app.BaseUrl + "/ops/incidents/new?lang=en");
        Assert.Contains("/ops/signin", page.Url);
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", FukkyuApp.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/ops/incidents/new*");

        await page.FillAsync("#title", "BTC deposits not credited");
        await page.SelectOptionAsync("#category", "Deposit");
        await page.SelectOptionAsync("#scope", "Many");
        await page.FillAsync("#recovery", "60");
        await page.CheckAsync("input[name=componentKeys][value='deposit.btc.bitcoin']");
        await page.FillAsync("#rname", "Tanaka");
        await page.ClickAsync("button.primary");
        await page.WaitForURLAsync("**/ops/incidents/INC-*");

        Assert.Equal("BTC deposits not credited", await page.TextContentAsync("h1"));
        Assert.Contains("Level 2", await page.TextContentAsync(".badges"));
        Assert.Contains("many users affected", await page.TextContentAsync(".level-reason"));
        Assert.Contains("BTC deposits (Bitcoin)", await page.TextContentAsync("ul.components"));
        Assert.Contains("Declared", await page.TextContentAsync("ol.timeline"));

        await page.ClickAsync("button[name=to][value=triaging]");
        await page.WaitForSelectorAsync(".status-triaging");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "fukkyu-incident-page.png"), FullPage = true });
    }
}
