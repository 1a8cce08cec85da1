using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Fukkyu.Tests.PostIncident;

/// <summary>Helpers for the after-incident tests: a clock, quiet workers, users with email, scripted incidents.</summary>
public static class Scripted
{
    /// <summary>2026-11-20 12:00 JST.</summary>
    public static readonly DateTimeOffset Noon = new(2026, 11, 20, 3, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Noon);

    /// <summary>
    /// Jobs and outbox off: the tests drive them. Auto-escalation off too: these tests move the
    /// clock by hours and days, and a background escalation would race the test's own changes.
    /// </summary>
    public static Dictionary<string, string?> Manual(Dictionary<string, string?>? more = null)
    {
        var s = new Dictionary<string, string?>
        {
            ["Fukkyu:Jobs:Enabled"] = "false",
            ["Fukkyu:Outbox:Enabled"] = "false",
            ["Fukkyu:Severity:EscalateLevel1AfterMinutes"] = "10000000",
            ["Fukkyu:Severity:EscalateLevel2AfterMinutes"] = "10000000",
            // The scripted incidents move straight to resolved: the recovery gate has its own tests.
            ["Fukkyu:Recovery:Enabled"] = "false",
        };
        foreach (var (k, v) in more ?? [])
        {
            s[k] = v;
        }
        return s;
    }

    public static async Task<TestUser> PersonAsync(FukkyuApp app, string email, params string[] roles)
    {
        var admin = app.Admin();
        var name = "p" + Guid.NewGuid().ToString("N")[..10];
        var created = await admin.PostJson("/api/v1/users", new { userName = name, displayName = "Person " + name, email, roles, language = "ja" }, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var key = await admin.PostJson("/api/v1/api-keys", new { name = "test", userId = id }, HttpStatusCode.Created);
        var apiKey = key.GetProperty("key").GetString()!;
        return new TestUser(id, name, apiKey, app.Client(apiKey));
    }

    public static async Task<JsonElement> Move(HttpClient client, string id, string to, string? note = null) =>
        await client.PostJson($"/api/v1/incidents/{id}/transitions", new { to, note });

    /// <summary>
    /// The BTC/JPY order book incident, scripted minute by minute: started 11:55, detected 12:00,
    /// acknowledged 12:02, investigating 12:05, cause 12:15, recovering 12:20, verifying 12:40,
    /// resolved 12:55 (Japan time), with two notes and one prevention measure.
    /// </summary>
    public static async Task<string> BookIncidentAsync(FukkyuApp app, FakeTimeProvider clock, string? description = null)
    {
        var admin = app.Admin();
        var created = await admin.PostJson("/api/v1/incidents", new
        {
            title = "BTC/JPY order book stale",
            category = "trading",
            impactScope = "many",
            expectedRecoveryMinutes = 60,
            components = new object[] { new { id = "trading.btc_jpy", impact = "major_outage" }, new { id = "api.websocket", impact = "degraded_performance" } },
            description = description ?? "The order book sequence stopped advancing.",
            reporter = new { name = "佐藤 花子", contact = "sato@example.jp", channel = "monitoring" },
            startedAt = Noon.UtcDateTime.AddMinutes(-5),
            affectedUsersEstimate = 1200,
        }, HttpStatusCode.Created);
        var number = created.GetProperty("number").GetString()!;
        clock.Advance(TimeSpan.FromMinutes(2));
        await Move(admin, number, "triaging", "Paged the trading on-call.");
        clock.Advance(TimeSpan.FromMinutes(3));
        await Move(admin, number, "investigating");
        await admin.PostJson($"/api/v1/incidents/{number}/notes", new { text = "Restarted the matching engine gateway.\nNo effect." }, HttpStatusCode.Created);
        clock.Advance(TimeSpan.FromMinutes(10));
        var patched = await admin.PatchAsJsonAsync($"/api/v1/incidents/{number}", new { cause = "Sequence counter overflow in the market data gateway." });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        clock.Advance(TimeSpan.FromMinutes(5));
        await Move(admin, number, "recovering");
        clock.Advance(TimeSpan.FromMinutes(20));
        await Move(admin, number, "verifying");
        clock.Advance(TimeSpan.FromMinutes(15));
        await Move(admin, number, "resolved");
        await admin.PostJson("/api/v1/action-items", new
        {
            title = "Alert on sequence gaps in market data",
            kind = "monitoring",
            owner = "admin",
            dueOn = "2026-12-01",
            incidents = new[] { number },
        }, HttpStatusCode.Created);
        return number;
    }

    public static string Section(JsonElement report, string key, string lang) =>
        report.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("key").GetString() == key).GetProperty(lang).GetProperty("text").GetString()!;
}
