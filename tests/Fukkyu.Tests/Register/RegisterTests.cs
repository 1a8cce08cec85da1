using System.Net;
using System.Net.Http.Json;
using System.Text;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tests.PostIncident;

namespace Fukkyu.Tests.Register;

public sealed class RegisterTests
{
    /// <summary>RFC 4180, as Excel writes and reads it.</summary>
    internal static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                i++;
            }
            else
            {
                field.Append(c);
            }
        }
        Assert.Empty(row); // every line ends with CRLF
        return rows;
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task CsvReadsBackWithTheRightColumnsAndJapaneseTextIntact(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var admin = app.Admin();
        var eth = await admin.PostJson("/api/v1/incidents", new
        {
            title = "ETH 出金の遅延（イーサリアム）", category = "withdrawal", impactScope = "many", expectedRecoveryMinutes = 120,
            components = new[] { new { id = "withdrawal.eth.ethereum", impact = "major_outage" } },
            startedAt = Scripted.Noon.UtcDateTime.AddMinutes(-10), affectedUsersEstimate = 350,
        }, HttpStatusCode.Created);
        var ethNumber = eth.GetProperty("number").GetString()!;
        clock.Advance(TimeSpan.FromMinutes(3));
        await Scripted.Move(admin, ethNumber, "triaging");
        await admin.PatchAsJsonAsync($"/api/v1/incidents/{ethNumber}", new { cause = "ノードの同期遅延, \"geth\" が停止\n再起動で回復" });
        foreach (var to in new[] { "investigating", "recovering" })
        {
            await Scripted.Move(admin, ethNumber, to);
        }
        clock.Advance(TimeSpan.FromMinutes(47));
        await Scripted.Move(admin, ethNumber, "verifying");
        await Scripted.Move(admin, ethNumber, "resolved");
        var classified = await admin.PutAsJsonAsync($"/api/v1/register/{ethNumber}", new { causeClass = "third_party", remarks = "ブロックチェーンノード" });
        Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
        var formula = (await admin.PostJson("/api/v1/incidents", new { title = "=HYPERLINK(\"http://evil\")", category = "web", impactScope = "some" }, HttpStatusCode.Created)).GetProperty("number").GetString()!;
        await admin.PostJson("/api/v1/incidents", new { title = "訓練: ウェブサイト停止", category = "web", impactScope = "all", drill = true }, HttpStatusCode.Created);

        var response = await admin.GetAsync("/api/v1/register?format=csv&lang=ja");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("failure-register-20261120.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var rows = ParseCsv(new UTF8Encoding(false).GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal(
            ["管理番号", "件名", "区分", "レベル", "状態", "発生日時", "検知日時", "受付日時", "解決日時", "影響時間（分）", "影響を受けた機能", "影響範囲",
             "影響利用者数（推計）", "発生原因", "原因分類", "当局報告対象", "当局報告（提出済/必要）", "再発防止策（完了/件数）", "障害報告書", "指揮者", "セキュリティ", "備考"],
            rows[0]);
        Assert.Equal(3, rows.Count); // header + two incidents; the drill is not a failure
        Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
        var e = rows[1];
        Assert.Equal(ethNumber, e[0]);
        Assert.Equal("ETH 出金の遅延（イーサリアム）", e[1]);
        Assert.Equal("出金", e[2]);
        Assert.Equal("2", e[3]);
        Assert.Equal("2026-11-20 11:50", e[5]);
        Assert.Equal("2026-11-20 12:00", e[6]);
        Assert.Equal("2026-11-20 12:03", e[7]);
        Assert.Equal("2026-11-20 12:50", e[8]);
        Assert.Equal("60", e[9]);
        Assert.Contains("ETH 出金（イーサリアム）", e[10]);
        Assert.Equal("350", e[12]);
        Assert.Equal("ノードの同期遅延, \"geth\" が停止\n再起動で回復", e[13]);
        Assert.Equal("外部サービス・ブロックチェーン", e[14]);
        Assert.Equal("はい", e[15]);
        Assert.Equal("0/3", e[16]); // the month's status report is not needed once the cause is known
        Assert.Equal("ブロックチェーンノード", e[21]);
        Assert.Equal(formula, rows[2][0]);
        Assert.Equal("'=HYPERLINK(\"http://evil\")", rows[2][1]);

        var english = ParseCsv(Encoding.UTF8.GetString(await admin.GetByteArrayAsync("/api/v1/register?format=csv&lang=en"))[1..]);
        Assert.Equal("Number", english[0][0]);
        Assert.Equal("ETH 出金の遅延（イーサリアム）", english[1][1]);
        Assert.Equal("Withdrawals", english[1][2], ignoreCase: true);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task FiltersAndTrendsCountByMonthCategoryComponentCauseAndLevel(Store store)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 9, 10, 1, 0, 0, TimeSpan.Zero));
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual(new() { ["Fukkyu:Severity:EscalateLevel1AfterMinutes"] = "10000000", ["Fukkyu:Severity:EscalateLevel2AfterMinutes"] = "10000000" }));
        var admin = app.Admin();
        async Task<string> Declare(string title, string category, string scope, string component, string cause)
        {
            var n = (await admin.PostJson("/api/v1/incidents", new { title, category, impactScope = scope, expectedRecoveryMinutes = 10, componentIds = new[] { component } }, HttpStatusCode.Created))
                .GetProperty("number").GetString()!;
            await admin.PutAsJsonAsync($"/api/v1/register/{n}", new { causeClass = cause });
            return n;
        }
        await Declare("Site down", "web", "some", "web.site", "network");            // 2026-09, level 1
        clock.Advance(TimeSpan.FromDays(61));                                          // 2026-11
        var book = await Declare("Book stale", "trading", "many", "trading.btc_jpy", "software");   // level 2
        await Declare("Site slow", "web", "some", "web.site", "network");             // level 1

        var network = await admin.GetJson("/api/v1/register?causeClass=network");
        Assert.Equal(2, network.GetArrayLength());
        Assert.Equal([book], (await admin.GetJson("/api/v1/register?level=2")).EnumerateArray().Select(r => r.GetProperty("number").GetString()!));
        Assert.Equal([book], (await admin.GetJson("/api/v1/register?component=trading.btc_jpy")).EnumerateArray().Select(r => r.GetProperty("number").GetString()!));
        Assert.Equal(2, (await admin.GetJson("/api/v1/register?from=2026-11-01&to=2026-11-30")).GetArrayLength());
        var bad = await admin.GetAsync("/api/v1/register?from=2026-13-01&causeClass=aliens&level=9");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("from", out _) && errors.TryGetProperty("causeClass", out _) && errors.TryGetProperty("level", out _));

        var trends = await admin.GetJson("/api/v1/register/trends?from=2026-09-01&to=2026-11-30");
        Assert.Equal(3, trends.GetProperty("total").GetInt32());
        Assert.Equal(["2026-09:1", "2026-10:0", "2026-11:2"],
            trends.GetProperty("byMonth").EnumerateArray().Select(b => $"{b.GetProperty("key").GetString()}:{b.GetProperty("count").GetInt32()}"));
        Assert.Equal(["web:2", "trading:1"],
            trends.GetProperty("byCategory").EnumerateArray().Select(b => $"{b.GetProperty("key").GetString()}:{b.GetProperty("count").GetInt32()}"));
        Assert.Equal(["web.site:2", "trading.btc_jpy:1"],
            trends.GetProperty("byComponent").EnumerateArray().Select(b => $"{b.GetProperty("key").GetString()}:{b.GetProperty("count").GetInt32()}"));
        Assert.Equal(["network:2", "software:1"],
            trends.GetProperty("byCauseClass").EnumerateArray().Select(b => $"{b.GetProperty("key").GetString()}:{b.GetProperty("count").GetInt32()}"));
        Assert.Equal(["1:2", "2:1", "3:0"],
            trends.GetProperty("byLevel").EnumerateArray().Select(b => $"{b.GetProperty("key").GetString()}:{b.GetProperty("count").GetInt32()}"));
    }
}
