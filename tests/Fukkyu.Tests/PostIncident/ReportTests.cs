using System.Net;
using System.Net.Http.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.PostIncident;
using Fukkyu.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.PostIncident;

public sealed class ReportTests
{
    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EachSectionIsDraftedFromTheScriptedIncidentInBothLanguages(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var number = await Scripted.BookIncidentAsync(app, clock);

        var report = await app.Admin().GetJson($"/api/v1/incidents/{number}/report");

        Assert.Equal("draft", report.GetProperty("status").GetString());
        string En(string key) => Scripted.Section(report, key, "en");
        string Ja(string key) => Scripted.Section(report, key, "ja");

        Assert.Contains("Started: 2026-11-20 11:55 JST", En("occurrence"));
        Assert.Contains("Detected: 2026-11-20 12:00 JST (detected automatically by monitoring)", En("occurrence"));
        Assert.Contains("佐藤 花子 (sato@example.jp)", En("occurrence"));
        Assert.Contains("障害発生日時: 2026-11-20 11:55 JST", Ja("occurrence"));
        Assert.Contains("監視システムによる自動検知", Ja("occurrence"));

        Assert.StartsWith("BTC/JPY order book stale", En("summary"));
        Assert.Contains("The order book sequence stopped advancing.", En("summary"));
        Assert.Contains("Level: 2", En("summary"));
        Assert.Contains("レベル: 2", Ja("summary"));

        Assert.Contains("- BTC/JPY trading (Major outage)", En("impact"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("- WebSocket streams (Degraded performance)", En("impact"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("- BTC/JPY 取引", Ja("impact"));
        Assert.Contains("Time window: 2026-11-20 11:55 JST – 2026-11-20 12:40 JST (45 min)", En("impact"));
        Assert.Contains("影響時間帯: 2026-11-20 11:55 JST 〜 2026-11-20 12:40 JST（45分）", Ja("impact"));
        Assert.Contains("Affected users (estimate): 1,200", En("impact"));
        Assert.Contains("1,200人", Ja("impact"));

        Assert.Equal("Sequence counter overflow in the market data gateway.", En("cause"));
        Assert.Equal("Sequence counter overflow in the market data gateway.", Ja("cause"));

        var steps = En("response").Split('\n');
        Assert.Contains(steps, l => l.StartsWith("- 12:02 Status:", StringComparison.Ordinal) && l.Contains("Paged the trading on-call."));
        Assert.Contains(steps, l => l.StartsWith("- 12:05 Note — Restarted the matching engine gateway. (Administrator)", StringComparison.Ordinal));
        Assert.Contains(steps, l => l.StartsWith("- 12:15 ", StringComparison.Ordinal) && l.Contains("cause"));
        Assert.Contains(steps, l => l.StartsWith("- 12:55 Status:", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, l => l.Contains("No effect.")); // one line per step
        Assert.Contains("- 12:05 メモ — Restarted the matching engine gateway.", Ja("response"));

        Assert.Contains("Time to detect: 5 min", En("recovery"));
        Assert.Contains("Time to acknowledge (from detection): 2 min", En("recovery"));
        Assert.Contains("Time to recover (from detection): 40 min", En("recovery"));
        Assert.Contains("Time to resolve (from detection): 55 min", En("recovery"));
        Assert.Contains("- Recovery work began: 2026-11-20 12:20 JST", En("recovery"));
        Assert.Contains("解決までの時間（検知から）: 55分", Ja("recovery"));

        Assert.Equal("- [Monitoring] Alert on sequence gaps in market data — owner Administrator, due 2026-12-01, open", En("prevention"));
        Assert.Equal("- ［監視システムの強化］Alert on sequence gaps in market data（担当: Administrator、期限: 2026-12-01、状況: 未着手）", Ja("prevention"));

        Assert.Contains("BTC/JPY order book stale", En("public_summary"));
        Assert.Contains("Cause: Sequence counter overflow", En("public_summary"));
        Assert.Contains("再発防止のため 1 件の対策を実施します。", Ja("public_summary"));

        var times = report.GetProperty("times");
        Assert.Equal(300, times.GetProperty("timeToDetectSeconds").GetDouble());
        Assert.Equal(120, times.GetProperty("timeToAcknowledgeSeconds").GetDouble());
        Assert.Equal(2400, times.GetProperty("timeToRecoverSeconds").GetDouble());
        Assert.Equal(3300, times.GetProperty("timeToResolveSeconds").GetDouble());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task MarkdownAndHtmlAreWrittenInTheAskedLanguageWithUserTextEncoded(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var number = await Scripted.BookIncidentAsync(app, clock, description: "Book <b>stale</b> & <script>alert(1)</script>");
        var admin = app.Admin();

        var md = await admin.GetAsync($"/api/v1/incidents/{number}/report?format=markdown&lang=ja");
        Assert.Equal("text/markdown", md.Content.Headers.ContentType?.MediaType);
        var markdown = await md.Content.ReadAsStringAsync();
        Assert.StartsWith($"# 障害報告書 {number}", markdown);
        Assert.Contains("## 1. 障害発生日時", markdown);
        Assert.Contains("## 7. 再発防止策", markdown);
        Assert.Contains("&lt;script>", markdown);
        Assert.DoesNotContain("<script>", markdown);

        var html = await admin.GetAsync($"/api/v1/incidents/{number}/report?format=html&lang=en");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", html.Headers.GetValues("Content-Security-Policy").Single());
        var page = await html.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"en\">", page);
        Assert.Contains("@page { size: A4", page);
        Assert.Contains($"Incident report {number}", page);
        Assert.Contains("<h2>3. Impact</h2>", page);
        Assert.Contains("<li>BTC/JPY trading (Major outage)</li>", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page);
        Assert.DoesNotContain("<script>", page);

        var bad = await admin.GetAsync($"/api/v1/incidents/{number}/report?format=docx&lang=fr");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("format", out _));
        Assert.True(errors.TryGetProperty("lang", out _));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ReviewFreezesTheDraftAndApprovalNeedsASecondPerson(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var number = await Scripted.BookIncidentAsync(app, clock);
        var admin = app.Admin();
        var commander = await app.UserAsync(Roles.Commander);
        var responder = await app.UserAsync(Roles.Responder);
        var url = $"/api/v1/incidents/{number}/report";

        var edited = await responder.Client.PutAsJsonAsync($"{url}/sections/cause", new { lang = "ja", text = "マーケットデータゲートウェイのシーケンス番号のオーバーフロー。" });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var afterEdit = await edited.Json();
        Assert.Equal("マーケットデータゲートウェイのシーケンス番号のオーバーフロー。", Scripted.Section(afterEdit, "cause", "ja"));
        Assert.True(afterEdit.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "cause").GetProperty("ja").GetProperty("edited").GetBoolean());

        await admin.PostJson(url + "/submit", new { comment = "Ready" });
        // Frozen: a later note does not change what the reviewer reads.
        await admin.PostJson($"/api/v1/incidents/{number}/notes", new { text = "Late note after submission" }, HttpStatusCode.Created);
        Assert.DoesNotContain("Late note", Scripted.Section(await admin.GetJson(url), "response", "en"));
        Assert.Equal(HttpStatusCode.Conflict, (await responder.Client.PutAsJsonAsync($"{url}/sections/cause", new { lang = "en", text = "x" })).StatusCode);

        var selfApproval = await admin.PostAsJsonAsync(url + "/approve", new { });
        Assert.Equal(HttpStatusCode.Conflict, selfApproval.StatusCode);
        Assert.Equal("four-eyes", (await selfApproval.Json()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await responder.Client.PostAsJsonAsync(url + "/approve", new { })).StatusCode);

        var noReason = await commander.Client.PostAsJsonAsync(url + "/request-changes", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        await commander.Client.PostJson(url + "/request-changes", new { comment = "Add the customer impact" });
        var draft = await admin.GetJson(url);
        Assert.Equal("draft", draft.GetProperty("status").GetString());
        Assert.Equal("Add the customer impact", draft.GetProperty("reviewComment").GetString());
        Assert.Contains("Late note after submission", Scripted.Section(draft, "response", "en")); // follows the timeline again
        Assert.Equal("マーケットデータゲートウェイのシーケンス番号のオーバーフロー。", Scripted.Section(draft, "cause", "ja")); // edits kept

        await admin.PostJson(url + "/submit", new { });
        var approved = await commander.Client.PostJson(url + "/approve", new { comment = "OK" });
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(commander.UserName, approved.GetProperty("approvedBy").GetString()!.Split(' ')[^1]);

        var published = await commander.Client.PostJson(url + "/publish", new { });
        Assert.Equal("published", published.GetProperty("status").GetString());
        IReadOnlyList<Postmortem> postmortems;
        using (var scope = app.Services.CreateScope())
        {
            postmortems = await scope.ServiceProvider.GetRequiredService<IPostmortemSource>()
                .PublishedAsync([published.GetProperty("incidentId").GetGuid()], CancellationToken.None);
        }
        var postmortem = Assert.Single(postmortems);
        Assert.Contains("BTC/JPY order book stale", postmortem.BodyEn);
        // The status page reads the same publication through its own contract.
        using (var scope = app.Services.CreateScope())
        {
            var reports = await scope.ServiceProvider.GetRequiredService<Fukkyu.Server.StatusPage.IPublicReportSource>()
                .PublishedAsync([published.GetProperty("incidentId").GetGuid()], CancellationToken.None);
            Assert.Equal(postmortem.BodyJa, Assert.Single(reports).SummaryJa);
        }

        var timeline = await admin.GetJson($"/api/v1/incidents/{number}/timeline");
        Assert.Equal(["submitted", "changes_requested", "submitted", "approved", "published"],
            timeline.EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "report").Select(e => e.GetProperty("data").GetProperty("action").GetString()!).ToArray());
        Assert.True((await admin.GetJson($"/api/v1/incidents/{number}/timeline/verify")).GetProperty("valid").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task OnlyAResolvedRealIncidentsApprovedReportIsPublished(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Scripted.Manual());
        var admin = app.Admin();
        var commander = await app.UserAsync(Roles.Commander);
        var open = (await admin.PostJson("/api/v1/incidents", new { title = "Website slow", category = "web", impactScope = "some" }, HttpStatusCode.Created)).GetProperty("number").GetString();
        var drill = (await admin.PostJson("/api/v1/incidents", new { title = "Drill: website down", category = "web", impactScope = "all", drill = true }, HttpStatusCode.Created)).GetProperty("number").GetString();

        foreach (var n in new[] { open, drill })
        {
            Assert.Equal(HttpStatusCode.Conflict, (await commander.Client.PostAsJsonAsync($"/api/v1/incidents/{n}/report/publish", new { })).StatusCode);
            await admin.PostJson($"/api/v1/incidents/{n}/report/submit", new { });
            await commander.Client.PostJson($"/api/v1/incidents/{n}/report/approve", new { });
        }
        var notResolved = await commander.Client.PostAsJsonAsync($"/api/v1/incidents/{open}/report/publish", new { });
        Assert.Equal("not-resolved", (await notResolved.Json()).GetProperty("title").GetString());
        var drillRefused = await commander.Client.PostAsJsonAsync($"/api/v1/incidents/{drill}/report/publish", new { });
        Assert.Equal("drill", (await drillRefused.Json()).GetProperty("title").GetString());
        Assert.StartsWith("# Drill — incident report", await (await admin.GetAsync($"/api/v1/incidents/{drill}/report?format=markdown&lang=en")).Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task BadSectionEditsAnswerProblemDetailsNamingTheField(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Scripted.Manual());
        var admin = app.Admin();
        var number = (await admin.PostJson("/api/v1/incidents", new { title = "API errors", category = "api", impactScope = "some" }, HttpStatusCode.Created)).GetProperty("number").GetString();

        var unknown = await admin.PutAsJsonAsync($"/api/v1/incidents/{number}/report/sections/nonsense", new { lang = "de", text = new string('x', 20_001) });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var errors = (await unknown.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("key", out _));
        Assert.True(errors.TryGetProperty("lang", out _));
        Assert.True(errors.TryGetProperty("text", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/incidents/INC-1999-0001/report")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/v1/incidents/INC-1999-0001/report/submit", new { })).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task PdfIsPrintedByHeadlessChromiumWhereInstalled(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var number = await Scripted.BookIncidentAsync(app, clock);
        var chromium = app.Services.GetRequiredService<ChromiumPdf>();

        var response = await app.Admin().GetAsync($"/api/v1/incidents/{number}/report?format=pdf&lang=ja");

        if (!chromium.Available)
        {
            // CI installs Chromium: there a missing browser is a failure, not a skip.
            Assert.False(Stores.InCi, "Chromium is not installed in CI.");
            Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
            return;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));
        Assert.True(bytes.Length > 5_000, $"PDF of {bytes.Length} bytes");
    }
}
