using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Fukkyu.Tests.Alerts.AlertKit;

namespace Fukkyu.Tests.Alerts;

/// <summary>PagerDuty Events API v2 exactly as REFERENCE §2 describes it, every event_action.</summary>
public sealed class EventsV2Tests
{
    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task IntegrationKeyIsShownOnceAndStoredOnlyHashed(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        var created = await admin.PostJson("/api/v1/integrations", new { name = "Prometheus", type = "events-v2", componentId = "trading.btc_jpy" }, HttpStatusCode.Created);

        var key = created.GetProperty("key").GetString()!;
        Assert.Matches("^[0-9a-z]{32}$", key);
        Assert.EndsWith("/v2/enqueue", created.GetProperty("urls").GetProperty("enqueue").GetString());
        var listed = await admin.GetJson("/api/v1/integrations");
        Assert.Equal("events-v2", listed[0].GetProperty("type").GetString());
        Assert.Equal("trading.btc_jpy", listed[0].GetProperty("componentKey").GetString());
        Assert.False(listed[0].TryGetProperty("key", out _));
        var stored = await app.WithDbAsync(db => db.Integrations.Select(i => i.KeyHash).ToListAsync());
        Assert.Equal([ApiKeyMaterial.Hash(key)], stored);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TriggerIsAnswered202WithPagerDutysBodyAndAGeneratedDedupKey(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();

        // The example event of REFERENCE §2, without a dedup_key.
        var response = await sender.PostAsync("/v2/enqueue", Json($$"""
            {
              "routing_key": "{{key}}",
              "event_action": "trigger",
              "payload": {
                "summary": "BTC/JPY order book sequence stopped advancing",
                "source": "orderbook-watch.tokyo-1",
                "severity": "warning",
                "timestamp": "2026-11-23T05:00:00Z",
                "component": "trading.btc_jpy",
                "group": "matching",
                "class": "stale-book",
                "custom_details": { "lastSequence": 812734, "staleSeconds": 35 }
              },
              "client": "Exchange monitoring",
              "client_url": "https://monitoring.example/btc",
              "links": [{ "href": "https://runbooks.example/stale-book", "text": "Runbook" }],
              "images": [{ "src": "https://grafana.example/render.png", "href": "https://grafana.example/d/x", "alt": "Sequence" }]
            }
            """));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Json();
        Assert.Equal("success", body.GetProperty("status").GetString());
        Assert.Equal("Event processed", body.GetProperty("message").GetString());
        var dedup = body.GetProperty("dedup_key").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", dedup);

        var alert = (await AlertsAsync(admin))[0];
        Assert.Equal(dedup, alert.GetProperty("dedupKey").GetString());
        Assert.Equal("triggered", alert.GetProperty("status").GetString());
        Assert.Equal("warning", alert.GetProperty("severity").GetString());
        Assert.Equal("orderbook-watch.tokyo-1", alert.GetProperty("source").GetString());
        Assert.Equal("trading.btc_jpy", alert.GetProperty("componentKey").GetString());
        Assert.Equal("matching", alert.GetProperty("group").GetString());
        Assert.Equal("stale-book", alert.GetProperty("class").GetString());
        Assert.Equal(812734, alert.GetProperty("details").GetProperty("lastSequence").GetInt32());
        Assert.Equal("Runbook", alert.GetProperty("links")[0].GetProperty("text").GetString());
        Assert.Equal("Sequence", alert.GetProperty("images")[0].GetProperty("alt").GetString());
        Assert.Equal("Exchange monitoring", alert.GetProperty("client").GetString());
        Assert.Equal(new DateTime(2026, 11, 23, 5, 0, 0, DateTimeKind.Utc), alert.GetProperty("startedAt").GetDateTime().ToUniversalTime());
        Assert.Equal(1, alert.GetProperty("count").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EventsWithTheSameDedupKeyApplyToTheSameOpenAlert(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();

        for (var i = 0; i < 5; i++)
        {
            var r = await EnqueueAsync(sender, Trigger(key, "btc-ticker", summary: $"BTC/JPY ticker stale ({i})", severity: "warning", component: "trading.btc_jpy"));
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            Assert.Equal("btc-ticker", (await r.Json()).GetProperty("dedup_key").GetString());
        }

        var alerts = await AlertsAsync(admin);
        var alert = Assert.Single(alerts.EnumerateArray());
        Assert.Equal(5, alert.GetProperty("count").GetInt32());
        Assert.Equal("BTC/JPY ticker stale (4)", alert.GetProperty("summary").GetString());
        Assert.True(alert.GetProperty("lastSeenAt").GetDateTime() >= alert.GetProperty("firstSeenAt").GetDateTime());
    }

    [Fact]
    public async Task TheFastPathAndTheRoutedEndpointAnswerAlike()
    {
        // The canonical path is answered ahead of routing; a trailing slash or another letter
        // case reaches the mapped endpoint. Both must be PagerDuty's answer, byte for byte.
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();

        var answers = new List<(HttpStatusCode Status, string? Type, string Body)>();
        foreach (var path in new[] { "/v2/enqueue", "/v2/enqueue/", "/V2/Enqueue" })
        {
            var accepted = await sender.PostAsJsonAsync(path, Trigger(key, "板-<b>&\"", summary: "日本語の要約"));
            answers.Add((accepted.StatusCode, accepted.Content.Headers.ContentType?.ToString(), await accepted.Content.ReadAsStringAsync()));
            var invalid = await sender.PostAsync(path, Json($$"""{"routing_key":"{{key}}","event_action":"page"}"""));
            answers.Add((invalid.StatusCode, invalid.Content.Headers.ContentType?.ToString(), await invalid.Content.ReadAsStringAsync()));
        }

        Assert.Equal((HttpStatusCode.Accepted, "application/json; charset=utf-8"), (answers[0].Status, answers[0].Type));
        using var first = JsonDocument.Parse(answers[0].Body);
        Assert.Equal("板-<b>&\"", first.RootElement.GetProperty("dedup_key").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, answers[1].Status);
        Assert.Equal([answers[0], answers[1], answers[0], answers[1], answers[0], answers[1]], answers);
        Assert.Equal(3, (await AlertsAsync(admin))[0].GetProperty("count").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AcknowledgeThenResolveMoveTheOpenAlert(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        await EnqueueAsync(sender, Trigger(key, "eth-withdrawals", severity: "info"));

        var ack = await EnqueueAsync(sender, Action(key, "acknowledge", "eth-withdrawals"));
        Assert.Equal(HttpStatusCode.Accepted, ack.StatusCode);
        Assert.Equal("eth-withdrawals", (await ack.Json()).GetProperty("dedup_key").GetString());
        var acked = (await AlertsAsync(admin))[0];
        Assert.Equal("acknowledged", acked.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, acked.GetProperty("acknowledgedAt").ValueKind);

        var resolve = await EnqueueAsync(sender, Action(key, "resolve", "eth-withdrawals"));
        Assert.Equal(HttpStatusCode.Accepted, resolve.StatusCode);
        var resolved = (await AlertsAsync(admin))[0];
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.Equal(3, resolved.GetProperty("count").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AcknowledgeOrResolveWithoutAnOpenAlertIsDropped(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();

        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Action(key, "acknowledge", "never-triggered"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Action(key, "resolve", "never-triggered"))).StatusCode);

        Assert.Equal(0, (await AlertsAsync(admin)).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TriggerAfterResolveOpensANewAlert(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();

        await EnqueueAsync(sender, Trigger(key, "api-5xx", severity: "info"));
        await EnqueueAsync(sender, Action(key, "resolve", "api-5xx"));
        await EnqueueAsync(sender, Trigger(key, "api-5xx", severity: "info"));

        var alerts = (await AlertsAsync(admin)).EnumerateArray().ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Equal(["resolved", "triggered"], alerts.Select(a => a.GetProperty("status").GetString()!).Order().ToArray());
        Assert.All(alerts, a => Assert.Equal("api-5xx", a.GetProperty("dedupKey").GetString()));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AFlappingKeyStopsAddingAlertsAndIsMarked(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();

        for (var i = 0; i < 10; i++)
        {
            await EnqueueAsync(sender, Trigger(key, "flappy", severity: "info"));
            await EnqueueAsync(sender, Action(key, "resolve", "flappy"));
        }
        await EnqueueAsync(sender, Trigger(key, "flappy", severity: "info"));

        // Threshold 4 changes in the window: two full alerts, then the second is reopened each time.
        var alerts = (await AlertsAsync(admin)).EnumerateArray().ToList();
        Assert.Equal(2, alerts.Count);
        var latest = alerts.Single(a => a.GetProperty("status").GetString() == "triggered");
        Assert.True(latest.GetProperty("flapping").GetBoolean());
        Assert.True(latest.GetProperty("count").GetInt32() > 10);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ChangeEventIsRecordedAndAnsweredLikePagerDuty(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (id, key) = await IntegrationAsync(admin);

        var response = await app.Anonymous().PostAsync("/v2/change/enqueue", Json($$"""
            {
              "routing_key": "{{key}}",
              "payload": {
                "summary": "Deployed matching-engine 4.2.1",
                "source": "deploy-bot",
                "timestamp": "2026-11-23T04:30:00Z",
                "custom_details": { "commit": "9f1c2ab" }
              },
              "links": [{ "href": "https://ci.example/9f1c2ab", "text": "Build" }]
            }
            """));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Json();
        Assert.Equal("success", body.GetProperty("status").GetString());
        Assert.Equal("Change event processed", body.GetProperty("message").GetString());
        var changes = await admin.GetJson("/api/v1/change-events");
        var change = Assert.Single(changes.EnumerateArray());
        Assert.Equal(id, change.GetProperty("integrationId").GetString());
        Assert.Equal("Deployed matching-engine 4.2.1", change.GetProperty("summary").GetString());
        Assert.Equal("9f1c2ab", change.GetProperty("details").GetProperty("commit").GetString());
        Assert.Equal(0, (await AlertsAsync(admin)).GetArrayLength());
    }

    public static TheoryData<string, string, string> BadEvents => new()
    {
        { "missing routing_key", """{"event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info"}}""", "'routing_key' is missing or blank" },
        { "short routing_key", """{"routing_key":"abc","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info"}}""", "Length of 'routing_key' is incorrect (should be 32 characters)" },
        { "unknown event_action", """{"routing_key":"KEY","event_action":"escalate","dedup_key":"d"}""", "'event_action' is invalid" },
        { "dedup_key over 255", """{"routing_key":"KEY","event_action":"resolve","dedup_key":"LONG"}""", "'dedup_key' is too long" },
        { "resolve without dedup_key", """{"routing_key":"KEY","event_action":"resolve"}""", "'dedup_key' is missing or blank" },
        { "trigger without payload", """{"routing_key":"KEY","event_action":"trigger"}""", "'payload' is missing" },
        { "trigger without summary", """{"routing_key":"KEY","event_action":"trigger","payload":{"source":"x","severity":"info"}}""", "'payload.summary' is missing or blank" },
        { "summary over 1024", """{"routing_key":"KEY","event_action":"trigger","payload":{"summary":"SUMMARY","source":"x","severity":"info"}}""", "'payload.summary' is too long" },
        { "unknown severity", """{"routing_key":"KEY","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"fatal"}}""", "'payload.severity' is invalid" },
        { "bad timestamp", """{"routing_key":"KEY","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info","timestamp":"yesterday"}}""", "'payload.timestamp' is not a valid ISO 8601 timestamp" },
        { "malformed JSON", """{"routing_key":"KEY","event_action":""", "not valid JSON" },
        { "not an object", """["trigger"]""", "must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task InvalidEventsAre400WithPagerDutysErrorsAndStoreNothing(string what, string json, string error)
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);

        var body = json.Replace("KEY", key).Replace("LONG", new string('d', 256)).Replace("SUMMARY", new string('s', 1025));
        var response = await app.Anonymous().PostAsync("/v2/enqueue", Json(body));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
        var problem = await response.Json();
        Assert.Equal("invalid event", problem.GetProperty("status").GetString());
        Assert.Equal("Event object is invalid", problem.GetProperty("message").GetString());
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains(error, StringComparison.Ordinal));
        Assert.Equal(0, (await AlertsAsync(admin)).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TenMegabyteBodyIsRefusedWithoutReadingIt(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var huge = $$$"""{"routing_key":"{{{key}}}","event_action":"trigger","payload":{"summary":"s","source":"x","severity":"info","custom_details":"{{{new string('x', 10 * 1024 * 1024)}}}"}}""";

        var response = await app.Anonymous().PostAsync("/v2/enqueue", Json(huge));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal("invalid event", problem.GetProperty("status").GetString());
        Assert.Contains("too large", problem.GetProperty("errors")[0].GetString());
        Assert.Equal(0, (await AlertsAsync(admin)).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task UnknownAndDisabledKeysGetTheSameAnswer(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (id, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        // Used once first: the directory remembers a good key's hash, which must not outlive the key.
        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Trigger(key, "before"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/integrations/{id}")).StatusCode);

        var disabled = await EnqueueAsync(sender, Trigger(key, "x"));
        var unknown = await EnqueueAsync(sender, Trigger(new string('a', 32), "x"));

        Assert.Equal(HttpStatusCode.NotFound, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(await unknown.Content.ReadAsStringAsync(), await disabled.Content.ReadAsStringAsync());
        Assert.Equal(["before"], (await AlertsAsync(admin)).EnumerateArray().Select(a => a.GetProperty("dedupKey").GetString()));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RotatedKeyReplacesTheOldOneAtOnce(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (id, oldKey) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Trigger(oldKey, "a", severity: "info"))).StatusCode);

        var rotated = await admin.PostJson($"/api/v1/integrations/{id}/rotate", new { });
        var newKey = rotated.GetProperty("key").GetString()!;

        Assert.Equal(HttpStatusCode.NotFound, (await EnqueueAsync(sender, Trigger(oldKey, "b", severity: "info"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Trigger(newKey, "b", severity: "info"))).StatusCode);
    }

    [Fact]
    public async Task ConcurrentSendersAreAllStoredWithExactCounts()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();

        // 400 events over 20 keys from 40 concurrent senders: group commit batches them, and
        // every 202 must be reflected in the counts.
        var tasks = Enumerable.Range(0, 400).Select(i => EnqueueAsync(sender, Trigger(key, $"k{i % 20}", severity: "info"))).ToList();
        var responses = await Task.WhenAll(tasks);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var alerts = await AlertsAsync(admin, "?limit=100");
        Assert.Equal(20, alerts.GetArrayLength());
        Assert.Equal(400, alerts.EnumerateArray().Sum(a => a.GetProperty("count").GetInt32()));
    }
}
