using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Response;

public sealed class RunbookTests
{
    private static async Task<string[]> AttachedAsync(ResponseWorld w, string id) =>
        [.. (await w.Admin.GetJson($"/api/v1/incidents/{id}/checklist")).EnumerateArray().Select(c => c.GetProperty("runbook").GetString()!)];

    private static object Steps(params (string Phase, string Ja, string En)[] steps) =>
        steps.Select(s => new { phase = s.Phase, textJa = s.Ja, textEn = s.En }).ToArray();

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SampleRunbooksForEveryCategoryAreAttachedByCategoryAndLevel(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);

        var runbooks = await w.Admin.GetJson("/api/v1/runbooks");
        var categories = runbooks.EnumerateArray().Select(r => r.GetProperty("category")).Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!).ToHashSet();
        Assert.Equal(["api", "app", "database", "deposit", "security", "trading", "web", "withdrawal"], categories.Order().ToArray());
        Assert.All(runbooks.EnumerateArray(), r =>
        {
            Assert.NotEmpty(r.GetProperty("titleJa").GetString()!);
            Assert.NotEmpty(r.GetProperty("titleEn").GetString()!);
            Assert.All(r.GetProperty("steps").EnumerateArray(), s => Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("textJa").GetString()) || string.IsNullOrWhiteSpace(s.GetProperty("textEn").GetString())));
        });
        Assert.Contains(runbooks.EnumerateArray().Single(r => r.GetProperty("key").GetString() == "trading-initial").GetProperty("steps").EnumerateArray(),
            s => s.GetProperty("phase").GetString() == "initial_response" && s.GetProperty("textEn").GetString()!.Contains("restart"));

        var web = (await w.DeclareLevelOneAsync()).GetProperty("id").GetString()!;
        Assert.Equal(["web-initial"], await AttachedAsync(w, web));

        var trading = (await w.Admin.PostJson("/api/v1/incidents", new { title = "BTC halted", category = "trading", impactScope = "some", componentIds = new[] { "trading.btc_jpy" } }, HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        Assert.Equal(["level2-convene", "trading-initial"], (await AttachedAsync(w, trading)).Order().ToArray());

        await w.Admin.PostJson($"/api/v1/incidents/{trading}/level", new { level = 3, reason = "All pairs" });
        Assert.Equal(["level2-convene", "level3-command", "trading-initial"], (await AttachedAsync(w, trading)).Order().ToArray());
        // Attachment is not a change to the incident: the timeline stays about what people did.
        Assert.DoesNotContain((await w.Admin.GetJson($"/api/v1/incidents/{trading}/timeline")).EnumerateArray(), e => e.GetProperty("kind").GetString()!.StartsWith("checklist", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TickingAStepPutsWhoAndWhenOnTheTimeline(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        var id = (await w.DeclareLevelOneAsync()).GetProperty("id").GetString()!;
        var item = (await w.Admin.GetJson($"/api/v1/incidents/{id}/checklist"))[0].GetProperty("items")[0];
        var itemId = item.GetProperty("id").GetString();

        var done = await w.Sato.Client.PostJson($"/api/v1/incidents/{id}/checklist/{itemId}", new { done = true, note = "Checked Grafana" });

        Assert.Equal("User " + w.Sato.UserName, done.GetProperty("doneBy").GetString());
        Assert.Equal(w.Now, done.GetProperty("doneAt").GetDateTime(), TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Conflict, (await w.Kato.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/checklist/{itemId}", new { done = true })).StatusCode);
        await w.Kato.Client.PostJson($"/api/v1/incidents/{id}/checklist/{itemId}", new { done = false, note = "Not really" });

        var entries = (await w.Admin.GetJson($"/api/v1/incidents/{id}/timeline")).EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "checklist_step").ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("User " + w.Sato.UserName, entries[0].GetProperty("actor").GetProperty("name").GetString());
        Assert.Equal("Checked Grafana", entries[0].GetProperty("body").GetString());
        Assert.Contains(item.GetProperty("textEn").GetString()!, entries[0].GetProperty("summary").GetString());
        Assert.StartsWith("Checklist: undone", entries[1].GetProperty("summary").GetString());
        Assert.True((await w.Admin.GetJson($"/api/v1/incidents/{id}/timeline/verify")).GetProperty("valid").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await w.Sato.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/checklist/{Guid.NewGuid()}", new { done = true })).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EditingARunbookMakesANewVersionAndAttachedChecklistsKeepTheirs(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        var before = (await w.DeclareLevelOneAsync()).GetProperty("id").GetString()!;

        var edited = await w.Sato.Client.PutAsJsonAsync("/api/v1/runbooks/web-initial", new
        {
            category = "web",
            titleJa = "ウェブサイト障害",
            titleEn = "Website failure",
            changeNote = "CDN first",
            steps = Steps(("initial_response", "CDN の状態を確認する", "Check the CDN"), ("verification", "トップページを開く", "Open the home page")),
        });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(2, (await edited.Json()).GetProperty("version").GetInt32());
        var same = await (await w.Sato.Client.PutAsJsonAsync("/api/v1/runbooks/web-initial", new
        {
            category = "web", titleJa = "ウェブサイト障害", titleEn = "Website failure",
            steps = Steps(("initial_response", "CDN の状態を確認する", "Check the CDN"), ("verification", "トップページを開く", "Open the home page")),
        })).Json();
        Assert.Equal(2, same.GetProperty("version").GetInt32()); // nothing changed, no new version

        var after = (await w.DeclareLevelOneAsync()).GetProperty("id").GetString()!;
        Assert.Equal(1, (await w.Admin.GetJson($"/api/v1/incidents/{before}/checklist"))[0].GetProperty("version").GetInt32());
        var fresh = (await w.Admin.GetJson($"/api/v1/incidents/{after}/checklist"))[0];
        Assert.Equal(2, fresh.GetProperty("version").GetInt32());
        Assert.Equal(["Check the CDN", "Open the home page"], fresh.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("textEn").GetString()!).ToArray());
        Assert.True((await w.Admin.GetJson("/api/v1/runbooks/web-initial/versions/1")).GetArrayLength() > 2);

        var bad = await w.Sato.Client.PutAsJsonAsync("/api/v1/runbooks/Bad Key", new { titleJa = "", steps = new[] { new { phase = "verification", textJa = "x" } } });
        var errors = (await bad.Json()).GetProperty("errors");
        foreach (var field in new[] { "key", "titleJa", "titleEn", "steps[0].textEn" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}");
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheOwnerIsRemindedBeforeTheReviewDateUntilItIsReviewed(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        await w.Sato.Client.PutAsJsonAsync("/api/v1/runbooks/app-initial", new
        {
            category = "app",
            titleJa = "アプリ障害",
            titleEn = "App failure",
            owner = w.Sato.UserName,
            reviewBy = "2026-12-10",
            steps = Steps(("verification", "実機で確認する", "Check on real devices")),
        });
        Task<List<OutboxMessage>> Reminders() => w.App.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Purpose == "runbook_review").ToListAsync());

        // Fourteen days before: 26 Nov, 09:00 JST.
        await w.AdvanceAsync(Tokyo.ToUtc(new DateTime(2026, 11, 26, 8, 59, 0)) - w.Now);
        Assert.Empty(await Reminders());
        await w.AdvanceAsync(TimeSpan.FromMinutes(1));
        var first = Assert.Single(await Reminders());
        Assert.Equal(w.Sato.Id, first.UserId);
        Assert.Contains("アプリ障害", first.Subject);
        Assert.Contains("2026-12-10", first.Subject);

        // It shows among the things due for review.
        await using (var scope = w.App.Services.CreateAsyncScope())
        {
            var items = new List<ReviewItem>();
            foreach (var source in scope.ServiceProvider.GetServices<IReviewItemSource>())
            {
                items.AddRange(await source.DueAsync(new DateOnly(2026, 12, 31), CancellationToken.None));
            }
            var item = Assert.Single(items, i => i.Url == "/ops/runbooks/app-initial");
            Assert.Equal((w.Sato.Id, new DateOnly(2026, 12, 10)), (item.OwnerId!.Value, item.ReviewBy));
        }

        // On the day, and every week while overdue.
        await w.AdvanceAsync(Tokyo.ToUtc(new DateTime(2026, 12, 10, 9, 0, 0)) - w.Now);
        Assert.Equal(2, (await Reminders()).Count);
        await w.AdvanceAsync(TimeSpan.FromDays(7));
        Assert.Equal(3, (await Reminders()).Count);

        var reviewed = await w.Sato.Client.PostJson("/api/v1/runbooks/app-initial/reviewed", new { });
        Assert.Equal(DateOnly.FromDateTime(Tokyo.FromUtc(w.Now)).AddDays(180).ToString("yyyy-MM-dd"), reviewed.GetProperty("reviewBy").GetString());
        await w.AdvanceAsync(TimeSpan.FromDays(14));
        Assert.Equal(3, (await Reminders()).Count);
    }
}
