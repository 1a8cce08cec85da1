using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tests.PostIncident;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Drills;

public sealed class DrillTests
{
    private static Dictionary<string, string?> Settings(string? simulator) => Scripted.Manual(new()
    {
        ["Fukkyu:Drills:SimulatorBaseUrl"] = simulator,
        ["Fukkyu:Severity:EscalateLevel1AfterMinutes"] = "10000000",
        ["Fukkyu:Severity:EscalateLevel2AfterMinutes"] = "10000000",
    });

    private static JsonElement Milestone(JsonElement drill, string key) =>
        drill.GetProperty("milestones").EnumerateArray().Single(m => m.GetProperty("key").GetString() == key);

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ADrillIsTimedAndLeavesNoPublicSubscriberOrRegulatorTrace(Store store)
    {
        var clock = Scripted.Clock();
        await using var simulator = await FakeSimulator.StartAsync();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Settings(simulator.Url));
        var admin = app.Admin();
        var compliance = await Scripted.PersonAsync(app, "compliance@example.jp", Roles.Compliance);
        var bystander = await Scripted.PersonAsync(app, "bystander@example.jp", Roles.Responder);
        var lead = await Scripted.PersonAsync(app, "lead@example.jp", Roles.Commander);
        var p1 = await Scripted.PersonAsync(app, "p1@example.jp", Roles.Responder);
        var p2 = await Scripted.PersonAsync(app, "p2@example.jp", Roles.Support);

        var drill = await admin.PostJson("/api/v1/drills", new { scenario = "stale-btc-jpy-book", participants = new[] { p1.UserName, p2.UserName }, commander = lead.UserName }, HttpStatusCode.Created);
        var id = drill.GetProperty("id").GetString();
        var number = drill.GetProperty("incidentNumber").GetString()!;

        // The fault went to the simulator, as the scenario says.
        var inject = Assert.Single(simulator.Calls);
        Assert.Equal("POST", inject.Method);
        Assert.Equal("/faults", inject.Path);
        var fault = JsonDocument.Parse(inject.Body).RootElement;
        Assert.Equal("stall_ticker", fault.GetProperty("type").GetString());
        Assert.Equal("btc_jpy", fault.GetProperty("pair").GetString());
        Assert.NotEqual(JsonValueKind.Null, drill.GetProperty("injectedAt").ValueKind);

        var incident = await admin.GetJson($"/api/v1/incidents/{number}");
        Assert.True(incident.GetProperty("drill").GetBoolean());
        var members = incident.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("userId").GetGuid()).ToHashSet();
        Assert.Equal(new HashSet<Guid> { lead.Id, p1.Id, p2.Id, incident.GetProperty("members")[0].GetProperty("userId").GetGuid() }, members);
        Assert.Equal(lead.Id, incident.GetProperty("commander").GetProperty("id").GetGuid());

        // The team works the drill incident.
        clock.Advance(TimeSpan.FromMinutes(3));
        await Scripted.Move(admin, number, "triaging");
        await Scripted.Move(admin, number, "investigating");
        clock.Advance(TimeSpan.FromMinutes(7));
        await Scripted.Move(admin, number, "recovering");
        clock.Advance(TimeSpan.FromMinutes(5));
        await p1.Client.PostJson($"/api/v1/drills/{id}/clear", new { });
        Assert.Equal(("DELETE", "/faults/drill-stale-btc-jpy"), (simulator.Calls.Last().Method, simulator.Calls.Last().Path));
        clock.Advance(TimeSpan.FromMinutes(5));
        await Scripted.Move(admin, number, "verifying");
        clock.Advance(TimeSpan.FromMinutes(5));
        await Scripted.Move(admin, number, "resolved");
        await app.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);

        // No trace outside the drill: nothing for anyone but its participants, nothing for the regulator.
        var outbox = await app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().ToListAsync());
        Assert.Contains(outbox, m => m.Purpose == "drill");
        Assert.All(outbox, m => Assert.Contains(m.UserId ?? Guid.Empty, members));
        Assert.DoesNotContain(outbox, m => m.Recipient is "compliance@example.jp" or "bystander@example.jp");
        Assert.Equal(0, await app.WithDbAsync(db => db.RegulatoryTracks.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.RegulatoryFilings.CountAsync()));
        Assert.Empty((await admin.GetJson("/api/v1/filings")).EnumerateArray());
        var track = await admin.GetJson($"/api/v1/incidents/{number}/regulatory");
        Assert.True(track.GetProperty("drill").GetBoolean());
        Assert.False(track.GetProperty("reportable").GetBoolean());
        Assert.Empty((await admin.GetJson("/api/v1/register")).EnumerateArray());
        Assert.Equal(0, (await admin.GetJson("/api/v1/metrics/response")).GetProperty("total").GetProperty("incidents").GetInt32());
        await admin.PostJson($"/api/v1/incidents/{number}/report/submit", new { });
        await lead.Client.PostJson($"/api/v1/incidents/{number}/report/approve", new { });
        Assert.Equal(HttpStatusCode.Conflict, (await lead.Client.PostAsJsonAsync($"/api/v1/incidents/{number}/report/publish", new { })).StatusCode);
        Assert.DoesNotContain(number, (await admin.GetJson("/api/v1/incidents?drill=false")).EnumerateArray().Select(i => i.GetProperty("number").GetString()));

        var ended = await admin.PostJson($"/api/v1/drills/{id}/end", new { findings = "板の停止判断まで 7 分。判断基準を手順書に明記する。" });
        Assert.Equal("ended", ended.GetProperty("status").GetString());
        Assert.Equal(180, Milestone(ended, "acknowledged").GetProperty("elapsedSeconds").GetDouble());
        Assert.True(Milestone(ended, "acknowledged").GetProperty("met").GetBoolean());
        Assert.Equal(600, Milestone(ended, "recovery_started").GetProperty("elapsedSeconds").GetDouble());
        Assert.Equal(900, Milestone(ended, "fault_cleared").GetProperty("elapsedSeconds").GetDouble());
        Assert.Equal(1200, Milestone(ended, "recovered").GetProperty("elapsedSeconds").GetDouble());
        Assert.Equal(1500, Milestone(ended, "resolved").GetProperty("elapsedSeconds").GetDouble());
        Assert.True(Milestone(ended, "resolved").GetProperty("met").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync($"/api/v1/drills/{id}/end", new { })).StatusCode);
        Assert.Equal(2, simulator.Calls.Count); // ending does not clear what is already cleared

        var report = await (await admin.GetAsync($"/api/v1/drills/{id}?format=markdown&lang=ja")).Content.ReadAsStringAsync();
        Assert.StartsWith("# 訓練報告書 — BTC/JPY 板の更新停止", report);
        Assert.Contains("- 受付（初動開始）: 2026-11-20 12:03 JST (+3分) — 目標 5分: 達成", report);
        Assert.Contains("板の停止判断まで 7 分", report);
        Assert.Contains("シミュレーターに障害を注入", report);
        var english = await (await admin.GetAsync($"/api/v1/drills/{id}?format=html&lang=en")).Content.ReadAsStringAsync();
        Assert.Contains("Drill report — Stale BTC/JPY order book", english);
        Assert.True((await admin.GetJson($"/api/v1/incidents/{number}/timeline/verify")).GetProperty("valid").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WithoutASimulatorADrillIsATabletopAndMissedTargetsShow(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Settings(null));
        var admin = app.Admin();
        var responder = await app.UserAsync(Roles.Responder);
        var before = await app.WithDbAsync(db => db.Incidents.CountAsync());

        Assert.Equal(HttpStatusCode.Forbidden, (await responder.Client.PostAsJsonAsync("/api/v1/drills", new { scenario = "website-down", participants = new[] { responder.UserName } })).StatusCode);
        var unknownScenario = await admin.PostAsJsonAsync("/api/v1/drills", new { scenario = "alien-invasion", participants = new[] { responder.UserName } });
        Assert.Equal(HttpStatusCode.BadRequest, unknownScenario.StatusCode);
        var unknownPerson = await admin.PostAsJsonAsync("/api/v1/drills", new { scenario = "website-down", participants = new[] { "nobody" } });
        Assert.True((await unknownPerson.Json()).GetProperty("errors").TryGetProperty("participants", out _));
        var notCommander = await admin.PostAsJsonAsync("/api/v1/drills", new { scenario = "website-down", participants = new[] { responder.UserName }, commander = responder.UserName });
        Assert.True((await notCommander.Json()).GetProperty("errors").TryGetProperty("commander", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/drills", new { scenario = "website-down" })).StatusCode);
        Assert.Equal(before, await app.WithDbAsync(db => db.Incidents.CountAsync())); // refused starts leave nothing behind

        var drill = await admin.PostJson("/api/v1/drills", new { scenario = "website-down", participants = new[] { responder.UserName } }, HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, drill.GetProperty("injectedAt").ValueKind);
        Assert.Equal("started", drill.GetProperty("milestones")[0].GetProperty("key").GetString());
        clock.Advance(TimeSpan.FromMinutes(6));
        var late = await admin.GetJson($"/api/v1/drills/{drill.GetProperty("id").GetString()}");
        Assert.False(Milestone(late, "acknowledged").GetProperty("met").GetBoolean()); // target 5 min, nobody acknowledged
        Assert.Equal(JsonValueKind.Null, Milestone(late, "resolved").GetProperty("met").ValueKind); // still within 45 min
        Assert.Single((await admin.GetJson("/api/v1/drills?running=true")).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ScenariosShipFiveTemplatesAndOverridesAreValidated(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Settings(null));
        var admin = app.Admin();
        var scenarios = await admin.GetJson("/api/v1/drills/scenarios");
        Assert.Equal(["stale-btc-jpy-book", "eth-withdrawal-node-lag", "hot-wallet-outflow", "website-down", "database-failover"],
            scenarios.EnumerateArray().Select(s => s.GetProperty("key").GetString()!));
        Assert.All(scenarios.EnumerateArray(), s => Assert.True(s.GetProperty("injects").GetBoolean()));

        var site = scenarios.EnumerateArray().Single(s => s.GetProperty("key").GetString() == "website-down").GetProperty("definition");
        var evil = JsonSerializer.Deserialize<Dictionary<string, object?>>(site.GetRawText())!;
        evil["inject"] = new { method = "POST", path = "//evil.example/steal", body = new { } };
        evil["clear"] = new { method = "TRACE", path = "/faults/x" };
        var refused = await admin.PutAsJsonAsync("/api/v1/drills/scenarios/website-down", evil);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("inject.path", out _));
        Assert.True(errors.TryGetProperty("clear.method", out _));

        var ours = JsonSerializer.Deserialize<Dictionary<string, object?>>(site.GetRawText())!;
        ours["inject"] = new { method = "PUT", path = "/chaos/website", body = new { down = true } };
        var stored = await admin.PutAsJsonAsync("/api/v1/drills/scenarios/website-down", ours);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        var overridden = (await admin.GetJson("/api/v1/drills/scenarios")).EnumerateArray().Single(s => s.GetProperty("key").GetString() == "website-down");
        Assert.True(overridden.GetProperty("overridden").GetBoolean());
        Assert.Equal("/chaos/website", overridden.GetProperty("definition").GetProperty("inject").GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.UserAsync(Roles.Commander)).Client.PutAsJsonAsync("/api/v1/drills/scenarios/website-down", ours)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/drills/scenarios/website-down")).StatusCode);
        Assert.Equal("/faults", (await admin.GetJson("/api/v1/drills/scenarios")).EnumerateArray()
            .Single(s => s.GetProperty("key").GetString() == "website-down").GetProperty("definition").GetProperty("inject").GetProperty("path").GetString());
    }
}
