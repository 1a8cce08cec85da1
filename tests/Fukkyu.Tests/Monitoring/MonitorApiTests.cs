using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Fukkyu.Tests.Alerts.AlertKit;
using static Fukkyu.Tests.Monitoring.MonitorKit;

namespace Fukkyu.Tests.Monitoring;

/// <summary>Monitors through the API: definitions, flap control, alerts, incidents and component status.</summary>
public sealed class MonitorApiTests
{
    private static FakeTimeProvider Clock() => new(DateTimeOffset.UtcNow);

    private static object StatusMonitor(Sim sim, string pair = "btc_jpy", string component = "trading.btc_jpy") => new
    {
        name = $"{pair} trading status",
        kind = "http",
        componentId = component,
        intervalSeconds = 60,
        failureThreshold = 3,
        recoveryThreshold = 2,
        settings = new { url = sim.Url + "/v1/spot/status", jsonPath = $"$.data.statuses[?(@.pair=='{pair}')].status", expect = new[] { "NORMAL", "BUSY" } },
    };

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task HaltedPairGoesDownAfterThreeFailuresOpensAnIncidentAndComesBackAfterTwo(Store store)
    {
        await using var sim = await Sim.StartAsync();
        await using var app = await FukkyuApp.StartAsync(store, Clock());
        var admin = app.Admin();
        await LeaderAsync(admin);
        var id = (await CreateAsync(admin, StatusMonitor(sim))).GetProperty("id").GetString()!;
        Assert.Equal(1, await CheckUntilAsync(admin, id, "up"));

        await sim.InjectAsync(new { type = "halt", pair = "btc_jpy" });
        var first = await CheckAsync(admin, id);
        Assert.False(first.GetProperty("up").GetBoolean());
        Assert.Equal("assertion", first.GetProperty("failure").GetString());
        Assert.Contains("HALT", first.GetProperty("message").GetString());
        Assert.Equal("up", first.GetProperty("state").GetString()); // one failure is not an outage
        Assert.Equal(2, await CheckUntilAsync(admin, id, "down"));

        var alert = (await RoutedAsync(admin, expected: 1))[0];
        Assert.Equal("monitor", alert.GetProperty("origin").GetString());
        Assert.Equal("opened", alert.GetProperty("outcome").GetString());
        var incident = await admin.GetJson($"/api/v1/incidents/{alert.GetProperty("incident").GetProperty("number").GetString()}");
        var monitor = await admin.GetJson($"/api/v1/monitors/{id}");
        Assert.Equal(monitor.GetProperty("firstFailureAt").GetDateTime(), incident.GetProperty("detectedAt").GetDateTime());
        Assert.Equal("monitoring", incident.GetProperty("reporter").GetProperty("channel").GetString());
        Assert.Equal("major_outage", (await admin.GetJson("/api/v1/components/trading.btc_jpy")).GetProperty("status").GetString());

        await sim.ClearAsync();
        Assert.Equal(2, await CheckUntilAsync(admin, id, "up"));
        await EventuallyAsync(() => admin.GetJson("/api/v1/components/trading.btc_jpy"), c => c.GetProperty("status").GetString() == "operational", "the component to recover");
        await EventuallyAsync(() => AlertsAsync(admin), a => a[0].GetProperty("status").GetString() == "resolved" && a[0].GetProperty("routed").GetBoolean(), "the alert to resolve");
        Assert.Equal("detected", (await admin.GetJson($"/api/v1/incidents/{incident.GetProperty("id").GetString()}")).GetProperty("status").GetString());
        var changes = await EventuallyAsync(() => admin.GetJson($"/api/v1/monitors/{id}/state-changes"), c => c.GetArrayLength() == 3, "three state changes");
        Assert.Equal(["up", "down", "up"], changes.EnumerateArray().Reverse().Select(c => c.GetProperty("to").GetString()!).ToArray());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AStatusAPersonSetIsNotClobberedByMonitoring(Store store)
    {
        await using var sim = await Sim.StartAsync();
        await using var app = await FukkyuApp.StartAsync(store, Clock());
        var admin = app.Admin();
        await LeaderAsync(admin);
        var componentId = (await admin.GetJson("/api/v1/components/trading.eth_jpy")).GetProperty("id").GetString();
        var id = (await CreateAsync(admin, StatusMonitor(sim, "eth_jpy", "trading.eth_jpy"))).GetProperty("id").GetString()!;
        await CheckUntilAsync(admin, id, "up");

        var set = await admin.PatchAsJsonAsync($"/api/v1/components/{componentId}", new { status = "degraded_performance" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await sim.InjectAsync(new { type = "halt", pair = "eth_jpy" });
        await CheckUntilAsync(admin, id, "down");
        await sim.ClearAsync();
        await CheckUntilAsync(admin, id, "up");

        // Neither the outage nor the recovery touched what the person set.
        Assert.Equal("degraded_performance", (await admin.GetJson("/api/v1/components/trading.eth_jpy")).GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task PausedMonitorIsNotScheduledAndNoLongerCountsForItsComponent(Store store)
    {
        await using var sim = await Sim.StartAsync();
        await using var app = await FukkyuApp.StartAsync(store, Clock());
        var admin = app.Admin();
        await LeaderAsync(admin);
        var id = (await CreateAsync(admin, StatusMonitor(sim, "xrp_jpy", "trading.xrp_jpy"))).GetProperty("id").GetString()!;
        await sim.InjectAsync(new { type = "halt", pair = "xrp_jpy" });
        await CheckUntilAsync(admin, id, "down");
        await EventuallyAsync(() => admin.GetJson("/api/v1/components/trading.xrp_jpy"), c => c.GetProperty("status").GetString() == "major_outage", "the outage");

        var paused = await admin.PostJson($"/api/v1/monitors/{id}/pause", new { reason = "known issue" });

        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal("Administrator", paused.GetProperty("pausedBy").GetString());
        Assert.False((await CheckAsync(admin, id)).GetProperty("recorded").GetBoolean());
        Assert.Equal("operational", (await admin.GetJson("/api/v1/components/trading.xrp_jpy")).GetProperty("status").GetString());
        var resumed = await admin.PostJson($"/api/v1/monitors/{id}/resume", new { });
        Assert.False(resumed.GetProperty("paused").GetBoolean());
    }

    public static TheoryData<string, string> BadMonitors => new()
    {
        { """{"name":"x","kind":"http","settings":{}}""", "settings.url" },
        { """{"name":"x","kind":"http","settings":{"url":"ftp://a/b"}}""", "settings.url" },
        { """{"name":"x","kind":"http","intervalSeconds":1,"timeoutMs":5000,"settings":{"url":"http://127.0.0.1/"}}""", "timeoutMs" },
        { """{"name":"x","kind":"http","intervalSeconds":0,"settings":{"url":"http://127.0.0.1/"}}""", "intervalSeconds" },
        { """{"name":"x","kind":"http","settings":{"url":"http://127.0.0.1/","jsonPath":"data.x"}}""", "settings.jsonPath" },
        { """{"name":"x","kind":"threshold","settings":{"url":"http://127.0.0.1/","jsonPath":"$.a"}}""", "settings.min" },
        { """{"name":"x","kind":"freshness","settings":{"url":"http://127.0.0.1/","jsonPath":"$.a","mode":"vibes","maxAgeSeconds":5}}""", "settings.mode" },
        { """{"name":"x","kind":"sql","settings":{"connection":"ledger","query":"select 1","min":0}}""", "settings.connection" },
        { """{"name":"x","kind":"tcp","settings":{"host":"127.0.0.1"}}""", "settings.port" },
        { """{"name":"x","kind":"height-lag","settings":{"url":"http://127.0.0.1/","jsonPath":"$.h","referenceUrl":"http://127.0.0.1/r"}}""", "settings.maxLag" },
        { """{"name":"x","kind":"http","componentId":"no.such","settings":{"url":"http://127.0.0.1/"}}""", "componentId" },
        { """{"name":"x","kind":"http","downStatus":"operational","settings":{"url":"http://127.0.0.1/"}}""", "downStatus" },
        { """{"name":"x","kind":"telepathy"}""", "kind" },
        { """{"kind":"dns","settings":{"host":"localhost"}}""", "name" },
    };

    [Theory]
    [MemberData(nameof(BadMonitors))]
    public async Task InvalidMonitorsAre400NamingTheFieldAndStoreNothing(string json, string field)
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, Clock());
        var admin = app.Admin();

        var response = await admin.PostAsync("/api/v1/monitors", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.GetRawText());
        Assert.Equal(0, (await admin.GetJson("/api/v1/monitors")).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task KindCannotChangeButTheRestCan(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, Clock());
        var admin = app.Admin();
        var created = await CreateAsync(admin, new { name = "Website", kind = "http", settings = new { url = "http://127.0.0.1:18199/" } });
        var id = created.GetProperty("id").GetString();
        Assert.Equal(60, created.GetProperty("intervalSeconds").GetInt32());
        Assert.Equal(5000, created.GetProperty("timeoutMs").GetInt32());
        Assert.Equal("unknown", created.GetProperty("state").GetString());

        var kind = await admin.PatchAsJsonAsync($"/api/v1/monitors/{id}", new { kind = "tcp" });
        var patched = await admin.PatchAsJsonAsync($"/api/v1/monitors/{id}", new { name = "Website (JP)", intervalSeconds = 10, componentId = "web.site" });

        Assert.Equal(HttpStatusCode.BadRequest, kind.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = await patched.Json();
        Assert.Equal("Website (JP)", after.GetProperty("name").GetString());
        Assert.Equal(10, after.GetProperty("intervalSeconds").GetInt32());
        Assert.Equal("web.site", after.GetProperty("componentKey").GetString());
        Assert.Equal("http://127.0.0.1:18199/", after.GetProperty("settings").GetProperty("url").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task HeartbeatMonitorIsUpWhileBeatsArriveAndDownWhenTheyStop(Store store)
    {
        var clock = Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock);
        var admin = app.Admin();
        await LeaderAsync(admin);
        var created = await CreateAsync(admin, new { name = "Withdrawal batch job", kind = "heartbeat", componentId = "withdrawal.btc.bitcoin", intervalSeconds = 30, failureThreshold = 1, settings = new { graceSeconds = 120 } });
        var id = created.GetProperty("id").GetString()!;
        var url = created.GetProperty("heartbeatUrl").GetString()!;
        Assert.Matches("/heartbeat/[0-9a-f]{32}$", url);
        Assert.Equal(JsonValueKind.Null, (await admin.GetJson($"/api/v1/monitors/{id}")).GetProperty("heartbeatUrl").ValueKind);

        var beat = await app.Anonymous().PostAsync(new Uri(url).PathAndQuery, null);
        Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        Assert.Equal(1, await CheckUntilAsync(admin, id, "up"));

        clock.Advance(TimeSpan.FromSeconds(121));
        var late = await CheckAsync(admin, id);
        Assert.Equal("no_heartbeat", late.GetProperty("failure").GetString());
        Assert.Equal("down", late.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await app.Anonymous().GetAsync("/heartbeat/" + new string('0', 32))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Anonymous().GetAsync("/heartbeat/not-a-token")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task FinishedMinutesBecomeHistoryAndRawSamples(Store store)
    {
        var clock = Clock();
        await using var sim = await Sim.StartAsync();
        await using var app = await FukkyuApp.StartAsync(store, clock);
        var admin = app.Admin();
        await LeaderAsync(admin);
        var id = (await CreateAsync(admin, StatusMonitor(sim))).GetProperty("id").GetString()!;
        for (var i = 0; i < 4; i++)
        {
            await CheckAsync(admin, id);
        }
        await sim.InjectAsync(new { type = "halt", pair = "btc_jpy" });
        await CheckAsync(admin, id);

        // The minute closes and the next flush writes it with its hour.
        clock.Advance(TimeSpan.FromSeconds(70));
        var history = await EventuallyAsync(() => admin.GetJson($"/api/v1/monitors/{id}/history?granularity=minute"), h => h.GetArrayLength() > 0, "the minute to be written");
        var hours = await admin.GetJson($"/api/v1/monitors/{id}/history?granularity=hour");
        var samples = await admin.GetJson($"/api/v1/monitors/{id}/samples");

        Assert.Equal(5, history.EnumerateArray().Sum(p => p.GetProperty("checks").GetInt32()));
        Assert.Equal(1, history.EnumerateArray().Sum(p => p.GetProperty("failures").GetInt32()));
        Assert.Equal(5, hours.EnumerateArray().Sum(p => p.GetProperty("checks").GetInt32()));
        Assert.Equal(5, samples.GetArrayLength());
        Assert.Equal(["assertion"], samples.EnumerateArray().Where(s => !s.GetProperty("up").GetBoolean()).Select(s => s.GetProperty("failure").GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/v1/monitors/{id}/history?granularity=second")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task MonitorsFileUpsertsByKeyAndPrunesItsOwn(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, Clock());
        var admin = app.Admin();
        var manual = await CreateAsync(admin, new { name = "Hand-made", key = "manual", kind = "dns", settings = new { host = "localhost" } });
        var doc = new
        {
            monitors = new object[]
            {
                new { key = "site", name = "Website", kind = "http", componentId = "web.site", intervalSeconds = 30, settings = new { url = "http://127.0.0.1:18199/" } },
                new { key = "btc-node", name = "bitcoind height", kind = "height-lag", componentId = "deposit.btc.bitcoin", settings = new { url = "http://127.0.0.1:18199/v1/nodes/bitcoin", jsonPath = "$.data.height", referenceUrl = "http://127.0.0.1:18199/v1/reference/bitcoin", maxLag = 3 } },
            },
        };

        var first = await admin.PostJson("/api/v1/monitors/import", doc);
        Assert.Equal(2, first.GetProperty("created").GetInt32());
        var again = await admin.PostJson("/api/v1/monitors/import?prune=true", new { monitors = new object[] { new { key = "site", name = "Website (renamed)", kind = "http", settings = new { url = "http://127.0.0.1:18199/" } } } });
        Assert.Equal(1, again.GetProperty("updated").GetInt32());
        Assert.Equal(1, again.GetProperty("removed").GetInt32());

        var all = (await admin.GetJson("/api/v1/monitors")).EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!);
        Assert.Equal(["manual", "site"], all.Keys.Order().ToArray());
        Assert.Equal("Website (renamed)", all["site"].GetProperty("name").GetString());
        Assert.Equal("file", all["site"].GetProperty("managedBy").GetString());
        Assert.Equal(60, all["site"].GetProperty("intervalSeconds").GetInt32()); // left out: the default
        Assert.Equal(manual.GetProperty("id").GetString(), all["manual"].GetProperty("id").GetString());

        var bad = await admin.PostAsync("/api/v1/monitors/import", Json("""{"monitors":[{"name":"no key","kind":"dns","settings":{"host":"a"}},{"key":"k","name":"x","kind":"http","settings":{}}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("monitors[0].key", out _));
        Assert.True(errors.TryGetProperty("monitors[1].settings.url", out _));
    }
}
