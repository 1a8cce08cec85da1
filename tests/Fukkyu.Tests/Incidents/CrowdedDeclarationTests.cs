using System.Net;
using System.Text.Json;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tests.PostIncident;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Incidents;

/// <summary>Declarations made while others queue leave checklists and the regulatory track to jobs (docs/decisions/049).</summary>
public sealed class CrowdedDeclarationTests
{
    private static Task<int> RunJobs(FukkyuApp app) => app.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);

    private static readonly object Website = new
    {
        title = "Website slow", category = "web", impactScope = "some", expectedRecoveryMinutes = 10,
        components = new[] { new { id = "web.site", impact = "degraded_performance" } },
    };

    private static async Task<(string[] Runbooks, string[] Filings, JsonElement Track, JsonElement Checklists)> FollowUpsAsync(HttpClient admin, string id)
    {
        var checklists = await admin.GetJson($"/api/v1/incidents/{id}/checklist");
        var track = await admin.GetJson($"/api/v1/incidents/{id}/regulatory");
        return ([.. checklists.EnumerateArray().Select(c => c.GetProperty("runbook").GetString()!).Order()],
            [.. track.GetProperty("filings").EnumerateArray().Select(f => f.GetProperty("kind").GetString()!).Order()], track, checklists);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WhileOthersQueueTheChecklistsAndTheRegulatoryTrackComeFromJobsAsTheyWouldHaveWithoutThem(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var admin = app.Admin();

        // Alone: everything in the declaration's own transaction.
        var alone = (await admin.PostJson("/api/v1/incidents", Website, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var expected = await FollowUpsAsync(admin, alone);
        Assert.NotEmpty(expected.Runbooks);
        Assert.NotEmpty(expected.Filings);

        string crowded;
        using (app.Services.GetRequiredService<UrgentWork>().Enter()) // another declaration waits for its turn
        {
            crowded = (await admin.PostJson("/api/v1/incidents", Website, HttpStatusCode.Created)).GetProperty("id").GetString()!;
            var before = await FollowUpsAsync(admin, crowded);
            Assert.Empty(before.Runbooks);
            Assert.Empty(before.Filings);
            // What the rule says is shown meanwhile.
            Assert.Equal(expected.Track.GetProperty("reportable").GetBoolean(), before.Track.GetProperty("reportable").GetBoolean());
            var jobs = await app.WithDbAsync(db => db.Set<Job>().AsNoTracking()
                .Where(j => j.IncidentId == Guid.Parse(crowded) && j.State == JobState.Pending).Select(j => j.Kind).OrderBy(k => k).ToListAsync());
            Assert.Equal(["regulatory-sync", "runbook-attach"], jobs);

            // They are not urgent: during the burst they wait their turn (5 s), the pages do not.
            Assert.Equal(0, await RunJobs(app));
        }

        clock.Advance(TimeSpan.FromMinutes(3));
        await RunJobs(app);
        Assert.Equal(2, await app.WithDbAsync(db => db.Set<Job>()
            .CountAsync(j => j.IncidentId == Guid.Parse(crowded) && (j.Kind == "runbook-attach" || j.Kind == "regulatory-sync") && j.State == JobState.Done)));
        var after = await FollowUpsAsync(admin, crowded);
        Assert.Equal(expected.Runbooks, after.Runbooks);
        Assert.Equal(expected.Filings, after.Filings);
        // Attached and decided as of the declaration, not of the job's run three minutes later.
        Assert.All(after.Checklists.EnumerateArray(), c => Assert.Equal(Scripted.Noon.UtcDateTime, c.GetProperty("attachedAt").GetDateTime().ToUniversalTime()));
        Assert.Equal(Scripted.Noon.UtcDateTime, after.Track.GetProperty("decidedAt").GetDateTime().ToUniversalTime());
        Assert.Equal(
            expected.Track.GetProperty("filings").EnumerateArray().Select(f => f.GetProperty("kind") + " " + f.GetProperty("dueAt")).Order(),
            after.Track.GetProperty("filings").EnumerateArray().Select(f => f.GetProperty("kind") + " " + f.GetProperty("dueAt")).Order());

        // Run again (as after a crash before the bookkeeping): nothing doubles.
        await app.WithDbAsync(db => db.Set<Job>().Where(j => j.IncidentId == Guid.Parse(crowded) && (j.Kind == "runbook-attach" || j.Kind == "regulatory-sync"))
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.State, JobState.Pending)));
        await RunJobs(app);
        var again = await FollowUpsAsync(admin, crowded);
        Assert.Equal(expected.Runbooks, again.Runbooks);
        Assert.Equal(expected.Filings, again.Filings);
    }
}
