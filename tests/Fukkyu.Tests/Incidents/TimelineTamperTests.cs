using System.Net;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Tests.Incidents;

/// <summary>Whoever edits the database behind Fukkyu's back is found out by the hash chain.</summary>
public sealed class TimelineTamperTests
{
    private static async Task<(FukkyuApp App, HttpClient Admin, string Id)> IncidentWithFiveEntries(Store store)
    {
        var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var id = (await admin.PostJson("/api/v1/incidents", new { title = "Deposit delays", category = "deposit", impactScope = "many" }, HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        foreach (var text in new[] { "first", "second", "third", "fourth" })
        {
            await admin.PostJson($"/api/v1/incidents/{id}/notes", new { text }, HttpStatusCode.Created);
        }
        Assert.True((await admin.GetJson($"/api/v1/incidents/{id}/timeline/verify")).GetProperty("valid").GetBoolean());
        return (app, admin, id);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EditingAnEntryInTheDatabaseIsDetected(Store store)
    {
        var (app, admin, id) = await IncidentWithFiveEntries(store);
        await using var _ = app;

        await app.WithDbAsync(db => db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE timeline_entries SET body = 'nothing happened' WHERE incident_id = {Guid.Parse(id)} AND seq = 3"));

        var verify = await admin.GetJson($"/api/v1/incidents/{id}/timeline/verify");
        Assert.False(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(3, verify.GetProperty("brokenAt").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task DeletingAnEntryInTheMiddleIsDetected(Store store)
    {
        var (app, admin, id) = await IncidentWithFiveEntries(store);
        await using var _ = app;

        await app.WithDbAsync(db => db.Database.ExecuteSqlInterpolatedAsync(
            $"DELETE FROM timeline_entries WHERE incident_id = {Guid.Parse(id)} AND seq = 2"));

        var verify = await admin.GetJson($"/api/v1/incidents/{id}/timeline/verify");
        Assert.False(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(2, verify.GetProperty("brokenAt").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task DeletingTheLastEntryIsDetected(Store store)
    {
        var (app, admin, id) = await IncidentWithFiveEntries(store);
        await using var _ = app;

        await app.WithDbAsync(db => db.Database.ExecuteSqlInterpolatedAsync(
            $"DELETE FROM timeline_entries WHERE incident_id = {Guid.Parse(id)} AND seq = 5"));

        var verify = await admin.GetJson($"/api/v1/incidents/{id}/timeline/verify");
        Assert.False(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(5, verify.GetProperty("brokenAt").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RewritingAnEntryWithAFreshHashStillBreaksTheChain(Store store)
    {
        var (app, admin, id) = await IncidentWithFiveEntries(store);
        await using var _ = app;

        // A careful forger recomputes the entry's own hash; the next entry's link still points at the old one.
        await app.WithDbAsync(async db =>
        {
            var entry = await db.TimelineEntries.AsNoTracking().SingleAsync(t => t.IncidentId == Guid.Parse(id) && t.Seq == 2);
            entry.Body = "forged";
            var hash = Fukkyu.Server.Incidents.TimelineHash.Compute(entry);
            await db.Database.ExecuteSqlInterpolatedAsync($"UPDATE timeline_entries SET body = 'forged', hash = {hash} WHERE id = {entry.Id}");
        });

        var verify = await admin.GetJson($"/api/v1/incidents/{id}/timeline/verify");
        Assert.False(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(3, verify.GetProperty("brokenAt").GetInt32());
    }
}
