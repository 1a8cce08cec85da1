using System.Net;
using System.Net.Http.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Subscribers;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Fukkyu.Tests.Comms.CommsKit;

namespace Fukkyu.Tests.Comms;

/// <summary>The operator UI of communication, used as a person would: no JavaScript, forms and redirects.</summary>
public sealed class OperatorUiTests
{
    private static async Task<(FukkyuApp App, OpsBrowser Admin)> StartAsync(Store store)
    {
        var app = await FukkyuApp.StartAsync(store, settings: SubscriberTests.Settings(extra: new() { ["Fukkyu:Notices:RequireApprovalFromLevel"] = "2" }));
        return (app, await OpsBrowser.SignInAsync(app, "admin", FukkyuApp.AdminPassword));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ANoticeIsComposedFromATemplateOnTheIncidentPageAndApprovedInTheQueue(Store store)
    {
        var (app, admin) = await StartAsync(store);
        await using var _ = app;
        var comms = await app.UserAsync(Roles.Comms);
        await app.Admin().PatchAsJsonAsync($"/api/v1/users/{comms.Id}", new { password = "comms-password-1" });
        var (id, number) = await DeclareAsync(app.Admin(), TradingIncident("Matching engine <b>stalled</b>"));

        var page = await admin.GetAsync($"/ops/incidents/{number}?noticeStatus=identified");
        Assert.Contains("Public notices", page);
        Assert.Contains("Internal briefings", page);
        Assert.Contains("Level 2: notices are published once a comms or commander role approves them.", page);
        // The composer holds the template of the status asked for, in both languages.
        Assert.Contains("の障害について、原因を特定し、復旧作業を行っています。", page);
        Assert.Contains("We have found the cause of the failure of BTC/JPY trading", page);
        Assert.Contains("Matching engine &lt;b&gt;stalled&lt;/b&gt;", page);

        var refused = await admin.PostFormAsync($"/ops/incidents/{number}", "notice-compose", new()
        {
            ["status"] = "identified", ["occurredAt"] = "2026-01-01T09:00", ["title.ja"] = "タイトル", ["title.en"] = "Title",
            ["whatHappened.ja"] = "内容", ["whatHappened.en"] = "What", ["impact.ja"] = "", ["impact.en"] = "Impact",
            ["recoveryOutlook.ja"] = "未定", ["recoveryOutlook.en"] = "Unknown", ["alternatives.ja"] = "なし", ["alternatives.en"] = "None", ["deliver"] = "true",
        });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var refusedHtml = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Impact scope (日本語) is required (manual 3.2).", refusedHtml);
        Assert.Contains(">内容</textarea>", refusedHtml);

        var composed = await admin.PostFormAsync($"/ops/incidents/{number}", "notice-compose", new()
        {
            ["status"] = "identified", ["occurredAt"] = "2026-01-01T09:00", ["title.ja"] = "BTC/JPY の取引停止について", ["title.en"] = "BTC/JPY trading halted",
            ["whatHappened.ja"] = "マッチングエンジンが停止しました。", ["whatHappened.en"] = "The matching engine stopped.",
            ["impact.ja"] = "BTC/JPY の取引", ["impact.en"] = "BTC/JPY trading", ["recoveryOutlook.ja"] = "15時頃", ["recoveryOutlook.en"] = "Around 15:00",
            ["alternatives.ja"] = "なし", ["alternatives.en"] = "None", ["deliver"] = "true",
        });
        Assert.Equal(HttpStatusCode.Redirect, composed.StatusCode);
        var notice = await app.WithDbAsync(db => db.Notices.AsNoTracking().SingleAsync());
        Assert.Equal(NoticeState.PendingApproval, notice.State);
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), notice.OccurredAt); // 09:00 JST

        // The author cannot approve their own notice; a comms person can, from the queue.
        Assert.DoesNotContain("Approve and publish", await admin.GetAsync("/ops/notices"));
        var commsBrowser = await OpsBrowser.SignInAsync(app, comms.UserName, "comms-password-1", "ja");
        var queue = await commsBrowser.GetAsync("/ops/notices");
        Assert.Contains("BTC/JPY の取引停止について", queue);
        var approved = await commsBrowser.PostFormAsync("/ops/notices", $"notice-approve-{notice.Id:N}", []);
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        Assert.Equal(NoticeState.Published, (await app.WithDbAsync(db => db.Notices.AsNoTracking().SingleAsync())).State);
        Assert.Contains("承認待ちのお知らせはありません。", await commsBrowser.GetAsync("/ops/notices"));
        Assert.Contains(NoticeTimeline.Published, (await app.Admin().GetJson($"/api/v1/incidents/{id}/timeline")).ToString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task MaintenanceSubscribersAndBriefingsWorkFromTheirPages(Store store)
    {
        var (app, admin) = await StartAsync(store);
        await using var _ = app;
        var executive = await app.UserAsync(Roles.Executive);
        await app.Admin().PatchAsJsonAsync($"/api/v1/users/{executive.Id}", new { email = "ceo@exchange.test" });

        Assert.Contains("Scheduled maintenance", await admin.GetAsync("/ops/maintenance"));
        var from = Tokyo(DateTime.UtcNow.AddDays(1));
        var created = await admin.PostFormAsync("/ops/maintenance", "maintenance-create", new()
        {
            ["from"] = from, ["until"] = Tokyo(DateTime.UtcNow.AddDays(1).AddHours(2)), ["remind"] = "30",
            ["title.ja"] = "定期メンテナンス", ["title.en"] = "Regular maintenance", ["whatWeDo.ja"] = "サーバー更新", ["whatWeDo.en"] = "Server update",
            ["impact.ja"] = "全取引", ["impact.en"] = "All trading", ["alternatives.ja"] = "なし", ["alternatives.en"] = "None", ["auto"] = "true",
        }, [("component", "trading.btc_jpy"), ("component", "trading.eth_jpy")]);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var list = await admin.GetAsync("/ops/maintenance");
        Assert.Contains("Regular maintenance", list);
        Assert.Contains("Start now", list);

        Assert.Contains("Subscribers", await admin.GetAsync("/ops/subscribers"));
        var added = await admin.PostFormAsync("/ops/subscribers", "subscriber-add", new() { ["kind"] = "push", ["address"] = "device-token-1", ["language"] = "en", ["label"] = "iOS app" });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Contains("device-token-1", await added.Content.ReadAsStringAsync());
        Assert.Equal(SubscriberKind.Push, (await app.WithDbAsync(db => db.Subscribers.AsNoTracking().SingleAsync())).Kind);

        var (_, number) = await DeclareAsync(app.Admin(), TradingIncident());
        var incident = await admin.GetAsync($"/ops/incidents/{number}");
        Assert.Contains("management", incident);
        var sent = await admin.PostFormAsync($"/ops/incidents/{number}", "briefing-management", new()
        {
            ["subject.ja"] = "経営陣へのご報告", ["subject.en"] = "Report", ["body.ja"] = "状況: 調査中", ["body.en"] = "Status: investigating",
        });
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.Briefings.CountAsync()));
        Assert.Contains("経営陣へのご報告", await (await OpsBrowser.SignInAsync(app, "admin", FukkyuApp.AdminPassword, "ja")).GetAsync($"/ops/incidents/{number}"));
    }

    private static string Tokyo(DateTime utc) => Fukkyu.Server.Infrastructure.Tokyo.FromUtc(utc).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
