using System.Net;
using System.Net.Http.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tests.PostIncident;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Reviews;

public sealed class ReviewTests
{
    /// <summary>Stands in for the runbook feature's source.</summary>
    private sealed class FakeRunbooks : IReviewItemSource
    {
        public Task<IReadOnlyList<ReviewItem>> DueAsync(DateOnly until, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<ReviewItem>>([.. new[]
            {
                new ReviewItem("runbook", "BTC/JPY halt runbook", null, "Sato", new DateOnly(2026, 11, 10), "/ops/runbooks/btc-halt"),
                new ReviewItem("runbook", "Far away", null, "Sato", new DateOnly(2027, 11, 10), "/ops/runbooks/far"),
            }.Where(i => i.ReviewBy <= until)]);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ReviewDashboardListsEverySourceWithOwnersAndRemindsDocumentOwners(Store store)
    {
        var clock = Scripted.Clock(); // 2026-11-20
        await using var app = await FukkyuApp.StartAsync(store, clock, services: s => s.AddScoped<IReviewItemSource, FakeRunbooks>(), settings: Scripted.Manual());
        var admin = app.Admin();
        var owner = await Scripted.PersonAsync(app, "owner@example.jp", Roles.Responder);

        var manual = await admin.PostJson("/api/v1/documents", new { title = "システム障害時の対応マニュアル", owner = owner.UserName, reviewIntervalMonths = 6, reviewBy = "2026-12-01", location = "https://wiki.example/manual" }, HttpStatusCode.Created);
        await admin.PostJson("/api/v1/documents", new { title = "BCP", owner = "admin", reviewBy = "2027-06-01" }, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/documents", new { title = "", owner = "nobody", reviewIntervalMonths = 0 })).StatusCode);

        var due = await admin.GetJson("/api/v1/reviews?days=30");
        Assert.Equal(["BTC/JPY halt runbook", "システム障害時の対応マニュアル"], due.EnumerateArray().Select(i => i.GetProperty("title").GetString()!));
        Assert.True(due[0].GetProperty("overdue").GetBoolean());
        Assert.Equal(owner.Id, due[1].GetProperty("ownerId").GetGuid());

        clock.Advance(TimeSpan.FromDays(1)); // 11-21 12:00 JST: past 11-17 (14 days before)? it was already past: reminded at once
        await app.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);
        var reminders = await app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Purpose == "document_review").ToListAsync());
        var reminder = Assert.Single(reminders);
        Assert.Equal("owner@example.jp", reminder.Recipient);
        Assert.Equal("【見直し】システム障害時の対応マニュアル の見直し期限は 2026-12-01 です", reminder.Subject);

        var reviewed = await owner.Client.PostJson($"/api/v1/documents/{manual.GetProperty("id").GetString()}/reviewed", new { note = "連絡先を更新" });
        Assert.Equal("2027-05-21", reviewed.GetProperty("reviewBy").GetString());
        Assert.Equal("連絡先を更新", reviewed.GetProperty("lastReviewNote").GetString());
        clock.Advance(TimeSpan.FromDays(15)); // past the old review date
        await app.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);
        Assert.Single(await app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Purpose == "document_review").ToListAsync()));
        Assert.Equal(["BTC/JPY halt runbook"], (await admin.GetJson("/api/v1/reviews?days=30")).EnumerateArray().Select(i => i.GetProperty("title").GetString()!));
    }
}
