using System.Text.RegularExpressions;
using Fukkyu.Tests.Detection;
using Fukkyu.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Fukkyu.Tests.Monitoring.MonitorKit;

namespace Fukkyu.Tests.Monitoring;

/// <summary>What an operator does with monitors in the UI, without JavaScript.</summary>
public sealed class MonitorPagesTests
{
    [Fact]
    public async Task ResponderCreatesChecksEditsAndPausesAMonitorInTheUi()
    {
        await using var sim = await Sim.StartAsync();
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, new FakeTimeProvider(DateTimeOffset.UtcNow));
        await LeaderAsync(app.Admin());
        var responder = await app.UserAsync("responder");
        var ops = await OpsSession.SignInAsync(app, responder.UserName, "password-" + responder.UserName, language: "ja");

        var picker = await ops.GetAsync("/ops/monitors/new");
        Assert.Contains("/ops/monitors/new?kind=height-lag", picker);
        var refused = await ops.PostFormAsync("/ops/monitors/new?kind=threshold", "monitor", new() { ["name"] = "BTC hot wallet", ["s.url"] = sim.Url + "/v1/wallets/hot/btc", ["s.jsonPath"] = "$.data.balance" });
        Assert.Contains("settings.min", refused); // no band: refused with the field named
        var page = await ops.PostFormAsync("/ops/monitors/new?kind=threshold", "monitor", new()
        {
            ["name"] = "BTC hot wallet", ["component"] = "security.wallet", ["intervalSeconds"] = "30", ["failureThreshold"] = "1", ["recoveryThreshold"] = "1",
            ["severity"] = "critical", ["downStatus"] = "major_outage", ["s.url"] = sim.Url + "/v1/wallets/hot/btc", ["s.jsonPath"] = "$.data.balance", ["s.min"] = "10",
        });
        var id = Regex.Match(page, @"/ops/monitors/([0-9a-f-]{36})/edit").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Contains("BTC hot wallet", page);

        var checkedPage = await ops.PostFormAsync($"/ops/monitors/{id}", "check", []);
        Assert.Contains("確認成功", checkedPage);
        Assert.Contains("$.data.balance = 25", checkedPage);

        var edited = await ops.PostFormAsync($"/ops/monitors/{id}/edit", "monitor", new()
        {
            ["name"] = "BTC hot wallet <band>", ["component"] = "security.wallet", ["intervalSeconds"] = "30", ["failureThreshold"] = "1", ["recoveryThreshold"] = "1",
            ["severity"] = "critical", ["downStatus"] = "major_outage", ["s.url"] = sim.Url + "/v1/wallets/hot/btc", ["s.jsonPath"] = "$.data.balance", ["s.min"] = "30",
        });
        Assert.Contains("BTC hot wallet &lt;band&gt;", edited);
        var failing = await ops.PostFormAsync($"/ops/monitors/{id}", "check", []);
        Assert.Contains("below 30", failing);

        var paused = await ops.PostFormAsync($"/ops/monitors/{id}", "toggle", []);
        Assert.Contains("一時停止", paused);
        var list = await ops.GetAsync("/ops/monitors?paused=true");
        Assert.Contains("BTC hot wallet &lt;band&gt;", list);
    }

    [Fact]
    public async Task HeartbeatCreatedInTheUiShowsItsPushUrlOnce()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var ops = await OpsSession.SignInAsync(app);

        var page = await ops.PostFormAsync("/ops/monitors/new?kind=heartbeat", "monitor", new() { ["name"] = "Cold wallet signer", ["s.graceSeconds"] = "300" });

        var url = Regex.Match(page, @"<code class=""secret"">([^<]+/heartbeat/[0-9a-f]{32})</code>").Groups[1].Value;
        Assert.NotEmpty(url);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.Anonymous().PostAsync(new Uri(url).PathAndQuery, null)).StatusCode);
        var id = Regex.Match(page, @"/ops/monitors/([0-9a-f-]{36})").Groups[1].Value;
        Assert.DoesNotContain("/heartbeat/", await ops.GetAsync($"/ops/monitors/{id}"));
    }
}
