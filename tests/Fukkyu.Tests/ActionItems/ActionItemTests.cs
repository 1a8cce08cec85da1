using System.Net;
using System.Net.Http.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tests.PostIncident;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.ActionItems;

public sealed class ActionItemTests
{
    private static Task<int> RunJobs(FukkyuApp app) => app.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);

    private static Task<List<OutboxMessage>> Reminders(FukkyuApp app) =>
        app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Purpose == "action_item_reminder").OrderBy(m => m.CreatedAt).ToListAsync());

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task OwnerIsRemindedBeforeAndAfterTheDueDateUntilDone(Store store)
    {
        var clock = Scripted.Clock(); // Friday 2026-11-20 12:00 JST
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var admin = app.Admin();
        var owner = await Scripted.PersonAsync(app, "owner@example.jp", Roles.Responder);
        var incident = (await admin.PostJson("/api/v1/incidents", new { title = "ETH withdrawals delayed", category = "withdrawal", impactScope = "some" }, HttpStatusCode.Created)).GetProperty("number").GetString()!;

        var item = await admin.PostJson("/api/v1/action-items", new
        {
            title = "ノード遅延の監視を追加", kind = "monitoring", owner = owner.UserName, dueOn = "2026-11-30",
            incidents = new[] { incident }, runbooks = new[] { "runbook:withdrawal-delay" },
        }, HttpStatusCode.Created);
        Assert.Equal("open", item.GetProperty("status").GetString());
        Assert.Equal(incident, item.GetProperty("incidents")[0].GetProperty("number").GetString());
        var id = item.GetProperty("id").GetString();

        // 7 days before (11-23 09:00 JST), 1 day before (11-29), overdue the next morning (12-01).
        clock.Advance(TimeSpan.FromDays(3)); // 11-23 12:00 JST
        await RunJobs(app);
        var first = Assert.Single(await Reminders(app));
        Assert.Equal("owner@example.jp", first.Recipient);
        Assert.Equal("【再発防止策】期限まであと7日: ノード遅延の監視を追加", first.Subject);
        Assert.Contains(incident, first.Body);

        clock.Advance(TimeSpan.FromDays(6)); // 11-29
        await RunJobs(app);
        Assert.Equal("【再発防止策】期限まであと1日: ノード遅延の監視を追加", (await Reminders(app))[^1].Subject);
        Assert.Empty((await admin.GetJson("/api/v1/action-items?overdue=true")).EnumerateArray());

        clock.Advance(TimeSpan.FromDays(2)); // 12-01 12:00 JST
        await RunJobs(app);
        Assert.Equal("【再発防止策】期限を1日超過: ノード遅延の監視を追加", (await Reminders(app))[^1].Subject);
        var overdue = Assert.Single((await admin.GetJson("/api/v1/action-items?overdue=true")).EnumerateArray());
        Assert.Equal(1, overdue.GetProperty("daysOverdue").GetInt32());

        clock.Advance(TimeSpan.FromDays(7));
        await RunJobs(app);
        Assert.Equal(4, (await Reminders(app)).Count);

        var done = await (await admin.PatchAsJsonAsync($"/api/v1/action-items/{id}", new { status = "done", resolution = "Monitor added" })).Json();
        Assert.Equal("done", done.GetProperty("status").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, done.GetProperty("completedAt").ValueKind);
        clock.Advance(TimeSpan.FromDays(14));
        await RunJobs(app);
        Assert.Equal(4, (await Reminders(app)).Count);
        Assert.Empty((await admin.GetJson("/api/v1/action-items?overdue=true")).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task MovingTheDueDateMovesTheReminders(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var admin = app.Admin();
        var owner = await Scripted.PersonAsync(app, "owner@example.jp", Roles.Responder);
        var id = (await admin.PostJson("/api/v1/action-items", new { title = "Failover drill", kind = "training", owner = owner.UserName, dueOn = "2026-11-22" }, HttpStatusCode.Created))
            .GetProperty("id").GetString();

        var moved = await admin.PatchAsJsonAsync($"/api/v1/action-items/{id}", new { dueOn = "2026-12-31" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        clock.Advance(TimeSpan.FromDays(3)); // past the old due date
        await RunJobs(app);
        Assert.Empty(await Reminders(app));
        Assert.Empty((await admin.GetJson("/api/v1/action-items?overdue=true")).EnumerateArray());

        var stale = await admin.PatchAsJsonAsync($"/api/v1/action-items/{id}", new { title = "x", version = 0 });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task BadItemsAnswerProblemDetailsAndListsFilter(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Scripted.Manual());
        var admin = app.Admin();
        var viewer = await app.UserAsync(Roles.Viewer);

        var bad = await admin.PostAsJsonAsync("/api/v1/action-items", new { title = "", kind = "magic", owner = "nobody", incidents = new[] { "INC-1999-9999" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var missing = await admin.PostAsJsonAsync("/api/v1/action-items", new { owner = "nobody", incidents = new[] { "INC-1999-9999" } });
        var errors = (await missing.Json()).GetProperty("errors");
        foreach (var field in new[] { "title", "kind", "dueOn" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Client.PostAsJsonAsync("/api/v1/action-items", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/action-items?status=whatever")).StatusCode);

        await admin.PostJson("/api/v1/action-items", new { title = "A", kind = "procedure", owner = "admin", dueOn = "2026-01-01" }, HttpStatusCode.Created);
        await admin.PostJson("/api/v1/action-items", new { title = "B", kind = "training", owner = viewer.UserName, dueOn = "2099-01-01" }, HttpStatusCode.Created);
        Assert.Equal(["B"], (await viewer.Client.GetJson($"/api/v1/action-items?owner={viewer.UserName}")).EnumerateArray().Select(a => a.GetProperty("title").GetString()!));
        Assert.Equal(["A"], (await viewer.Client.GetJson("/api/v1/action-items?kind=procedure")).EnumerateArray().Select(a => a.GetProperty("title").GetString()!));
        Assert.Equal(["A"], (await viewer.Client.GetJson("/api/v1/action-items?overdue=true")).EnumerateArray().Select(a => a.GetProperty("title").GetString()!));
    }
}
