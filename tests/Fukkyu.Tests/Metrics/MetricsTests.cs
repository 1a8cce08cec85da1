using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tests.PostIncident;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fukkyu.Tests.Metrics;

public sealed class MetricsTests
{
    private static Dictionary<string, string?> NoEscalation() => Scripted.Manual(new()
    {
        ["Fukkyu:Severity:EscalateLevel1AfterMinutes"] = "10000000",
        ["Fukkyu:Severity:EscalateLevel2AfterMinutes"] = "10000000",
    });

    private sealed class FakeAvailability(Func<Guid, DateOnly, double?> value) : IAvailabilitySource
    {
        public Task<IReadOnlyList<DailyAvailability>> DailyAsync(IReadOnlyCollection<Guid> componentIds, DateOnly from, DateOnly to, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<DailyAvailability>>([.. componentIds.SelectMany(id =>
                Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(d => new DailyAvailability(id, from.AddDays(d), value(id, from.AddDays(d)))))]);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task MttdMttaAndMttrAreComputedOnKnownData(Store store)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 10, 15, 1, 0, 0, TimeSpan.Zero));
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: NoEscalation());
        var admin = app.Admin();
        async Task Run(string title, string category, string scope, int? startedMinutesBefore, int ackAfter, int? resolvedAfter, bool drill = false)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var n = (await admin.PostJson("/api/v1/incidents", new
            {
                title, category, impactScope = scope, expectedRecoveryMinutes = 10, drill,
                startedAt = startedMinutesBefore is { } s ? now.AddMinutes(-s) : (DateTime?)null,
            }, HttpStatusCode.Created)).GetProperty("number").GetString()!;
            clock.Advance(TimeSpan.FromMinutes(ackAfter));
            await Scripted.Move(admin, n, "triaging");
            if (resolvedAfter is { } r)
            {
                foreach (var to in new[] { "investigating", "recovering", "verifying" })
                {
                    await Scripted.Move(admin, n, to);
                }
                clock.Advance(TimeSpan.FromMinutes(r - ackAfter));
                await Scripted.Move(admin, n, "resolved");
            }
            clock.Advance(TimeSpan.FromHours(1));
        }
        await Run("Site down", "web", "some", 10, 2, 25);                 // Oct, L1: ttd 600, tta 120, ttr 1500
        clock.Advance(TimeSpan.FromDays(30));                               // November
        await Run("Book stale", "trading", "many", null, 4, 60);           // L2: tta 240, ttr 3600
        await Run("Book stale again", "trading", "many", 20, 6, null);     // L2: ttd 1200, tta 360, open
        await Run("Drill", "web", "all", 1, 1, 2, drill: true);            // excluded

        var byLevel = await admin.GetJson("/api/v1/metrics/response?groupBy=level");
        var total = byLevel.GetProperty("total");
        Assert.Equal(3, total.GetProperty("incidents").GetInt32());
        Assert.Equal(900, total.GetProperty("mttd").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(240, total.GetProperty("mtta").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(240, total.GetProperty("mtta").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(2550, total.GetProperty("mttr").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(2, total.GetProperty("mttr").GetProperty("count").GetInt32());
        var levels = byLevel.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("key").GetString()!);
        Assert.Equal(600, levels["1"].GetProperty("mttd").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(1500, levels["1"].GetProperty("mttr").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(1200, levels["2"].GetProperty("mttd").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(300, levels["2"].GetProperty("mtta").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(3600, levels["2"].GetProperty("mttr").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(0, levels["3"].GetProperty("incidents").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, levels["3"].GetProperty("mtta").GetProperty("meanSeconds").ValueKind);

        var byCategory = (await admin.GetJson("/api/v1/metrics/response?groupBy=category")).GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("key").GetString()!, g => g.GetProperty("incidents").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["trading"] = 2, ["web"] = 1 }, byCategory);
        var byMonth = (await admin.GetJson("/api/v1/metrics/response?groupBy=month")).GetProperty("groups").EnumerateArray()
            .Select(g => $"{g.GetProperty("key").GetString()}:{g.GetProperty("mtta").GetProperty("meanSeconds").GetDouble()}").ToArray();
        Assert.Equal(["2026-10:120", "2026-11:300"], byMonth);
        Assert.Equal(1, (await admin.GetJson("/api/v1/metrics/response?from=2026-11-01")).GetProperty("total").GetProperty("mttd").GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/metrics/response?groupBy=weekday")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AvailabilityIsTheMeanOfMeasuredDaysFromMonitorHistory(Store store)
    {
        var clock = Scripted.Clock();
        Guid site = default;
        var fake = new FakeAvailability((id, day) => id != site ? 1.0 : day.Day switch { 18 => 0.99, 19 => 1.0, _ => null });
        await using var app = await FukkyuApp.StartAsync(store, clock, services: s => s.AddSingleton<IAvailabilitySource>(fake), settings: Scripted.Manual());
        site = await app.WithDbAsync(db => db.Components.Where(c => c.Key == "web.site").Select(c => c.Id).SingleAsync());

        var result = await app.Admin().GetJson("/api/v1/metrics/availability?from=2026-11-18&to=2026-11-20&component=web.site");

        Assert.True(result.GetProperty("measured").GetBoolean());
        var c = Assert.Single(result.GetProperty("components").EnumerateArray());
        Assert.Equal(0.995, c.GetProperty("availability").GetDouble(), 6);
        Assert.Equal(2, c.GetProperty("daysMeasured").GetInt32());
        Assert.Equal(3, c.GetProperty("days").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await app.Admin().GetAsync("/api/v1/metrics/availability?from=2020-01-01&to=2026-01-01")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task PrometheusEndpointNeedsAKeyAndReportsHealthAndIncidents(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: NoEscalation());
        var admin = app.Admin();
        await admin.PostJson("/api/v1/incidents", new { title = "Book stale", category = "trading", impactScope = "many", componentIds = new[] { "trading.btc_jpy" } }, HttpStatusCode.Created);
        await admin.PostJson("/api/v1/incidents", new { title = "Drill", category = "web", impactScope = "all", drill = true }, HttpStatusCode.Created);
        await admin.PostJson("/api/v1/action-items", new { title = "Late", kind = "procedure", owner = "admin", dueOn = "2020-01-01" }, HttpStatusCode.Created);
        using var meter = new Meter("Fukkyu.Test" + Guid.NewGuid().ToString("N")[..6]);
        var widgets = meter.CreateCounter<long>("fukkyu.test.widgets", description: "Widgets made.");
        widgets.Add(2, new KeyValuePair<string, object?>("kind", "a"));
        widgets.Add(1, new KeyValuePair<string, object?>("kind", "a"));

        var anonymous = await app.Anonymous().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        var viewer = await app.UserAsync(Roles.Viewer);
        var scraped = await viewer.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", scraped.Content.Headers.ContentType?.ToString());
        var lines = (await scraped.Content.ReadAsStringAsync()).Split('\n');
        Assert.Contains("fukkyu_up 1", lines);
        Assert.Contains("fukkyu_database_up 1", lines);
        Assert.Contains("fukkyu_incidents_open{level=\"2\",category=\"trading\"} 1", lines);
        Assert.Contains("fukkyu_drills_open 1", lines);
        Assert.Contains("fukkyu_action_items_overdue 1", lines);
        Assert.Contains(lines, l => l.StartsWith("fukkyu_filings_pending ", StringComparison.Ordinal) && l != "fukkyu_filings_pending 0");
        Assert.Contains("# TYPE fukkyu_test_widgets_total counter", lines);
        Assert.Contains("fukkyu_test_widgets_total{kind=\"a\"} 3", lines);
        Assert.Contains(lines, l => l.StartsWith("process_resident_memory_bytes ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Book stale", StringComparison.Ordinal)); // numbers, never incident details
    }
}
