using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Monitoring;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Fukkyu.Tests.Alerts.AlertKit;
using static Fukkyu.Tests.Monitoring.MonitorKit;

namespace Fukkyu.Tests.Monitoring;

/// <summary>
/// What other features read from monitoring (IMonitorHealthSource, IAvailabilitySource), the
/// rollup writes behind them on both stores, retention, and the scheduler on a real clock.
/// </summary>
public sealed class MonitorContractTests
{
    private static async Task<Guid> ComponentAsync(FukkyuDb db, string key) => await db.Components.Where(c => c.Key == key).Select(c => c.Id).SingleAsync();

    private static HealthMonitor Monitor(string name, Guid? component, MonitorState state, DateTime since, bool reconciliation = false, bool paused = false) => new()
    {
        Name = name,
        Kind = MonitorKind.Dns,
        Settings = """{"host":"localhost"}""",
        ComponentId = component,
        State = state,
        StateSince = since,
        CreatedAt = since,
        UpdatedAt = since,
        Reconciliation = reconciliation,
        Paused = paused,
    };

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task HealthSourceGivesTheComponentsMonitorsAndEveryReconciliationCheck(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, new FakeTimeProvider(DateTimeOffset.UtcNow), settings: new Dictionary<string, string?> { ["Fukkyu:Monitoring:Enabled"] = "false" });
        var since = new DateTime(2026, 11, 23, 3, 0, 0, DateTimeKind.Utc);
        await app.WithDbAsync(async db =>
        {
            var btc = await ComponentAsync(db, "withdrawal.btc.bitcoin");
            var eth = await ComponentAsync(db, "withdrawal.eth.ethereum");
            db.Monitors.AddRange(
                Monitor("btc queue", btc, MonitorState.Up, since),
                Monitor("btc node", btc, MonitorState.Down, since.AddMinutes(5)),
                Monitor("btc paused", btc, MonitorState.Down, since, paused: true),
                Monitor("eth queue", eth, MonitorState.Down, since),
                Monitor("ledger vs chain", null, MonitorState.Up, since.AddMinutes(7), reconciliation: true));
            await db.SaveChangesAsync();
        });

        var health = await app.WithDbAsync(async db =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var source = scope.ServiceProvider.GetRequiredService<IMonitorHealthSource>();
            return await source.ForComponentsAsync([await ComponentAsync(db, "withdrawal.btc.bitcoin")], default);
        });

        Assert.Equal(["btc node", "btc queue", "ledger vs chain"], health.Select(h => h.Name).Order().ToArray());
        var node = health.Single(h => h.Name == "btc node");
        Assert.False(node.Up);
        Assert.Equal(since.AddMinutes(5), node.StateSince);
        Assert.True(health.Single(h => h.Name == "ledger vs chain").Reconciliation);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task DailyAvailabilityComesFromRollupsByJapanDay(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, new FakeTimeProvider(DateTimeOffset.UtcNow), settings: new Dictionary<string, string?> { ["Fukkyu:Monitoring:Enabled"] = "false" });
        var day = new DateOnly(2026, 11, 20);
        // 2026-11-20 00:00 JST is 2026-11-19 15:00 UTC.
        var jstMidnight = new DateTime(2026, 11, 19, 15, 0, 0, DateTimeKind.Utc);
        var (site, web) = await app.WithDbAsync(async db =>
        {
            var component = await ComponentAsync(db, "web.site");
            var a = Monitor("site", component, MonitorState.Up, jstMidnight);
            var b = Monitor("site tls", component, MonitorState.Up, jstMidnight);
            db.Monitors.AddRange(a, b);
            await db.SaveChangesAsync();
            return ((a.Id, b.Id), component);
        });
        var recorder = app.Services.GetRequiredService<MonitorRecorder>();
        // Hour 1 of the Japan day: "site" 10 checks, 5 failed; "site tls" all fine → the worst, 0.5.
        // Hour 2: both fine → 1.0. The day: 0.75. An hour of the day before must not count.
        await recorder.WriteMinutesAsync(
        [
            new MinuteRow(site.Item1, jstMidnight.AddMinutes(1), 10, 5, 10_000, 2_000, [1, 0, 128, 3]),
            new MinuteRow(site.Item2, jstMidnight.AddMinutes(1), 10, 0, 10_000, 2_000, []),
            new MinuteRow(site.Item1, jstMidnight.AddHours(1), 6, 0, 6_000, 1_000, []),
            new MinuteRow(site.Item1, jstMidnight.AddMinutes(-30), 6, 6, 6_000, 1_000, []),
        ], default);
        // Written twice (a restart within the minute): counts add up.
        await recorder.WriteMinutesAsync([new MinuteRow(site.Item1, jstMidnight.AddHours(1), 6, 0, 6_000, 3_000, [])], default);

        var daily = await app.WithDbAsync(async _ =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<IAvailabilitySource>().DailyAsync([web], day.AddDays(-1), day.AddDays(1), default);
        });
        var hour = await app.WithDbAsync(db => db.MonitorHours.SingleAsync(h => h.MonitorId == site.Item1 && h.Hour == jstMidnight.AddHours(1)));

        Assert.Equal(3, daily.Count);
        Assert.Equal(0.0, daily.Single(d => d.Day == day.AddDays(-1)).Availability);
        Assert.Equal(0.75, daily.Single(d => d.Day == day).Availability);
        Assert.Null(daily.Single(d => d.Day == day.AddDays(1)).Availability);
        Assert.Equal(12, hour.Checks);
        Assert.Equal(3_000, hour.LatencyMaxUs);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RetentionKeepsMinutesForADayAndHoursForTheirPeriod(Store store)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: new Dictionary<string, string?> { ["Fukkyu:Monitoring:Enabled"] = "false" });
        var now = clock.GetUtcNow().UtcDateTime;
        var minute = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc);
        var id = await app.WithDbAsync(async db =>
        {
            var m = Monitor("m", null, MonitorState.Up, now);
            db.Monitors.Add(m);
            await db.SaveChangesAsync();
            return m.Id;
        });
        var recorder = app.Services.GetRequiredService<MonitorRecorder>();
        await recorder.WriteMinutesAsync([new MinuteRow(id, minute.AddHours(-25), 1, 0, 1, 1, []), new MinuteRow(id, minute.AddHours(-2), 1, 0, 1, 1, []),
            new MinuteRow(id, minute.AddDays(-401), 1, 0, 1, 1, [])], default);

        await app.WithDbAsync(db => app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<MonitorRetentionWorker>().Single().PruneAsync(db, default));

        var minutes = await app.WithDbAsync(db => db.MonitorMinutes.Where(m => m.MonitorId == id).Select(m => m.Minute).ToListAsync());
        var hours = await app.WithDbAsync(db => db.MonitorHours.Where(m => m.MonitorId == id).Select(m => m.Hour).ToListAsync());
        Assert.Equal([minute.AddHours(-2)], minutes);
        Assert.Equal([minute.AddHours(-25), minute.AddHours(-2)], hours.Order().ToList());
    }

    [Fact]
    public async Task OnARealClockAFaultInTheSimulatorOpensAnIncident()
    {
        await using var sim = await Sim.StartAsync();
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var admin = app.Admin();
        await LeaderAsync(admin);
        await CreateAsync(admin, new
        {
            name = "Website",
            kind = "http",
            componentId = "web.site",
            intervalSeconds = 1,
            timeoutMs = 800,
            failureThreshold = 2,
            recoveryThreshold = 2,
            settings = new { url = sim.Url + "/", bodyContains = "Sample Exchange" },
        });
        await EventuallyAsync(() => admin.GetJson("/api/v1/monitors"), m => m[0].GetProperty("state").GetString() == "up", "the monitor to be up");

        await sim.InjectAsync(new { type = "website_down" });

        var incidents = await EventuallyAsync(() => admin.GetJson("/api/v1/incidents"), i => i.GetArrayLength() == 1, "an incident", seconds: 20);
        Assert.Equal("web", incidents[0].GetProperty("category").GetString());
        // The alert is raised before the component is marked, so the status may follow a moment later.
        await EventuallyAsync(() => admin.GetJson("/api/v1/components/web.site"), c => c.GetProperty("status").GetString() == "major_outage", "the website to show a major outage");
        var stats = await admin.GetJson("/api/v1/monitors/stats");
        Assert.True(stats.GetProperty("probes").GetInt64() >= 3);
    }
}
