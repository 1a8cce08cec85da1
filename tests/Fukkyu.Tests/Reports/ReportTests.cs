using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Reports;
using Fukkyu.Tests.Detection;
using Fukkyu.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Fukkyu.Tests.Alerts.AlertKit;

namespace Fukkyu.Tests.Reports;

/// <summary>Reports intake: the manual's 2.1 fields, suggestions, link or declare, and the N-reports alert.</summary>
public sealed class ReportTests
{
    private static object CustomerReport(string what = "出金が1時間以上「審査中」のまま進みません", string component = "withdrawal.eth.ethereum", string? name = "山田 太郎") => new
    {
        occurredAt = DateTime.UtcNow.AddMinutes(-20),
        what,
        impactSeen = "ETH を引き出せない",
        reporterName = name,
        reporterContact = "yamada@example.jp",
        channel = "support",
        customerReference = "INQ-88812",
        componentId = component,
    };

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SupportRecordsAReportAndFukkyuSuggestsTheMatchingOpenIncident(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var support = await app.UserAsync(Roles.Support);
        var eth = await admin.PostJson("/api/v1/incidents", new { title = "ETH 出金の遅延", category = "withdrawal", impactScope = "many", componentIds = new[] { "withdrawal.eth.ethereum" }, description = "ETH の出金が審査中で滞留" }, HttpStatusCode.Created);
        await admin.PostJson("/api/v1/incidents", new { title = "Website slow", category = "web", impactScope = "some", componentIds = new[] { "web.site" } }, HttpStatusCode.Created);

        var created = await support.Client.PostJson("/api/v1/reports", CustomerReport(), HttpStatusCode.Created);

        Assert.Equal("山田 太郎", created.GetProperty("reporterName").GetString());
        Assert.Equal("yamada@example.jp", created.GetProperty("reporterContact").GetString());
        Assert.Equal("support", created.GetProperty("channel").GetString());
        Assert.Equal("INQ-88812", created.GetProperty("customerReference").GetString());
        var suggestions = created.GetProperty("suggestions");
        var best = suggestions[0];
        Assert.Equal(eth.GetProperty("number").GetString(), best.GetProperty("number").GetString());
        Assert.True(best.GetProperty("sameComponent").GetBoolean());
        Assert.Contains("出金", best.GetProperty("sharedWords").EnumerateArray().Select(w => w.GetString()));
        Assert.DoesNotContain(suggestions.EnumerateArray(), s => s.GetProperty("title").GetString() == "Website slow");
    }

    [Fact]
    public void WordsMatchWithoutAComponentToo()
    {
        var words = ReportMatcher.Words("BTC/JPY の板が止まっている。Order book stale!");
        Assert.Contains("btc/jpy", words);
        Assert.Contains("板が", words);
        Assert.Contains("stale", words);
        Assert.DoesNotContain("the", ReportMatcher.Words("the order"));
        Assert.Contains("サー", ReportMatcher.Words("サーバー")); // the long-vowel mark stays inside the word
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task LinkingPutsTheReportOnTheTimelineWithoutTheReportersPersonalData(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var support = await app.UserAsync(Roles.Support);
        var incident = await admin.PostJson("/api/v1/incidents", new { title = "ETH withdrawals delayed", category = "withdrawal", impactScope = "many", componentIds = new[] { "withdrawal.eth.ethereum" } }, HttpStatusCode.Created);
        var report = await support.Client.PostJson("/api/v1/reports", CustomerReport(), HttpStatusCode.Created);
        var id = report.GetProperty("id").GetString();

        var linked = await support.Client.PostJson($"/api/v1/reports/{id}/link", new { incidentId = incident.GetProperty("number").GetString() });

        Assert.Equal(incident.GetProperty("number").GetString(), linked.GetProperty("incidentNumber").GetString());
        var timeline = await admin.GetJson($"/api/v1/incidents/{incident.GetProperty("id").GetString()}/timeline");
        var entry = timeline.EnumerateArray().Last();
        Assert.Equal("report_linked", entry.GetProperty("kind").GetString());
        Assert.Contains("審査中", entry.GetProperty("body").GetString());
        Assert.DoesNotContain("yamada@example.jp", entry.GetRawText());
        Assert.DoesNotContain("山田", entry.GetRawText());
        Assert.Equal("Report linked (customer, through support)", entry.GetProperty("summary").GetString());
        var unknown = await support.Client.PostAsJsonAsync($"/api/v1/reports/{id}/link", new { incidentId = "INC-1999-0001" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task DeclaringFromAReportCarriesTheReporterTimesAndComponent(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var staff = await app.UserAsync(Roles.Responder);
        var occurred = new DateTime(2026, 11, 23, 4, 10, 0, DateTimeKind.Utc);
        var report = await staff.Client.PostJson("/api/v1/reports", new
        {
            occurredAt = occurred,
            what = "App login fails with error 500 on iOS",
            reporterName = "鈴木 一郎",
            reporterContact = "内線 2231",
            channel = "internal",
            componentId = "app.mobile",
        }, HttpStatusCode.Created);

        var declared = await staff.Client.PostJson($"/api/v1/reports/{report.GetProperty("id").GetString()}/declare", new { impactScope = "many" }, HttpStatusCode.Created);

        Assert.Equal("App login fails with error 500 on iOS", declared.GetProperty("title").GetString());
        Assert.Equal("app", declared.GetProperty("category").GetString());
        Assert.Equal("internal", declared.GetProperty("reporter").GetProperty("channel").GetString());
        Assert.Equal("鈴木 一郎", declared.GetProperty("reporter").GetProperty("name").GetString());
        Assert.Equal("内線 2231", declared.GetProperty("reporter").GetProperty("contact").GetString());
        Assert.Equal(occurred, declared.GetProperty("startedAt").GetDateTime().ToUniversalTime());
        Assert.Equal("app.mobile", declared.GetProperty("components")[0].GetProperty("key").GetString());
        var after = await staff.Client.GetJson($"/api/v1/reports/{report.GetProperty("id").GetString()}");
        Assert.Equal(declared.GetProperty("number").GetString(), after.GetProperty("incidentNumber").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ThreeReportsAboutOneComponentWithinTheWindowRaiseAnAlertThatOpensAnIncident(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var support = await app.UserAsync(Roles.Support);

        await support.Client.PostJson("/api/v1/reports", CustomerReport("ログインできない", "web.site", "A"), HttpStatusCode.Created);
        await support.Client.PostJson("/api/v1/reports", CustomerReport("サイトが表示されない", "web.site", "B"), HttpStatusCode.Created);
        await support.Client.PostJson("/api/v1/reports", CustomerReport("Other component", "trading.btc_jpy", "C"), HttpStatusCode.Created);
        Assert.Equal(0, (await AlertsAsync(admin)).GetArrayLength());
        await support.Client.PostJson("/api/v1/reports", CustomerReport("エラー画面になる", "web.site", "D"), HttpStatusCode.Created);

        var alert = (await RoutedAsync(admin, expected: 1))[0];
        Assert.Equal("reports", alert.GetProperty("origin").GetString());
        Assert.Equal("web.site", alert.GetProperty("componentKey").GetString());
        Assert.StartsWith("3 reports about", alert.GetProperty("summary").GetString());
        Assert.Equal("opened", alert.GetProperty("outcome").GetString());
        var incident = await admin.GetJson($"/api/v1/incidents/{alert.GetProperty("incident").GetProperty("number").GetString()}");
        Assert.Equal("support", incident.GetProperty("reporter").GetProperty("channel").GetString());

        await support.Client.PostJson("/api/v1/reports", CustomerReport("まだ見られない", "web.site", "E"), HttpStatusCode.Created);
        var folded = await EventuallyAsync(() => AlertsAsync(admin), a => a[0].GetProperty("count").GetInt32() == 2, "the fourth report to fold in");
        Assert.Equal(1, folded.GetArrayLength());
    }

    [Fact]
    public async Task TheReportsAlertResolvesWhenAWholeWindowPassesWithoutReports()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, clock);
        var admin = app.Admin();
        for (var i = 0; i < 3; i++)
        {
            await admin.PostJson("/api/v1/reports", CustomerReport("入金が反映されない", "deposit.jpy.bank", $"R{i}"), HttpStatusCode.Created);
        }
        await RoutedAsync(admin, expected: 1);
        var sweeper = app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ReportAlertSweeper>().Single();

        clock.Advance(TimeSpan.FromMinutes(10));
        await sweeper.SweepAsync(default);
        Assert.Equal("triggered", (await AlertsAsync(admin))[0].GetProperty("status").GetString());
        clock.Advance(TimeSpan.FromMinutes(6));
        await sweeper.SweepAsync(default);

        Assert.Equal("resolved", (await AlertsAsync(admin))[0].GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ReportsNeedWhatAndWhoAndStayAwayFromViewers(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var support = await app.UserAsync(Roles.Support);
        var viewer = await app.UserAsync(Roles.Viewer);

        var empty = await support.Client.PostAsJsonAsync("/api/v1/reports", new { });
        var monitoring = await support.Client.PostAsJsonAsync("/api/v1/reports", new { what = "x", reporterName = "y", channel = "monitoring" });
        var future = await support.Client.PostAsJsonAsync("/api/v1/reports", new { what = "x", reporterName = "y", occurredAt = DateTime.UtcNow.AddDays(1) });
        var tooLong = await support.Client.PostAsJsonAsync("/api/v1/reports", new { what = new string('x', 4001), reporterName = "y" });

        var errors = (await empty.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("what", out _));
        Assert.True(errors.TryGetProperty("reporterName", out _));
        Assert.True((await monitoring.Json()).GetProperty("errors").TryGetProperty("channel", out _));
        Assert.True((await future.Json()).GetProperty("errors").TryGetProperty("occurredAt", out _));
        Assert.True((await tooLong.Json()).GetProperty("errors").TryGetProperty("what", out _));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Client.GetAsync("/api/v1/reports")).StatusCode);
        Assert.Equal(0, (await support.Client.GetJson("/api/v1/reports")).GetArrayLength());
    }

    [Fact]
    public async Task SupportFillsTheFormAndLinksTheSuggestedIncidentInTheUi()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var admin = app.Admin();
        var incident = await admin.PostJson("/api/v1/incidents", new { title = "XRP 取引の停止", category = "trading", impactScope = "many", componentIds = new[] { "trading.xrp_jpy" } }, HttpStatusCode.Created);
        var support = await app.UserAsync(Roles.Support);
        var ops = await OpsSession.SignInAsync(app, support.UserName, "password-" + support.UserName, language: "ja");

        var page = await ops.PostFormAsync("/ops/reports/new?channel=support", "report", new()
        {
            ["channel"] = "support", ["occurredAt"] = "2026-11-23T13:05", ["component"] = "trading.xrp_jpy",
            ["what"] = "XRP の注文が <b>通らない</b>", ["reporterName"] = "佐藤", ["reporterContact"] = "090-0000-0000", ["customerReference"] = "A-1",
        });

        Assert.Contains("XRP の注文が &lt;b&gt;通らない&lt;/b&gt;", page);
        Assert.Contains("2026-11-23 13:05 JST", page);
        Assert.Contains(incident.GetProperty("number").GetString()!, page);
        var reportId = (await support.Client.GetJson("/api/v1/reports"))[0].GetProperty("id").GetString();
        Assert.Contains($"link-{incident.GetProperty("id").GetString()}", page);
        var linked = await ops.PostFormAsync($"/ops/reports/{reportId}", $"link-{incident.GetProperty("id").GetString()}", []);
        Assert.Contains("関連付け先", linked);

        var reports = await support.Client.GetJson("/api/v1/reports");
        Assert.Equal(incident.GetProperty("number").GetString(), reports[0].GetProperty("incidentNumber").GetString());
        Assert.Equal(new DateTime(2026, 11, 23, 4, 5, 0, DateTimeKind.Utc), reports[0].GetProperty("occurredAt").GetDateTime().ToUniversalTime());
    }
}
