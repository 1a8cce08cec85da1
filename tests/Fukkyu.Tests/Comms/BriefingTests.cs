using System.Net;
using System.Net.Http.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Notifications;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tools.SmtpSink;
using Microsoft.EntityFrameworkCore;
using static Fukkyu.Tests.Comms.CommsKit;

namespace Fukkyu.Tests.Comms;

public sealed class BriefingTests
{
    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EachAudienceGetsItsOwnBriefingEditedSentInItsLanguageAndOnTheTimeline(Store store)
    {
        await using var sink = new SmtpSinkServer();
        await using var app = await FukkyuApp.StartAsync(store, settings: SubscriberTests.Settings(sink.Port));
        var admin = app.Admin();
        var executive = await app.UserAsync(Roles.Executive);
        var support = await app.UserAsync(Roles.Support);
        var comms = await app.UserAsync(Roles.Comms);
        var responder = await app.UserAsync(Roles.Responder);
        await admin.PatchAsJsonAsync($"/api/v1/users/{executive.Id}", new { email = "ceo@exchange.test" });
        await admin.PatchAsJsonAsync($"/api/v1/users/{support.Id}", new { email = "support@exchange.test", language = "en" });
        await admin.PatchAsJsonAsync($"/api/v1/users/{comms.Id}", new { email = "pr@exchange.test" });
        await admin.PatchAsJsonAsync($"/api/v1/users/{responder.Id}", new { email = "oncall@exchange.test" });
        var (id, number) = await DeclareAsync(admin, TradingIncident());
        await admin.PostJson($"/api/v1/incidents/{number}/members", new { userId = responder.Id.ToString(), role = "responder" });

        var team = await admin.GetJson($"/api/v1/incidents/{number}/briefings/team/draft");
        Assert.Contains("次の対応", team.GetProperty("body").GetProperty("ja").GetString());
        Assert.Contains("Next steps", team.GetProperty("body").GetProperty("en").GetString());
        Assert.Equal(2, team.GetProperty("recipients").GetInt32()); // the declarer and the responder
        var management = await admin.GetJson($"/api/v1/incidents/{number}/briefings/management/draft");
        var mgmtJa = management.GetProperty("body").GetProperty("ja").GetString()!;
        Assert.Contains("最悪の場合", mgmtJa);
        Assert.Contains("取引停止が長時間に及び", mgmtJa);
        Assert.Contains("復旧見込み", mgmtJa);
        var pr = await admin.GetJson($"/api/v1/incidents/{number}/briefings/pr/draft");
        Assert.Contains("まだお知らせを公開していません", pr.GetProperty("body").GetProperty("ja").GetString());

        await PostNoticeAsync(admin, number, Notice());
        var supportDraft = await admin.GetJson($"/api/v1/incidents/{number}/briefings/support/draft");
        var supportEn = supportDraft.GetProperty("body").GetProperty("en").GetString()!;
        Assert.Contains("Issue affecting BTC/JPY trading", supportEn);
        Assert.Contains("Never ask for passwords", supportEn);
        Assert.Contains("What happens to my orders?", supportEn);
        Assert.Contains("BTC/JPY 取引の障害について", (await admin.GetJson($"/api/v1/incidents/{number}/briefings/pr/draft")).GetProperty("body").GetProperty("ja").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await responder.Client.PostAsJsonAsync($"/api/v1/incidents/{number}/briefings", new { audience = "management" })).StatusCode);
        var sent = await comms.Client.PostJson($"/api/v1/incidents/{number}/briefings", new
        {
            audience = "management",
            subject = new { ja = "【INC】取引停止のご報告", en = "Trading halt" },
            body = new { ja = mgmtJa + "\n補足: 取締役会へは15時に報告予定。", en = "See Japanese." },
        }, HttpStatusCode.Created);
        Assert.Equal(1, sent.GetProperty("recipients").GetInt32());
        await comms.Client.PostJson($"/api/v1/incidents/{number}/briefings", new { audience = "support" }, HttpStatusCode.Created);
        await SubscriberTests.DrainAsync(app);

        var ceo = sink.Messages.Single(m => m.To.Single() == "ceo@exchange.test");
        var ceoMail = MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.Latin1.GetBytes(ceo.Data)));
        Assert.Equal("【INC】取引停止のご報告", ceoMail.Subject);
        Assert.Contains("取締役会へは15時に報告予定", ceoMail.TextBody);
        var agent = MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.Latin1.GetBytes(sink.Messages.Single(m => m.To.Single() == "support@exchange.test").Data)));
        Assert.Contains("Briefing for customer support", agent.Subject);
        Assert.Contains("identity", agent.TextBody);

        var timeline = await admin.GetJson($"/api/v1/incidents/{id}/timeline");
        var entries = timeline.EnumerateArray().Where(e => e.GetProperty("kind").GetString() == NoticeTimeline.Briefing).ToList();
        Assert.Equal(2, entries.Count);
        Assert.Contains("取締役会へは15時に報告予定", entries[0].GetProperty("body").GetString());
        Assert.Equal(2, (await admin.GetJson($"/api/v1/incidents/{number}/briefings")).GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/v1/incidents/{number}/briefings/board/draft")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ADrillsBriefingsSayTheyAreADrill(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: SubscriberTests.Settings());
        var admin = app.Admin();
        var executive = await app.UserAsync(Roles.Executive);
        await admin.PatchAsJsonAsync($"/api/v1/users/{executive.Id}", new { email = "ceo@exchange.test" });
        var (_, number) = await DeclareAsync(admin, TradingIncident(drill: true));

        var draft = await admin.GetJson($"/api/v1/incidents/{number}/briefings/management/draft");
        Assert.StartsWith("【訓練】", draft.GetProperty("subject").GetProperty("ja").GetString());
        Assert.StartsWith("THIS IS A DRILL", draft.GetProperty("body").GetProperty("en").GetString());
        await admin.PostJson($"/api/v1/incidents/{number}/briefings", new { audience = "management" }, HttpStatusCode.Created);
        var mail = await app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Purpose == "briefing"));
        Assert.StartsWith("【訓練】", mail.Subject);
    }
}
