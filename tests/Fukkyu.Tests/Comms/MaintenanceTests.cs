using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notices;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Fukkyu.Tests.Comms.CommsKit;

namespace Fukkyu.Tests.Comms;

public sealed class MaintenanceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    private static object Window(DateTime from, DateTime until, string[]? components = null, int remind = 60) => new
    {
        title = new { ja = "BTC 入出金のメンテナンス", en = "BTC deposit maintenance" },
        whatWeDo = new { ja = "ビットコインノードを更新します。", en = "We upgrade our Bitcoin node." },
        impact = new { ja = "BTC/JPY の取引と BTC の入金を停止します。", en = "BTC/JPY trading and BTC deposits are paused." },
        alternatives = new { ja = "ライトニングネットワークでの入金をご利用ください。", en = "Deposit over the Lightning Network." },
        scheduledFor = from,
        scheduledUntil = until,
        componentIds = components ?? ["trading.btc_jpy", "deposit.btc.bitcoin"],
        remindMinutesBefore = remind,
    };

    private static async Task<(FukkyuApp App, FakeTimeProvider Clock)> StartAsync(Store store)
    {
        var clock = new FakeTimeProvider(Start);
        var app = await FukkyuApp.StartAsync(store, clock, settings: new Dictionary<string, string?>
        {
            ["Fukkyu:Jobs:Enabled"] = "false",
            ["Fukkyu:Outbox:Enabled"] = "false",
        });
        return (app, clock);
    }

    private static async Task Tick(FukkyuApp app, FakeTimeProvider clock, TimeSpan by)
    {
        clock.Advance(by);
        await app.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);
        await RefreshAsync(app);
    }

    private static async Task<string> StatusOf(HttpClient client, string name) =>
        (await client.GetJson("/api/v2/components.json")).GetProperty("components").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == name).GetProperty("status").GetString()!;

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AScheduledMaintenanceAnnouncesItselfStartsAndEndsOnItsOwn(Store store)
    {
        var (app, clock) = await StartAsync(store);
        await using var _ = app;
        var comms = await app.UserAsync("comms");
        var from = Start.UtcDateTime.AddHours(3);
        var created = await comms.Client.PostJson("/api/v1/maintenances", Window(from, from.AddHours(1)), HttpStatusCode.Created);
        Assert.Equal("scheduled", created.GetProperty("status").GetString());
        await RefreshAsync(app);
        var client = app.Anonymous("ja");

        var upcoming = Assert.Single((await client.GetJson("/api/v2/scheduled-maintenances/upcoming.json")).GetProperty("scheduled_maintenances").EnumerateArray());
        Assert.Equal("scheduled", upcoming.GetProperty("status").GetString());
        Assert.Equal("maintenance", upcoming.GetProperty("impact").GetString());
        Assert.Equal("2026-11-23T04:00:00.000Z", upcoming.GetProperty("scheduled_for").GetString());
        Assert.Equal("2026-11-23T05:00:00.000Z", upcoming.GetProperty("scheduled_until").GetString());
        Assert.Equal(2, upcoming.GetProperty("components").GetArrayLength());
        Assert.Empty((await client.GetJson("/api/v2/scheduled-maintenances/active.json")).GetProperty("scheduled_maintenances").EnumerateArray());
        var ics = await PageAsync(client, "/ja/maintenance.ics");
        Assert.Contains("DTSTART:20261123T040000Z", ics);
        Assert.Contains("DTEND:20261123T050000Z", ics);
        Assert.Contains("SUMMARY:BTC 入出金のメンテナンス", ics);
        Assert.Contains("BTC 入出金のメンテナンス", await PageAsync(client, "/ja/"));

        await Tick(app, clock, TimeSpan.FromHours(2)); // 60 minutes before: the reminder
        Assert.Equal(2, (await client.GetJson("/api/v2/scheduled-maintenances.json")).GetProperty("scheduled_maintenances")[0].GetProperty("incident_updates").GetArrayLength());
        Assert.Equal("operational", await StatusOf(client, "BTC/JPY 取引"));

        await Tick(app, clock, TimeSpan.FromHours(1)); // the start
        var active = Assert.Single((await client.GetJson("/api/v2/scheduled-maintenances/active.json")).GetProperty("scheduled_maintenances").EnumerateArray());
        Assert.Equal("in_progress", active.GetProperty("status").GetString());
        Assert.Equal("under_maintenance", await StatusOf(client, "BTC/JPY 取引"));
        Assert.Equal("under_maintenance", await StatusOf(client, "BTC 入金（ビットコイン）"));
        Assert.Equal("operational", await StatusOf(client, "ETH/JPY 取引"));
        var summary = await client.GetJson("/api/v2/summary.json");
        Assert.Equal("none", summary.GetProperty("status").GetProperty("indicator").GetString());
        Assert.Equal("メンテナンス中のサービスがあります", summary.GetProperty("status").GetProperty("description").GetString());
        Assert.Single(summary.GetProperty("scheduled_maintenances").EnumerateArray());

        await Tick(app, clock, TimeSpan.FromHours(1)); // the end
        Assert.Equal("operational", await StatusOf(client, "BTC/JPY 取引"));
        Assert.Equal("operational", await StatusOf(client, "BTC 入金（ビットコイン）"));
        var done = Assert.Single((await client.GetJson("/api/v2/scheduled-maintenances.json")).GetProperty("scheduled_maintenances").EnumerateArray());
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(["completed", "in_progress", "scheduled", "scheduled"], done.GetProperty("incident_updates").EnumerateArray().Select(u => u.GetProperty("status").GetString()!).ToArray());
        Assert.Empty((await client.GetJson("/api/v2/summary.json")).GetProperty("scheduled_maintenances").EnumerateArray());
        // Each notice goes to the subscribers.
        Assert.Equal(4, await app.WithDbAsync(db => db.Set<Job>().CountAsync(j => j.Kind == NoticeService.FanoutJobKind)));
        Assert.Contains("メンテナンスは終了しました", await PageAsync(client, "/ja/notices"));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AMaintenanceNeedsItsItemsAWindowAndKnownComponents(Store store)
    {
        var (app, _) = await StartAsync(store);
        await using var __ = app;
        var admin = app.Admin();

        var empty = await admin.PostAsJsonAsync("/api/v1/maintenances", new { });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var errors = (await empty.Json()).GetProperty("errors");
        foreach (var f in new[] { "title.ja", "title.en", "whatWeDo.ja", "whatWeDo.en", "impact.ja", "alternatives.en", "scheduledFor", "scheduledUntil", "componentIds" })
        {
            Assert.True(errors.TryGetProperty(f, out _), $"{f} is not named");
        }
        var from = Start.UtcDateTime.AddHours(3);
        var backwards = await admin.PostAsJsonAsync("/api/v1/maintenances", Window(from, from.AddHours(-1)));
        Assert.True((await backwards.Json()).GetProperty("errors").TryGetProperty("scheduledUntil", out _));
        var unknown = await admin.PostAsJsonAsync("/api/v1/maintenances", Window(from, from.AddHours(1), ["trading.nope_jpy"]));
        Assert.Contains("trading.nope_jpy", (await unknown.Json()).GetProperty("errors").GetProperty("componentIds")[0].GetString());
        var responder = await app.UserAsync("responder");
        Assert.Equal(HttpStatusCode.Forbidden, (await responder.Client.PostAsJsonAsync("/api/v1/maintenances", Window(from, from.AddHours(1)))).StatusCode);
        Assert.Equal(0, (await admin.GetJson("/api/v1/maintenances")).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ACancelledMaintenanceIsAnnouncedAndNeverStarts(Store store)
    {
        var (app, clock) = await StartAsync(store);
        await using var _ = app;
        var admin = app.Admin();
        var from = Start.UtcDateTime.AddHours(3);
        var id = (await admin.PostJson("/api/v1/maintenances", Window(from, from.AddHours(1)), HttpStatusCode.Created)).GetProperty("id").GetString();

        var cancelled = await admin.PostJson($"/api/v1/maintenances/{id}/transitions", new { to = "cancelled" });
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        var again = await admin.PostAsJsonAsync($"/api/v1/maintenances/{id}/transitions", new { to = "in_progress" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        await Tick(app, clock, TimeSpan.FromHours(4));
        var client = app.Anonymous("ja");
        Assert.Equal("operational", await StatusOf(client, "BTC/JPY 取引"));
        Assert.Empty((await client.GetJson("/api/v2/scheduled-maintenances.json")).GetProperty("scheduled_maintenances").EnumerateArray());
        Assert.Contains("STATUS:CANCELLED", await PageAsync(client, "/ja/maintenance.ics"));
        Assert.Contains("このメンテナンスは中止しました", await PageAsync(client, "/ja/notices"));
        Assert.Equal(2, await app.WithDbAsync(db => db.Notices.CountAsync(n => n.MaintenanceId == Guid.Parse(id!))));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AComponentThatFailedDuringTheWindowKeepsItsOutageAfterwards(Store store)
    {
        var (app, clock) = await StartAsync(store);
        await using var _ = app;
        var admin = app.Admin();
        var from = Start.UtcDateTime.AddMinutes(30);
        var id = (await admin.PostJson("/api/v1/maintenances", Window(from, from.AddHours(1), remind: 0), HttpStatusCode.Created)).GetProperty("id").GetString();
        await Tick(app, clock, TimeSpan.FromMinutes(30));
        var deposit = (await admin.GetJson("/api/v1/components/deposit.btc.bitcoin")).GetProperty("id").GetString();
        await admin.PatchAsJsonAsync($"/api/v1/components/{deposit}", new { status = "major_outage" });

        // Ended by hand, early.
        var completed = await admin.PostJson($"/api/v1/maintenances/{id}/transitions", new { to = "completed" });
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        await RefreshAsync(app);
        var client = app.Anonymous("ja");
        Assert.Equal("operational", await StatusOf(client, "BTC/JPY 取引"));
        Assert.Equal("major_outage", await StatusOf(client, "BTC 入金（ビットコイン）"));
        // The scheduled end later finds nothing to do.
        await Tick(app, clock, TimeSpan.FromHours(2));
        Assert.Equal(3, await app.WithDbAsync(db => db.Notices.CountAsync(n => n.MaintenanceId == Guid.Parse(id!))));
    }
}
