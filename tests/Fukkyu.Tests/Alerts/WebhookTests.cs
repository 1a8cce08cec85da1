using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Tests.Infrastructure;
using static Fukkyu.Tests.Alerts.AlertKit;

namespace Fukkyu.Tests.Alerts;

/// <summary>The Alertmanager webhook (payload version 4) and the generic JSON endpoint.</summary>
public sealed class WebhookTests
{
    private const string Firing = """
        {"version":"4","groupKey":"{}:{alertname=\"TickerStale\"}","truncatedAlerts":0,"status":"firing","receiver":"fukkyu",
         "groupLabels":{"alertname":"TickerStale"},"commonLabels":{"alertname":"TickerStale"},"commonAnnotations":{},
         "externalURL":"http://alertmanager.local","notification_reason":"new","routeLabels":{},
         "alerts":[{"status":"firing","labels":{"alertname":"TickerStale","component":"trading.sol_jpy","severity":"page","instance":"ticker-1"},
           "annotations":{"summary":"SOL/JPY ticker has not moved for 60 s","runbook":"https://runbooks/ticker"},
           "startsAt":"2026-11-23T04:58:00.123Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus/graph?g0.expr=x","fingerprint":"5c6d2a1f00aa11bb"}]}
        """;

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task FiringThenResolvedNotificationOpensAndResolvesTheAlert(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin, "alertmanager");
        var anonymous = app.Anonymous();

        var fired = await anonymous.PostAsync($"/api/v1/integrations/alertmanager?key={key}", Json(Firing));
        Assert.Equal(HttpStatusCode.OK, fired.StatusCode);
        Assert.Equal(1, (await fired.Json()).GetProperty("accepted").GetInt32());

        var alert = (await RoutedAsync(admin, expected: 1))[0];
        Assert.Equal("5c6d2a1f00aa11bb", alert.GetProperty("dedupKey").GetString());
        Assert.Equal("SOL/JPY ticker has not moved for 60 s", alert.GetProperty("summary").GetString());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Equal("trading.sol_jpy", alert.GetProperty("componentKey").GetString());
        Assert.Equal("ticker-1", alert.GetProperty("source").GetString());
        Assert.Equal("TickerStale", alert.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("https://runbooks/ticker", alert.GetProperty("details").GetProperty("runbook").GetString());
        Assert.Equal("opened", alert.GetProperty("outcome").GetString());

        var resolved = Firing.Replace("\"status\":\"firing\"", "\"status\":\"resolved\"").Replace("0001-01-01T00:00:00Z", "2026-11-23T05:03:00Z");
        var bearer = app.Anonymous();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await bearer.PostAsync("/api/v1/integrations/alertmanager", Json(resolved))).StatusCode);

        var after = (await RoutedAsync(admin, expected: 1))[0];
        Assert.Equal("resolved", after.GetProperty("status").GetString());
        var timeline = await admin.GetJson($"/api/v1/incidents/{after.GetProperty("incident").GetProperty("number").GetString()}/timeline");
        Assert.Equal("alert_resolved", timeline.EnumerateArray().Last().GetProperty("kind").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task OnlyIntegrationKeysMaySendAlerts(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (id, key) = await IntegrationAsync(admin, "alertmanager");
        var responder = await app.UserAsync(Roles.Responder);

        var person = await responder.Client.PostAsync("/api/v1/integrations/alertmanager", Json(Firing));
        var nobody = await app.Anonymous().PostAsync("/api/v1/integrations/alertmanager", Json(Firing));
        var wrong = await app.Anonymous().PostAsync($"/api/v1/integrations/alertmanager?key={new string('0', 32)}", Json(Firing));
        await admin.DeleteAsync($"/api/v1/integrations/{id}");
        var disabled = await app.Anonymous().PostAsync($"/api/v1/integrations/alertmanager?key={key}", Json(Firing));

        Assert.Equal(HttpStatusCode.Forbidden, person.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, nobody.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, disabled.StatusCode);
        Assert.Equal((await wrong.Json()).GetProperty("detail").GetString(), (await disabled.Json()).GetProperty("detail").GetString());
        Assert.Equal(0, (await AlertsAsync(admin)).GetArrayLength());
    }

    [Theory]
    [InlineData("{\"version\":\"4\",\"status\":\"firing\"}", "alerts")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"labels\":{\"a\":\"b\"}}]}", "alerts[0].status")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"exploded\",\"labels\":{}}]}", "alerts[0].status")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"n\":1}}]}", "alerts[0].labels.n")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{},\"startsAt\":\"soon\"}]}", "alerts[0].startsAt")]
    [InlineData("[1,2]", "body")]
    public async Task MalformedAlertmanagerPayloadsAre400NamingTheField(string json, string field)
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin, "alertmanager");

        var response = await app.Anonymous().PostAsync($"/api/v1/integrations/alertmanager?key={key}", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Equal(0, (await AlertsAsync(admin)).GetArrayLength());
    }

    [Fact]
    public async Task TruncatedJsonIsAProblemNotAFailure()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var (_, key) = await IntegrationAsync(app.Admin(), "alertmanager");

        var response = await app.Anonymous().PostAsync($"/api/v1/integrations/alertmanager?key={key}", Json("{\"alerts\": ["));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task GenericEndpointTakesOneOrManyAlerts(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin, "generic", component: "deposit.btc.bitcoin");
        var client = app.Client(key);

        var one = await client.PostAsJsonAsync("/api/v1/integrations/generic", new { summary = "BTC deposits: 40 waiting over 1 h", severity = "warning", labels = new { queue = "CONFIRMING" } });
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        var generated = (await one.Json()).GetProperty("dedupKeys")[0].GetString()!;

        var many = await client.PostAsJsonAsync("/api/v1/integrations/generic", new object[]
        {
            new { dedupKey = generated, status = "resolved" },
            new { dedupKey = "node-lag", summary = "bitcoind 12 blocks behind", severity = "critical", startsAt = "2026-11-23T05:00:00Z" },
        });
        Assert.Equal(HttpStatusCode.OK, many.StatusCode);

        var alerts = (await RoutedAsync(admin, expected: 2)).EnumerateArray().ToDictionary(a => a.GetProperty("dedupKey").GetString()!);
        Assert.Equal("resolved", alerts[generated].GetProperty("status").GetString());
        Assert.Equal("deposit.btc.bitcoin", alerts["node-lag"].GetProperty("componentKey").GetString());
        Assert.Equal("opened", alerts["node-lag"].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task GenericEndpointNamesEachBadField()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin, "generic");

        var response = await app.Client(key).PostAsJsonAsync("/api/v1/integrations/generic", new object[]
        {
            new { summary = "fine" },
            new { status = "resolved" },
            new { summary = "x", severity = "apocalyptic" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("[1].dedupKey", out _), errors.GetRawText());
        Assert.True(errors.TryGetProperty("[2].severity", out _), errors.GetRawText());
        Assert.Equal(0, (await AlertsAsync(admin)).GetArrayLength());
    }
}
