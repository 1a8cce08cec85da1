using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Notifications;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Fukkyu.Tests.Comms.CommsKit;

namespace Fukkyu.Tests.Comms;

public sealed class NoticeTests
{
    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AnUpdateWithoutTheManualsItemsIsRefusedNamingEachMissingOne(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (id, _) = await DeclareAsync(admin, MinorIncident());

        var empty = await admin.PostAsJsonAsync($"/api/v1/incidents/{id}/updates", new { });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var errors = (await empty.Json()).GetProperty("errors");
        foreach (var field in new[] { "occurredAt", "title.ja", "title.en", "whatHappened.ja", "whatHappened.en", "impact.ja", "impact.en",
            "recoveryOutlook.ja", "recoveryOutlook.en", "alternatives.ja", "alternatives.en" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} is not named");
        }

        // One item missing in one language: only that one is named, in the caller's language.
        var partial = await app.Admin("ja").PostAsJsonAsync($"/api/v1/incidents/{id}/updates", new
        {
            occurredAt = DateTime.UtcNow.AddMinutes(-3),
            title = new { ja = "障害", en = "Issue" },
            whatHappened = new { ja = "内容", en = "What" },
            impact = new { ja = "範囲", en = "Scope" },
            recoveryOutlook = new { ja = "未定", en = "" },
            alternatives = new { ja = "なし", en = "None" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, partial.StatusCode);
        var only = (await partial.Json()).GetProperty("errors");
        Assert.Equal(["recoveryOutlook.en"], only.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Contains("復旧見込み", only.GetProperty("recoveryOutlook.en")[0].GetString());

        var future = await admin.PostAsJsonAsync($"/api/v1/incidents/{id}/updates", Notice(occurredAt: DateTime.UtcNow.AddHours(2)));
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        Assert.True((await future.Json()).GetProperty("errors").TryGetProperty("occurredAt", out _));
        Assert.Equal(0, (await admin.GetJson($"/api/v1/incidents/{id}/updates")).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ALevelOneNoticeIsPublishedAtOnceAndShowsOnThePageAndInTheJson(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (id, number) = await DeclareAsync(admin, MinorIncident("Internal: LB pool exhausted"));
        await admin.PostJson($"/api/v1/incidents/{number}/transitions", new { to = "triaging" });

        var notice = await PostNoticeAsync(admin, number, Notice("ウェブサイトの表示遅延について", "Website slowness"));
        Assert.Equal("published", notice.GetProperty("state").GetString());
        Assert.Equal(1, notice.GetProperty("seq").GetInt32());
        Assert.Contains("発生日時", notice.GetProperty("body").GetProperty("ja").GetString());
        Assert.Contains("Recovery outlook", notice.GetProperty("body").GetProperty("en").GetString());
        await RefreshAsync(app);

        var anonymous = app.Anonymous("ja");
        var unresolved = await anonymous.GetJson("/api/v2/incidents/unresolved.json");
        var incident = Assert.Single(unresolved.GetProperty("incidents").EnumerateArray());
        Assert.Equal(Hex(id), incident.GetProperty("id").GetString());
        Assert.Equal("ウェブサイトの表示遅延について", incident.GetProperty("name").GetString());
        Assert.Equal("investigating", incident.GetProperty("status").GetString());
        Assert.Equal("minor", incident.GetProperty("impact").GetString());
        var update = Assert.Single(incident.GetProperty("incident_updates").EnumerateArray());
        Assert.Contains("代替手段: 現時点で代替手段はありません。", update.GetProperty("body").GetString());
        Assert.Equal("Website slowness", (await app.Anonymous("en").GetJson("/api/v2/incidents/unresolved.json")).GetProperty("incidents")[0].GetProperty("name").GetString());

        var home = await PageAsync(anonymous, "/");
        Assert.Contains("ウェブサイトの表示遅延について", home);
        Assert.DoesNotContain("LB pool exhausted", home);
        var detail = await PageAsync(anonymous, $"/ja/incidents/{Hex(id)}");
        Assert.Contains("BTC/JPY の取引をご利用いただけません。", detail);
        Assert.Contains("ウェブサイトの表示遅延について", await PageAsync(anonymous, "/ja/notices"));
        var atom = await PageAsync(anonymous, "/ja/feed.atom");
        Assert.Contains("ウェブサイトの表示遅延について", atom);
        Assert.Equal("minor", (await anonymous.GetJson("/api/v2/status.json")).GetProperty("status").GetProperty("indicator").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task FromLevelTwoANoticeWaitsForApprovalBySomeoneElseWithCommsOrCommander(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: new Dictionary<string, string?> { ["Fukkyu:Outbox:Enabled"] = "false" });
        var admin = app.Admin();
        var responder = await app.UserAsync(Roles.Responder);
        var comms = await app.UserAsync(Roles.Comms);
        var otherComms = await app.UserAsync(Roles.Comms);
        await admin.PatchAsJsonAsync($"/api/v1/users/{otherComms.Id}", new { email = "pr@example.jp" });
        var (id, number) = await DeclareAsync(admin, TradingIncident());

        var pending = await PostNoticeAsync(comms.Client, number, Notice());
        Assert.Equal("pending_approval", pending.GetProperty("state").GetString());
        var noticeId = pending.GetProperty("id").GetString();
        await RefreshAsync(app);
        Assert.Empty((await app.Anonymous().GetJson("/api/v2/incidents.json")).GetProperty("incidents").EnumerateArray());
        // The other comms person was asked to approve, by email in their language.
        var ask = await app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Purpose == "notice-approval").ToListAsync());
        Assert.Equal(["pr@example.jp"], ask.Select(m => m.Recipient).ToArray());

        Assert.Equal(HttpStatusCode.Forbidden, (await responder.Client.PostAsync($"/api/v1/notices/{noticeId}/approve", null)).StatusCode);
        var self = await comms.Client.PostAsync($"/api/v1/notices/{noticeId}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Equal("self-approval", (await self.Json()).GetProperty("title").GetString());

        var approved = await otherComms.Client.PostJson($"/api/v1/notices/{noticeId}/approve", new { });
        Assert.Equal("published", approved.GetProperty("state").GetString());
        Assert.Equal("User " + otherComms.UserName, approved.GetProperty("reviewerName").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await otherComms.Client.PostAsync($"/api/v1/notices/{noticeId}/approve", null)).StatusCode);

        await RefreshAsync(app);
        var listed = Assert.Single((await app.Anonymous().GetJson("/api/v2/incidents.json")).GetProperty("incidents").EnumerateArray());
        Assert.Equal("major", listed.GetProperty("impact").GetString());
        var timeline = await admin.GetJson($"/api/v1/incidents/{id}/timeline");
        Assert.Contains(timeline.EnumerateArray(), e => e.GetProperty("kind").GetString() == NoticeTimeline.Submitted);
        Assert.Contains(timeline.EnumerateArray(), e => e.GetProperty("kind").GetString() == NoticeTimeline.Published);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ASentBackNoticeNeedsAReasonAndNeverShows(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var commander = await app.UserAsync(Roles.Commander);
        var (_, number) = await DeclareAsync(admin, TradingIncident());
        var noticeId = (await PostNoticeAsync(admin, number, Notice("誤った文面"))).GetProperty("id").GetString();

        var noReason = await commander.Client.PostAsJsonAsync($"/api/v1/notices/{noticeId}/reject", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.Json()).GetProperty("errors").TryGetProperty("reason", out _));
        var rejected = await commander.Client.PostJson($"/api/v1/notices/{noticeId}/reject", new { reason = "影響範囲が違います" });
        Assert.Equal("rejected", rejected.GetProperty("state").GetString());
        Assert.Equal("影響範囲が違います", rejected.GetProperty("rejectReason").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await commander.Client.PostAsync($"/api/v1/notices/{noticeId}/approve", null)).StatusCode);

        await RefreshAsync(app);
        Assert.DoesNotContain("誤った文面", await PageAsync(app.Anonymous(), "/ja/notices"));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ADrillsNoticesNeverReachThePagesTheJsonTheFeedsOrTheSubscribers(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (id, number) = await DeclareAsync(admin, MinorIncident("Drill: website down", drill: true));

        var notice = await PostNoticeAsync(admin, number, Notice("訓練用のお知らせ", "Drill notice"));
        Assert.Equal("published", notice.GetProperty("state").GetString());
        Assert.True(notice.GetProperty("drill").GetBoolean());
        await RefreshAsync(app);

        var anonymous = app.Anonymous();
        foreach (var path in new[] { "/ja/", "/en/", "/ja/notices", "/ja/history", "/ja/feed.atom", "/ja/feed.rss", "/api/v2/summary.json", "/api/v2/incidents.json", "/en/api/v2/incidents.json" })
        {
            var text = await PageAsync(anonymous, path);
            Assert.DoesNotContain("訓練用のお知らせ", text);
            Assert.DoesNotContain("Drill notice", text);
            Assert.DoesNotContain(Hex(id), text);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/ja/incidents/{Hex(id)}")).StatusCode);
        Assert.False(await app.WithDbAsync(db => db.Set<Job>().AnyAsync(j => j.Kind == NoticeService.FanoutJobKind)));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ASecurityIncidentIsPublicOnlyUnderItsApprovedNoticeTitle(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: new Dictionary<string, string?> { ["Fukkyu:Notices:RequireApprovalFromLevel"] = "3" });
        var admin = app.Admin();
        var commander = await app.UserAsync(Roles.Commander);
        var created = await admin.PostJson("/api/v1/incidents", new
        {
            title = "Hot wallet outflow 1,200 BTC to bc1qattacker",
            category = "security",
            impactScope = "many",
            componentIds = new[] { "withdrawal.btc.bitcoin", "security.wallet" },
            security = true,
        }, HttpStatusCode.Created);
        var number = created.GetProperty("number").GetString()!;
        await RefreshAsync(app);
        Assert.DoesNotContain("1,200 BTC", await PageAsync(app.Anonymous("ja"), "/"));

        // Even with approval configured only for level 3, a security notice waits for approval.
        var pending = await PostNoticeAsync(admin, number, Notice("BTC出金の一時停止について", "BTC withdrawals paused"));
        Assert.Equal("pending_approval", pending.GetProperty("state").GetString());
        await commander.Client.PostJson($"/api/v1/notices/{pending.GetProperty("id").GetString()}/approve", new { });
        await RefreshAsync(app);

        var anonymous = app.Anonymous("ja");
        var summary = await PageAsync(anonymous, "/api/v2/summary.json");
        Assert.Contains("BTC出金の一時停止について", summary);
        Assert.DoesNotContain("attacker", summary);
        Assert.DoesNotContain("ウォレット・セキュリティ監視", summary); // not a public component
        var html = await PageAsync(anonymous, "/");
        Assert.Contains("BTC出金の一時停止について", html);
        Assert.DoesNotContain("attacker", html);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheTemplateIsFilledPerCategoryAndStatusInBothLanguages(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, number) = await DeclareAsync(admin, TradingIncident());

        var investigating = await admin.GetJson($"/api/v1/incidents/{number}/updates/template");
        Assert.Equal("investigating", investigating.GetProperty("status").GetString());
        Assert.True(investigating.GetProperty("needsApproval").GetBoolean());
        Assert.Equal("BTC/JPY 取引の障害について", investigating.GetProperty("title").GetProperty("ja").GetString());
        Assert.Equal("Issue affecting BTC/JPY trading", investigating.GetProperty("title").GetProperty("en").GetString());
        Assert.Contains("注文の発注・取消", investigating.GetProperty("impact").GetProperty("ja").GetString());
        Assert.Contains("placing or cancelling orders", investigating.GetProperty("impact").GetProperty("en").GetString());
        Assert.Contains("頃の復旧を見込んでいます", investigating.GetProperty("recoveryOutlook").GetProperty("ja").GetString());

        var resolved = await admin.GetJson($"/api/v1/incidents/{number}/updates/template?status=resolved");
        Assert.Contains("（復旧）", resolved.GetProperty("title").GetProperty("ja").GetString());
        Assert.Contains("資産残高", resolved.GetProperty("alternatives").GetProperty("ja").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/v1/incidents/{number}/updates/template?status=completed")).StatusCode);

        // The filled template is itself a complete notice.
        var posted = await PostNoticeAsync(admin, number, new
        {
            status = "investigating",
            occurredAt = investigating.GetProperty("occurredAt").GetDateTime(),
            title = investigating.GetProperty("title"),
            whatHappened = investigating.GetProperty("whatHappened"),
            impact = investigating.GetProperty("impact"),
            recoveryOutlook = investigating.GetProperty("recoveryOutlook"),
            alternatives = investigating.GetProperty("alternatives"),
        });
        Assert.Equal("pending_approval", posted.GetProperty("state").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WithoutAnUpdateFor30MinutesAtLevelTwoTheCommanderAndCommsAreReminded(Store store)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero));
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: new Dictionary<string, string?>
        {
            ["Fukkyu:Jobs:Enabled"] = "false",
            ["Fukkyu:Outbox:Enabled"] = "false",
            ["Fukkyu:Notices:RequireApprovalFromLevel"] = "0",
        });
        var admin = app.Admin();
        var commander = await app.UserAsync(Roles.Commander);
        var comms = await app.UserAsync(Roles.Comms);
        await admin.PatchAsJsonAsync($"/api/v1/users/{commander.Id}", new { email = "commander@example.jp" });
        await admin.PatchAsJsonAsync($"/api/v1/users/{comms.Id}", new { email = "comms@example.jp", language = "en" });
        var (id, number) = await DeclareAsync(admin, TradingIncident());
        await admin.PostJson($"/api/v1/incidents/{number}/commander", new { userId = commander.Id.ToString() });
        var runner = app.Services.GetRequiredService<JobRunner>();
        async Task<List<OutboxMessage>> Reminders() =>
            await app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Purpose == "notice-cadence").OrderBy(m => m.Recipient).ToListAsync());

        clock.Advance(TimeSpan.FromMinutes(29));
        await runner.RunDueAsync(CancellationToken.None);
        Assert.Empty(await Reminders());

        clock.Advance(TimeSpan.FromMinutes(1));
        await runner.RunDueAsync(CancellationToken.None);
        var first = await Reminders();
        Assert.Equal(["commander@example.jp", "comms@example.jp"], first.Select(m => m.Recipient).ToArray());
        Assert.Contains("30", first.Single(m => m.Recipient == "comms@example.jp").Subject);
        Assert.Contains("分間", first.Single(m => m.Recipient == "commander@example.jp").Subject);

        // A notice restarts the clock.
        clock.Advance(TimeSpan.FromMinutes(5));
        await PostNoticeAsync(admin, number, Notice(occurredAt: clock.GetUtcNow().UtcDateTime.AddMinutes(-30)));
        clock.Advance(TimeSpan.FromMinutes(26));
        await runner.RunDueAsync(CancellationToken.None);
        Assert.Equal(2, (await Reminders()).Count);
        clock.Advance(TimeSpan.FromMinutes(4));
        await runner.RunDueAsync(CancellationToken.None);
        Assert.Equal(4, (await Reminders()).Count);

        // Level 3: every 15 minutes.
        await admin.PostJson($"/api/v1/incidents/{number}/level", new { level = 3, reason = "all users" });
        clock.Advance(TimeSpan.FromMinutes(15));
        await runner.RunDueAsync(CancellationToken.None);
        Assert.Equal(6, (await Reminders()).Count);

        // Resolved: no more reminders.
        foreach (var to in new[] { "triaging", "investigating", "recovering", "verifying", "resolved" })
        {
            await admin.PostJson($"/api/v1/incidents/{number}/transitions", new { to, overrideReason = to == "resolved" ? "checked by hand" : null });
        }
        clock.Advance(TimeSpan.FromHours(2));
        await runner.RunDueAsync(CancellationToken.None);
        Assert.Equal(6, (await Reminders()).Count);
        var reminders = (await admin.GetJson($"/api/v1/incidents/{id}/timeline")).EnumerateArray().Count(e => e.GetProperty("kind").GetString() == NoticeTimeline.Reminder);
        Assert.Equal(3, reminders);
    }
}
