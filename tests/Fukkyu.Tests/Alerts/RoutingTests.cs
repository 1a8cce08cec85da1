using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Fukkyu.Tests.Alerts.AlertKit;

namespace Fukkyu.Tests.Alerts;

/// <summary>Routing rules: record only, open an incident, attach to the component's open incident.</summary>
public sealed class RoutingTests
{
    private static async Task<JsonElement> IncidentsAsync(HttpClient admin) => await admin.GetJson("/api/v1/incidents");

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task CriticalAlertOpensAnIncidentDetectedAtTheFirstFailure(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin, name: "Prometheus prod");
        var firstFailure = DateTime.UtcNow.AddMinutes(-4);
        firstFailure = new DateTime(firstFailure.Ticks - firstFailure.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

        var r = await EnqueueAsync(app.Anonymous(), Trigger(key, "btc-halt", summary: "BTC/JPY trading halted", component: "trading.btc_jpy",
            timestamp: firstFailure.ToString("O")));
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);

        var alert = (await RoutedAsync(admin))[0];
        Assert.Equal("opened", alert.GetProperty("outcome").GetString());
        var number = alert.GetProperty("incident").GetProperty("number").GetString()!;
        var incident = await admin.GetJson($"/api/v1/incidents/{number}");
        Assert.Equal("BTC/JPY trading halted", incident.GetProperty("title").GetString());
        Assert.Equal("trading", incident.GetProperty("category").GetString());
        Assert.Equal(2, incident.GetProperty("level").GetInt32()); // trading is a main function
        Assert.Equal("monitoring", incident.GetProperty("reporter").GetProperty("channel").GetString());
        Assert.Equal("Prometheus prod", incident.GetProperty("reporter").GetProperty("name").GetString());
        Assert.Equal(firstFailure, incident.GetProperty("detectedAt").GetDateTime().ToUniversalTime());
        Assert.Equal("trading.btc_jpy", incident.GetProperty("components")[0].GetProperty("key").GetString());
        var timeline = await admin.GetJson($"/api/v1/incidents/{number}/timeline");
        Assert.Equal(["declared", "alert_attached"], timeline.EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToArray());
        Assert.Equal("integration:Prometheus prod", timeline[1].GetProperty("actor").GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ResolvedAlertGoesOnTheTimelineButTheIncidentStaysOpen(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        await EnqueueAsync(sender, Trigger(key, "site", summary: "Website unreachable", component: "web.site"));
        var number = (await RoutedAsync(admin))[0].GetProperty("incident").GetProperty("number").GetString()!;

        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Action(key, "resolve", "site"))).StatusCode);

        var timeline = await EventuallyAsync(() => admin.GetJson($"/api/v1/incidents/{number}/timeline"),
            t => t.EnumerateArray().Any(e => e.GetProperty("kind").GetString() == "alert_resolved"), "the resolution on the timeline");
        Assert.Contains("resolved", timeline.EnumerateArray().Last().GetProperty("summary").GetString());
        var incident = await admin.GetJson($"/api/v1/incidents/{number}");
        Assert.Equal("detected", incident.GetProperty("status").GetString());
        Assert.True((await admin.GetJson($"/api/v1/incidents/{number}/timeline/verify")).GetProperty("valid").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SecondAlertOnTheSameComponentAttachesToItsOpenIncident(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        await EnqueueAsync(sender, Trigger(key, "a", summary: "ETH withdrawals delayed", component: "withdrawal.eth.ethereum"));
        await RoutedAsync(admin, expected: 1);

        await EnqueueAsync(sender, Trigger(key, "b", summary: "ETH withdrawal queue over 500", severity: "error", component: "withdrawal.eth.ethereum"));

        var alerts = await RoutedAsync(admin, expected: 2);
        Assert.Single(alerts.EnumerateArray().Select(a => a.GetProperty("incident").GetProperty("id").GetString()).Distinct());
        Assert.Contains(alerts.EnumerateArray(), a => a.GetProperty("outcome").GetString() == "attached");
        Assert.Equal(1, (await IncidentsAsync(admin)).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AttachRuleNeedsTheComponentsOwnOpenIncident(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        await admin.PostJson("/api/v1/routing-rules", new { name = "API errors join the web incident", componentId = "api.public", action = "attach", componentImpact = "partial_outage" }, HttpStatusCode.Created);
        await EnqueueAsync(sender, Trigger(key, "web", summary: "Website 5xx", component: "web.site"));
        var number = (await RoutedAsync(admin, expected: 1))[0].GetProperty("incident").GetProperty("number").GetString()!;
        // Attach needs the component's own open incident; the public API has none yet.
        await EnqueueAsync(sender, Trigger(key, "api", summary: "Public API 5xx", component: "api.public"));
        var api = (await RoutedAsync(admin, expected: 2)).EnumerateArray().Single(a => a.GetProperty("dedupKey").GetString() == "api");
        Assert.Equal("no_open_incident", api.GetProperty("outcome").GetString());

        await admin.PatchAsJsonAsync($"/api/v1/incidents/{number}", new { components = new[] { new { id = "web.site" }, new { id = "api.public" } } });
        await EnqueueAsync(sender, Action(key, "resolve", "api"));
        await EnqueueAsync(sender, Trigger(key, "api", summary: "Public API 5xx again", component: "api.public"));

        var again = (await RoutedAsync(admin, expected: 3)).EnumerateArray().Single(a => a.GetProperty("status").GetString() == "triggered" && a.GetProperty("dedupKey").GetString() == "api");
        Assert.Equal("attached", again.GetProperty("outcome").GetString());
        Assert.Equal(number, again.GetProperty("incident").GetProperty("number").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RecordRuleMatchingLabelsKeepsTheAlertWithoutAnIncident(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (integration, key) = await IntegrationAsync(admin, "alertmanager", component: "database.core");
        var rule = await admin.PostJson("/api/v1/routing-rules",
            new { name = "Staging is noise", position = 1, sourceId = integration, labels = new Dictionary<string, string> { ["env"] = "staging" }, action = "record" },
            HttpStatusCode.Created);
        var client = app.Client(key);

        var response = await client.PostAsync("/api/v1/integrations/alertmanager", Json("""
            {"version":"4","status":"firing","receiver":"fukkyu","groupKey":"{}:{alertname=\"DiskFull\"}","alerts":[
              {"status":"firing","labels":{"alertname":"DiskFull","env":"staging","severity":"critical"},"annotations":{"summary":"Disk full on db-stg-1"},
               "startsAt":"2026-11-23T05:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"aa11"},
              {"status":"firing","labels":{"alertname":"DiskFull","env":"prod","severity":"critical"},"annotations":{"summary":"Disk full on db-prod-1"},
               "startsAt":"2026-11-23T05:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"bb22"}]}
            """));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var alerts = (await RoutedAsync(admin, expected: 2)).EnumerateArray().ToDictionary(a => a.GetProperty("dedupKey").GetString()!);
        Assert.Equal("recorded", alerts["aa11"].GetProperty("outcome").GetString());
        Assert.Equal(rule.GetProperty("id").GetString(), alerts["aa11"].GetProperty("ruleId").GetString());
        Assert.Equal(JsonValueKind.Null, alerts["aa11"].GetProperty("incident").ValueKind);
        Assert.Equal("opened", alerts["bb22"].GetProperty("outcome").GetString());
        Assert.Equal("database", (await IncidentsAsync(admin))[0].GetProperty("category").GetString());
        // The recorded alert was written routed by the fold; the router, which moves the version
        // of every alert it writes, had nothing to do for it. The opened one went through it.
        var versions = await app.WithDbAsync(db => db.Alerts.ToDictionaryAsync(a => a.DedupKey, a => a.Version));
        Assert.Equal(0, versions["aa11"]);
        Assert.True(versions["bb22"] > 0);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WarningsWithoutARuleAreRecordedAndAlertsWithoutAComponentOpenNothing(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();

        await EnqueueAsync(sender, Trigger(key, "warn", severity: "warning", component: "trading.eth_jpy"));
        await EnqueueAsync(sender, Trigger(key, "nocomp", severity: "critical", component: "no.such.component"));

        var alerts = (await RoutedAsync(admin, expected: 2)).EnumerateArray().ToDictionary(a => a.GetProperty("dedupKey").GetString()!);
        Assert.Equal("recorded", alerts["warn"].GetProperty("outcome").GetString());
        Assert.Equal("no_component", alerts["nocomp"].GetProperty("outcome").GetString());
        Assert.Equal(0, (await IncidentsAsync(admin)).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RuleImpactScopeDecidesTheLevel(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        await admin.PostJson("/api/v1/routing-rules", new { name = "Whole site down is level 3", componentId = "web.site", minSeverity = "critical", action = "open_incident", impactScope = "all" }, HttpStatusCode.Created);

        await EnqueueAsync(app.Anonymous(), Trigger(key, "site", summary: "Website down everywhere", component: "web.site"));

        var number = (await RoutedAsync(admin, expected: 1))[0].GetProperty("incident").GetProperty("number").GetString();
        var incident = await admin.GetJson($"/api/v1/incidents/{number}");
        Assert.Equal(3, incident.GetProperty("level").GetInt32());
        Assert.Equal("scope-all", incident.GetProperty("levelRule").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AFlappingAlertStaysOffTheTimelineUntilItSettles(Store store)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FukkyuApp.StartAsync(store, clock);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        async Task<int> Entries(string n) => (await admin.GetJson($"/api/v1/incidents/{n}/timeline")).GetArrayLength();

        await EnqueueAsync(sender, Trigger(key, "flappy", summary: "Website flapping", component: "web.site"));
        var number = (await RoutedAsync(admin, expected: 1))[0].GetProperty("incident").GetProperty("number").GetString()!;
        await EnqueueAsync(sender, Action(key, "resolve", "flappy"));
        await EventuallyAsync(() => Entries(number), n => n == 3, "declared, attached, resolved");
        await EnqueueAsync(sender, Trigger(key, "flappy", summary: "Website flapping", component: "web.site"));
        await EventuallyAsync(() => Entries(number), n => n == 4, "attached again");
        await EnqueueAsync(sender, Action(key, "resolve", "flappy"));
        await EventuallyAsync(() => Entries(number), n => n == 5, "resolved again");
        for (var i = 0; i < 5; i++)
        {
            await EnqueueAsync(sender, Trigger(key, "flappy", summary: "Website flapping", component: "web.site"));
            await EnqueueAsync(sender, Action(key, "resolve", "flappy"));
        }
        await EnqueueAsync(sender, Trigger(key, "flappy", summary: "Website flapping", component: "web.site"));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Equal(5, await Entries(number)); // flapping: nothing more on the timeline
        Assert.True((await AlertsAsync(admin, "?status=open"))[0].GetProperty("flapping").GetBoolean());

        clock.Advance(TimeSpan.FromMinutes(6));

        await EventuallyAsync(() => Entries(number), n => n == 6, "one entry once it settled");
        var settled = (await AlertsAsync(admin, "?status=open"))[0];
        Assert.False(settled.GetProperty("flapping").GetBoolean());
        Assert.Equal(2, (await AlertsAsync(admin)).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AlertsAreListedWithTheirIncidentAndFilteredByIt(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        await EnqueueAsync(sender, Trigger(key, "one", component: "trading.xrp_jpy"));
        await EnqueueAsync(sender, Trigger(key, "two", severity: "info", component: "trading.xrp_jpy"));
        await RoutedAsync(admin, expected: 2);
        var number = (await IncidentsAsync(admin))[0].GetProperty("number").GetString()!;

        var linked = await admin.GetJson($"/api/v1/alerts?incident={number}");
        var open = await admin.GetJson("/api/v1/alerts?status=open&severity=critical");
        var bad = await admin.GetAsync("/api/v1/alerts?status=sleeping");

        Assert.Equal("one", Assert.Single(linked.EnumerateArray()).GetProperty("dedupKey").GetString()); // info is below the default: recorded only
        Assert.Equal("one", Assert.Single(open.EnumerateArray()).GetProperty("dedupKey").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Json()).GetProperty("errors").TryGetProperty("status", out _));
    }
}
