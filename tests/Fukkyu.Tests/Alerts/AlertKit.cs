using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fukkyu.Server.Alerts;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Alerts;

/// <summary>Helpers shared by the alert tests: integrations, PagerDuty events, waiting for routing.</summary>
internal static class AlertKit
{
    public static async Task<(string Id, string Key)> IntegrationAsync(HttpClient admin, string type = "events-v2", string? component = null, string name = "Exchange monitoring")
    {
        var created = await admin.PostJson("/api/v1/integrations", new { name, type, componentId = component }, HttpStatusCode.Created);
        return (created.GetProperty("id").GetString()!, created.GetProperty("key").GetString()!);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Events logged and not yet folded: the database's log table, and on SQLite its log file above the mark.</summary>
    public static Task<long> LoggedEventsAsync(FukkyuApp app) => app.WithDbAsync(async db =>
    {
        var logged = await db.AlertLog.SumAsync(l => (long)l.Events);
        if (db.Database.IsSqlite() && AlertLogFile.PathFor(db.Database.GetConnectionString()) is { } path)
        {
            var mark = await db.AlertLogMarks.Where(m => m.Id == 1).Select(m => m.FoldedThrough).FirstOrDefaultAsync();
            logged += AlertLogFile.CountEvents(path, mark);
        }
        return logged;
    });

    public static Task<HttpResponseMessage> EnqueueAsync(HttpClient client, object body) => client.PostAsJsonAsync("/v2/enqueue", body);

    public static object Trigger(string key, string? dedup = null, string summary = "BTC/JPY ticker stale", string severity = "critical",
        string? component = null, string? timestamp = null) => new
        {
            routing_key = key,
            event_action = "trigger",
            dedup_key = dedup,
            payload = new { summary, source = "ticker-watch.prod", severity, component, timestamp, custom_details = new { lagSeconds = 42 } },
        };

    public static object Action(string key, string action, string dedup) => new { routing_key = key, event_action = action, dedup_key = dedup };

    /// <summary>Waits until every event the app acknowledged is folded into alerts (reads through the API do this themselves).</summary>
    public static Task FoldedAsync(FukkyuApp app) => app.Services.GetRequiredService<AlertIngest>().ProjectedAsync();

    public static async Task<JsonElement> AlertsAsync(HttpClient admin, string query = "") => await admin.GetJson("/api/v1/alerts" + query);

    /// <summary>Polls until the condition holds; routing runs right after each commit, so this is quick.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, int seconds = 15)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        T last;
        do
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < until);
        Assert.Fail($"Timed out waiting for {what}; last value: {(last is JsonElement j ? j.GetRawText() : last?.ToString())}");
        return last;
    }

    /// <summary>Waits until every alert has been routed.</summary>
    public static Task<JsonElement> RoutedAsync(HttpClient admin, string query = "", int expected = -1) =>
        EventuallyAsync(() => AlertsAsync(admin, query),
            a => (expected < 0 || a.GetArrayLength() == expected) && a.EnumerateArray().All(x => x.GetProperty("routed").GetBoolean()),
            "alerts to be routed");
}
