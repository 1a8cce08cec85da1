using System.Net;
using System.Text.Json;
using Fukkyu.Server.StatusPage;
using Fukkyu.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Comms;

/// <summary>Shared steps of the communication tests: incidents, notices, and reading the public page.</summary>
internal static class CommsKit
{
    public static object Notice(string titleJa = "BTC/JPY 取引の障害について", string titleEn = "Issue affecting BTC/JPY trading",
        string status = "investigating", DateTime? occurredAt = null, string whatJa = "BTC/JPY の注文が約定しない状態です。", bool deliver = true) => new
        {
            status,
            occurredAt = occurredAt ?? DateTime.UtcNow.AddMinutes(-5),
            title = new { ja = titleJa, en = titleEn },
            whatHappened = new { ja = whatJa, en = "Orders on BTC/JPY are not executed." },
            impact = new { ja = "BTC/JPY の取引をご利用いただけません。", en = "BTC/JPY trading is unavailable." },
            recoveryOutlook = new { ja = "復旧の見込みは未定です。", en = "No estimate yet." },
            alternatives = new { ja = "現時点で代替手段はありません。", en = "There is no alternative at the moment." },
            deliverNotifications = deliver,
        };

    /// <summary>Level 1: the website, some users, 10 minutes.</summary>
    public static object MinorIncident(string title = "Website slow", bool drill = false, bool security = false) =>
        new { title, category = "web", impactScope = "some", expectedRecoveryMinutes = 10, componentIds = new[] { "web.site" }, drill, security };

    /// <summary>Level 2: trading is a main function.</summary>
    public static object TradingIncident(string title = "BTC/JPY matching stalled", bool drill = false) =>
        new { title, category = "trading", impactScope = "some", expectedRecoveryMinutes = 20, componentIds = new[] { "trading.btc_jpy" }, drill };

    public static async Task<(string Id, string Number)> DeclareAsync(HttpClient client, object incident)
    {
        var created = await client.PostJson("/api/v1/incidents", incident, HttpStatusCode.Created);
        return (created.GetProperty("id").GetString()!, created.GetProperty("number").GetString()!);
    }

    public static async Task<JsonElement> PostNoticeAsync(HttpClient client, string incident, object notice) =>
        await client.PostJson($"/api/v1/incidents/{incident}/updates", notice, HttpStatusCode.Created);

    public static async Task RefreshAsync(FukkyuApp app) =>
        Assert.NotNull(await app.Services.GetRequiredService<StatusSnapshots>().RefreshAsync(CancellationToken.None));

    public static async Task<string> PageAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    public static string Hex(Guid id) => id.ToString("N");

    public static string Hex(string id) => Guid.Parse(id).ToString("N");
}
