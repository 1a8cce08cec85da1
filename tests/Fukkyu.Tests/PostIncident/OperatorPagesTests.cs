using System.Net;
using System.Text.RegularExpressions;
using Fukkyu.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Fukkyu.Tests.PostIncident;

/// <summary>The operator pages of the after-incident features, signed in with a cookie as a person would be.</summary>
public sealed partial class OperatorPagesTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    private static async Task<HttpClient> SignInAsync(FukkyuApp app)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ja");
        var page = await client.GetStringAsync("/ops/signin");
        var response = await client.PostAsync("/ops/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = Token().Match(page).Groups[1].Value,
            ["Input.UserName"] = "admin",
            ["Input.Password"] = FukkyuApp.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, string form, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(url);
        fields["_handler"] = form;
        fields["__RequestVerificationToken"] = Token().Match(page).Groups[1].Value;
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task PagesAndPanelsShowTheReportFilingsActionsRegisterMetricsDrillsAndReviews(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var number = await Scripted.BookIncidentAsync(app, clock);
        await app.Admin().PostJson("/api/v1/action-items", new { title = "期限切れの手順見直し", kind = "procedure", owner = "admin", dueOn = "2026-11-01" }, HttpStatusCode.Created);
        clock.Advance(TimeSpan.FromHours(2)); // the immediate report is now overdue
        var ops = await SignInAsync(app);

        var dashboard = await ops.GetStringAsync("/ops");
        Assert.Contains("期限が近い・超過した当局報告", dashboard);
        Assert.Contains("第一報", dashboard);
        Assert.Contains("期限超過の再発防止策", dashboard);
        Assert.Contains("期限切れの手順見直し", dashboard);
        Assert.Contains("見直し期限", dashboard);

        var incident = await ops.GetStringAsync($"/ops/incidents/{number}");
        Assert.Contains("障害報告書", incident);
        Assert.Contains("当局への報告対象", incident);
        Assert.Contains("Alert on sequence gaps in market data", incident);
        Assert.Contains("システム障害記録台帳", incident);

        var saved = await PostFormAsync(ops, $"/ops/incidents/{number}/report", "sections", new() { ["ja.cause"] = "ゲートウェイのシーケンス番号が桁あふれした。" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var report = await app.Admin().GetJson($"/api/v1/incidents/{number}/report");
        Assert.Equal("ゲートウェイのシーケンス番号が桁あふれした。", Scripted.Section(report, "cause", "ja"));
        Assert.False(report.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "summary").GetProperty("ja").GetProperty("edited").GetBoolean());

        var classified = await PostFormAsync(ops, $"/ops/incidents/{number}", "classify", new() { ["causeClass"] = "software", ["remarks"] = "台帳の備考" });
        Assert.True(classified.StatusCode == HttpStatusCode.Redirect, await classified.Content.ReadAsStringAsync());
        Assert.Equal("software", (await app.Admin().GetJson("/api/v1/register"))[0].GetProperty("causeClass").GetString());

        foreach (var page in new[] { "/ops/register", "/ops/register/trends", "/ops/metrics", "/ops/drills", "/ops/reviews", "/ops/filings", "/ops/action-items" })
        {
            var response = await ops.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page} answered {(int)response.StatusCode}");
        }
        var csv = await ops.GetAsync("/ops/register/export?format=csv&lang=ja");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0xEF, (await csv.Content.ReadAsByteArrayAsync())[0]);
        var html = await ops.GetAsync($"/ops/incidents/{number}/report/export?format=html&lang=ja");
        Assert.Contains("障害報告書", await html.Content.ReadAsStringAsync());
    }
}
