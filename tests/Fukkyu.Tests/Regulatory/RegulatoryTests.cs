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

namespace Fukkyu.Tests.Regulatory;

public sealed class RegulatoryTests
{
    private static Task<int> RunJobs(FukkyuApp app) => app.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);

    private static Task<List<OutboxMessage>> Reminders(FukkyuApp app) =>
        app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Purpose == "filing_reminder").OrderBy(m => m.CreatedAt).ToListAsync());

    private static JsonElement Filing(JsonElement track, string kind) =>
        track.GetProperty("filings").EnumerateArray().Single(f => f.GetProperty("kind").GetString() == kind);

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheFirstReminderSchedulesTheLaterOnesOnceEvenWhenItRunsAgain(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Scripted.Manual());
        var admin = app.Admin();
        await admin.PostJson("/api/v1/incidents", new { title = "Website slow", category = "web", impactScope = "some", expectedRecoveryMinutes = 10,
            components = new[] { new { id = "web.site", impact = "degraded_performance" } } }, HttpStatusCode.Created);
        Task<List<string>> Keys() => app.WithDbAsync(db => db.Set<Job>().AsNoTracking()
            .Where(j => j.Kind == "regulatory.reminder").Select(j => j.Key!).ToListAsync());

        // Declared: only the reminder that a deadline was set, one per deadline (immediate, status report).
        Assert.Equal(2, (await Keys()).Count);
        Assert.All(await Keys(), k => Assert.EndsWith(":opened", k));

        await RunJobs(app);
        var scheduled = (await Keys()).Order().ToList();
        // Immediate (1 h): 15 min before and overdue; status report (1 month): 1 day, 4 h, 1 h, 15 min before and overdue.
        Assert.Equal(2 + 2 + 5, scheduled.Count);
        var mails = (await Reminders(app)).Count;

        // As after a crash between its work and its bookkeeping: the first reminders run again.
        await app.WithDbAsync(db => db.Set<Job>().Where(j => j.Kind == "regulatory.reminder" && j.Key!.EndsWith(":opened"))
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.State, JobState.Pending)));
        await RunJobs(app);
        Assert.Equal(2, await app.WithDbAsync(db => db.Set<Job>().CountAsync(j => j.Kind == "regulatory.reminder" && j.Key!.EndsWith(":opened") && j.State == JobState.Done)));
        Assert.Equal(scheduled, (await Keys()).Order().ToList());
        Assert.Equal(mails, (await Reminders(app)).Count);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ReportabilityFollowsTheFsaRuleNotTheLevel(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Scripted.Manual());
        var admin = app.Admin();

        // Level 1, yet a function was delayed: reportable.
        var minor = await admin.PostJson("/api/v1/incidents", new { title = "Website slow", category = "web", impactScope = "some", expectedRecoveryMinutes = 10,
            components = new[] { new { id = "web.site", impact = "degraded_performance" } } }, HttpStatusCode.Created);
        Assert.Equal(1, minor.GetProperty("level").GetInt32());
        var minorTrack = await admin.GetJson($"/api/v1/incidents/{minor.GetProperty("number").GetString()}/regulatory");
        Assert.True(minorTrack.GetProperty("reportable").GetBoolean());
        Assert.Equal("function-affected", minorTrack.GetProperty("rule").GetString());
        Assert.Contains("Website", minorTrack.GetProperty("reasonEn").GetString());
        Assert.Contains("レベルにかかわらず", minorTrack.GetProperty("reasonJa").GetString());
        Assert.Equal(["immediate", "restoration", "cause_found", "status_report"],
            minorTrack.GetProperty("filings").EnumerateArray().Select(f => f.GetProperty("kind").GetString()!).ToArray());

        // A database failover with no function affected: not reportable, until it turns out one was.
        var failover = await admin.PostJson("/api/v1/incidents", new { title = "DB failover", category = "database", impactScope = "some", expectedRecoveryMinutes = 5 }, HttpStatusCode.Created);
        var failoverId = failover.GetProperty("id").GetString();
        var quiet = await admin.GetJson($"/api/v1/incidents/{failoverId}/regulatory");
        Assert.False(quiet.GetProperty("reportable").GetBoolean());
        Assert.Equal("no-function", quiet.GetProperty("rule").GetString());
        Assert.Empty(quiet.GetProperty("filings").EnumerateArray());
        await admin.PatchAsJsonAsync($"/api/v1/incidents/{failoverId}", new { components = new[] { new { id = "api.private", impact = "partial_outage" } } });
        var loud = await admin.GetJson($"/api/v1/incidents/{failoverId}/regulatory");
        Assert.True(loud.GetProperty("reportable").GetBoolean());
        Assert.Equal(4, loud.GetProperty("filings").GetArrayLength());
        var decisions = (await admin.GetJson($"/api/v1/incidents/{failoverId}/timeline")).EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "regulatory").ToList();
        Assert.Equal([true], decisions.Select(e => e.GetProperty("data").GetProperty("reportable").GetBoolean())); // the change, with its reason

        // A cyber threat to users, nothing down: reportable.
        var threat = await admin.PostJson("/api/v1/incidents", new { title = "Phishing site imitating us", category = "security", impactScope = "some", security = true }, HttpStatusCode.Created);
        var threatTrack = await admin.GetJson($"/api/v1/incidents/{threat.GetProperty("id").GetString()}/regulatory");
        Assert.True(threatTrack.GetProperty("reportable").GetBoolean());
        Assert.Equal("security", threatTrack.GetProperty("rule").GetString());

        // Compliance sees security incidents: it must file them.
        var compliance = await app.UserAsync(Roles.Compliance);
        Assert.Equal(HttpStatusCode.OK, (await compliance.Client.GetAsync($"/api/v1/incidents/{threat.GetProperty("id").GetString()}/regulatory")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task DeadlinesAndRemindersFollowTheIncidentAndStopOnceSubmitted(Store store)
    {
        var clock = Scripted.Clock();
        // Hours pass in this test: keep auto-escalation from racing the test's own changes.
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual(new() { ["Fukkyu:Severity:EscalateLevel2AfterMinutes"] = "10000000" }));
        var admin = app.Admin();
        var officer = await Scripted.PersonAsync(app, "compliance@example.jp", Roles.Compliance);
        var commander = await Scripted.PersonAsync(app, "commander@example.jp", Roles.Commander);
        var created = await admin.PostJson("/api/v1/incidents", new
        {
            title = "BTC/JPY order book stale", category = "trading", impactScope = "many", expectedRecoveryMinutes = 90,
            componentIds = new[] { "trading.btc_jpy" }, description = "板が更新されていません。",
        }, HttpStatusCode.Created);
        var number = created.GetProperty("number").GetString()!;
        await admin.PostJson($"/api/v1/incidents/{number}/commander", new { userId = commander.UserName });

        var track = await admin.GetJson($"/api/v1/incidents/{number}/regulatory");
        Assert.Equal("2026-11-20T04:00:00Z", Filing(track, "immediate").GetProperty("dueAt").GetString());
        Assert.Equal(JsonValueKind.Null, Filing(track, "restoration").GetProperty("dueAt").ValueKind);
        Assert.Equal("due once restored", Filing(track, "restoration").GetProperty("waitingFor").GetString());
        Assert.Equal(JsonValueKind.Null, Filing(track, "cause_found").GetProperty("dueAt").ValueKind);
        Assert.Equal("2026-12-20T03:00:00Z", Filing(track, "status_report").GetProperty("dueAt").GetString());
        var draft = Filing(track, "immediate").GetProperty("draft").GetString()!;
        Assert.Contains("障害発生等報告書（第一報）", draft);
        Assert.Contains("金融庁長官 殿", draft);
        Assert.Contains(number, draft);
        Assert.Contains("BTC/JPY 取引", draft);
        Assert.Contains("板が更新されていません。", draft);
        Assert.Contains("- 状況報告（1か月）: 2026-12-20 12:00 JST まで", draft);

        // At once: compliance and the commander hear of both deadlines that are set.
        await RunJobs(app);
        var opened = await Reminders(app);
        Assert.Equal(4, opened.Count);
        Assert.Equal(["commander@example.jp", "compliance@example.jp"], opened.Select(m => m.Recipient).Distinct().Order());
        Assert.Contains(opened, m => m.Subject!.Contains("第一報") && m.Subject.Contains("2026-11-20 13:00 JST"));

        clock.Advance(TimeSpan.FromMinutes(45));
        await RunJobs(app);
        Assert.Equal(6, (await Reminders(app)).Count);

        clock.Advance(TimeSpan.FromMinutes(16));
        await RunJobs(app);
        var all = await Reminders(app);
        Assert.Equal(8, all.Count);
        Assert.All(all.Skip(6), m => Assert.StartsWith("【当局報告・期限超過】", m.Subject));
        var overdue = await admin.GetJson("/api/v1/filings?overdue=true");
        Assert.Equal(["immediate"], overdue.EnumerateArray().Select(f => f.GetProperty("kind").GetString()!).ToArray());

        var immediateId = Filing(track, "immediate").GetProperty("id").GetString();
        var responder = await app.UserAsync(Roles.Responder);
        Assert.Equal(HttpStatusCode.Forbidden, (await responder.Client.PostAsJsonAsync($"/api/v1/filings/{immediateId}/submit", new { })).StatusCode);
        var submitted = await officer.Client.PostJson($"/api/v1/filings/{immediateId}/submit", new { reference = "電話で第一報、受付 12345" });
        Assert.Equal("submitted", submitted.GetProperty("status").GetString());
        Assert.Equal("電話で第一報、受付 12345", submitted.GetProperty("reference").GetString());
        Assert.Equal(officer.Id.ToString(), (await app.WithDbAsync(db => db.RegulatoryFilings.AsNoTracking().SingleAsync(f => f.Id == Guid.Parse(immediateId!)))).SubmittedById.ToString());
        Assert.Equal(HttpStatusCode.Conflict, (await officer.Client.PostAsJsonAsync($"/api/v1/filings/{immediateId}/submit", new { })).StatusCode);

        // Submitted: the overdue reminders stop.
        clock.Advance(TimeSpan.FromHours(5));
        await RunJobs(app);
        Assert.Equal(8, (await Reminders(app)).Count);
        Assert.Empty((await admin.GetJson("/api/v1/filings?overdue=true")).EnumerateArray());

        // The cause is found: its report is due in 72 h and the month's status report is no longer needed.
        var causeAt = clock.GetUtcNow().UtcDateTime;
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/v1/incidents/{number}", new { cause = "Gateway sequence overflow." })).StatusCode);
        foreach (var to in new[] { "triaging", "investigating", "recovering", "verifying" })
        {
            await Scripted.Move(admin, number, to);
        }
        clock.Advance(TimeSpan.FromMinutes(30));
        await Scripted.Move(admin, number, "resolved");
        var later = await admin.GetJson($"/api/v1/incidents/{number}/regulatory");
        Assert.Equal(causeAt.AddHours(72), Filing(later, "cause_found").GetProperty("dueAt").GetDateTime().ToUniversalTime());
        Assert.Equal("not_required", Filing(later, "status_report").GetProperty("status").GetString());
        Assert.Equal("cause-found", Filing(later, "status_report").GetProperty("notRequiredReason").GetString());
        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddHours(24), Filing(later, "restoration").GetProperty("dueAt").GetDateTime().ToUniversalTime());
        Assert.Contains("Gateway sequence overflow.", Filing(later, "cause_found").GetProperty("draft").GetString());
        Assert.Contains("電話で第一報", Filing(later, "immediate").GetProperty("reference").GetString());

        var timeline = await admin.GetJson($"/api/v1/incidents/{number}/timeline");
        Assert.Single(timeline.EnumerateArray(), e => e.GetProperty("kind").GetString() == "filing");
        Assert.True((await admin.GetJson($"/api/v1/incidents/{number}/timeline/verify")).GetProperty("valid").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ComplianceDecidesWithAReasonAndCanHandBackToTheRule(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Scripted.Manual());
        var admin = app.Admin();
        var officer = await app.UserAsync(Roles.Compliance);
        var responder = await app.UserAsync(Roles.Responder);
        var number = (await admin.PostJson("/api/v1/incidents", new { title = "ETH withdrawals delayed", category = "withdrawal", impactScope = "some",
            componentIds = new[] { "withdrawal.eth.ethereum" } }, HttpStatusCode.Created)).GetProperty("number").GetString();
        var url = $"/api/v1/incidents/{number}/regulatory";

        var noReason = await officer.Client.PutAsJsonAsync(url, new { reportable = false });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.Json()).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.Forbidden, (await responder.Client.PutAsJsonAsync(url, new { reportable = false, reason = "x" })).StatusCode);

        var decided = await (await officer.Client.PutAsJsonAsync(url, new { reportable = false, reason = "Failover removed all impact within seconds." })).Json();
        Assert.False(decided.GetProperty("reportable").GetBoolean());
        Assert.True(decided.GetProperty("manual").GetBoolean());
        Assert.Equal("Failover removed all impact within seconds.", decided.GetProperty("reasonEn").GetString());
        Assert.All(decided.GetProperty("filings").EnumerateArray(), f => Assert.Equal("not_required", f.GetProperty("status").GetString()));

        // The rule no longer overrides a person's decision…
        await admin.PatchAsJsonAsync($"/api/v1/incidents/{number}", new { impactScope = "many" });
        Assert.False((await admin.GetJson(url)).GetProperty("reportable").GetBoolean());

        // …until they hand it back.
        var back = await (await officer.Client.PutAsJsonAsync(url, new { automatic = true })).Json();
        Assert.True(back.GetProperty("reportable").GetBoolean());
        Assert.False(back.GetProperty("manual").GetBoolean());
        Assert.All(back.GetProperty("filings").EnumerateArray(), f => Assert.Equal("pending", f.GetProperty("status").GetString()));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EditedDraftIsWhatGetsSubmittedAndIsFrozen(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Scripted.Manual());
        var admin = app.Admin();
        var number = (await admin.PostJson("/api/v1/incidents", new { title = "API errors", category = "api", impactScope = "some", componentIds = new[] { "api.public" } }, HttpStatusCode.Created)).GetProperty("number").GetString();
        var track = await admin.GetJson($"/api/v1/incidents/{number}/regulatory");
        var id = Filing(track, "immediate").GetProperty("id").GetString();

        var tooLong = await admin.PutAsJsonAsync($"/api/v1/filings/{id}/draft", new { text = new string('あ', 50_001) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var edited = await (await admin.PutAsJsonAsync($"/api/v1/filings/{id}/draft", new { text = "障害発生等報告書（第一報）\n担当者が加筆した本文" })).Json();
        Assert.True(edited.GetProperty("draftEdited").GetBoolean());
        await admin.PostJson($"/api/v1/filings/{id}/submit", new { submittedAt = "2020-01-01T00:00:00Z", note = "e-Gov" });
        await admin.PatchAsJsonAsync($"/api/v1/incidents/{number}", new { description = "later change" });

        var text = await (await admin.GetAsync($"/api/v1/filings/{id}?format=markdown")).Content.ReadAsStringAsync();
        Assert.Contains("担当者が加筆した本文", text);
        var html = await (await admin.GetAsync($"/api/v1/filings/{id}?format=html")).Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"ja\">", html);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PutAsJsonAsync($"/api/v1/filings/{id}/draft", new { text = "x" })).StatusCode);
        var future = await admin.PostAsJsonAsync($"/api/v1/filings/{Filing(track, "status_report").GetProperty("id").GetString()}/submit", new { submittedAt = "2099-01-01T00:00:00Z" });
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
    }
}
