using System.Net;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Incidents;

/// <summary>A person's change that loses a race with the system's own timeline write is done again on the fresh row.</summary>
public sealed class LostRaceTests
{
    /// <summary>
    /// Between a level change's read and its save, writes a system entry to the same incident's
    /// timeline from another unit of work — what a page or a reminder job does — the given number of times.
    /// </summary>
    private sealed class SystemWritesMeanwhile(IServiceScopeFactory scopes, Counter counter) : IIncidentListener
    {
        public async Task OnChangingAsync(IncidentChange change, CancellationToken ct)
        {
            if (change.Kind != counter.Kind || Interlocked.Increment(ref counter.Calls) > counter.Interfere)
            {
                return;
            }
            await using var scope = scopes.CreateAsyncScope();
            var other = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            var incident = await other.Incidents.FirstAsync(i => i.Id == change.Incident.Id, ct);
            Timeline.Append(other, incident, Actor.System("test"), change.At, TimelineKinds.Note, $"system entry {counter.Calls}");
            await other.SaveChangesAsync(ct);
        }
    }

    private sealed class Counter(int interfere, IncidentChangeKind kind = IncidentChangeKind.LevelChanged)
    {
        public readonly int Interfere = interfere;
        public readonly IncidentChangeKind Kind = kind;
        public int Calls;
    }

    private static async Task<(FukkyuApp App, string Id)> StartAsync(Store store, Counter counter)
    {
        var app = await FukkyuApp.StartAsync(store, services: s => s.AddScoped<IIncidentListener>(sp =>
            new SystemWritesMeanwhile(sp.GetRequiredService<IServiceScopeFactory>(), counter)));
        var id = (await app.Admin().PostJson("/api/v1/incidents", new { title = "Website slow", category = "web", impactScope = "some", expectedRecoveryMinutes = 10 }, HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        return (app, id);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ALevelChangeThatLostARaceWithTheSystemIsDoneAgainOnTheFreshRow(Store store)
    {
        var counter = new Counter(interfere: 1);
        var (app, id) = await StartAsync(store, counter);
        await using var _ = app;
        var admin = app.Admin();

        var changed = await admin.PostJson($"/api/v1/incidents/{id}/level", new { level = 2, reason = "Orders fail too" });
        Assert.Equal(2, changed.GetProperty("level").GetInt32());
        Assert.Equal(2, counter.Calls); // the first attempt lost, the second saved

        // Both writes are kept, the system's first.
        var kinds = (await admin.GetJson($"/api/v1/incidents/{id}/timeline")).EnumerateArray()
            .Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("body").ToString())).ToList();
        Assert.Contains((TimelineKinds.Note, "system entry 1"), kinds);
        Assert.True(kinds.FindIndex(k => k.Item2 == "system entry 1") < kinds.FindIndex(k => k.Item1 == TimelineKinds.Level));
        Assert.Equal(1, kinds.Count(k => k.Item1 == TimelineKinds.Level));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AChangeThatKeepsLosingIsRefusedAfterThreeTries(Store store)
    {
        var counter = new Counter(interfere: int.MaxValue);
        var (app, id) = await StartAsync(store, counter);
        await using var _ = app;

        var refused = await app.Admin().PostJson($"/api/v1/incidents/{id}/level", new { level = 2, reason = "Orders fail too" }, HttpStatusCode.Conflict);
        Assert.Equal("concurrency", refused.GetProperty("title").GetString());
        Assert.Equal(3, counter.Calls);
        Assert.Equal(1, (await app.Admin().GetJson($"/api/v1/incidents/{id}")).GetProperty("level").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AnAcknowledgementWhoseTransitionLostARaceKeepsTheAcknowledgement(Store store)
    {
        // The acknowledgement and the move to triaging are saved together; when that save loses, the
        // acknowledgement is done again as a whole, not the transition alone without it.
        var counter = new Counter(interfere: 1, IncidentChangeKind.StatusChanged);
        await using var w = await Response.ResponseWorld.StartAsync(store, services: s => s.AddScoped<IIncidentListener>(sp =>
            new SystemWritesMeanwhile(sp.GetRequiredService<IServiceScopeFactory>(), counter)));
        var id = (await w.DeclareLevelOneAsync()).GetProperty("id").GetString()!;

        var acked = await w.Sato.Client.PostJson($"/api/v1/incidents/{id}/acknowledge", new { });

        Assert.Equal("triaging", acked.GetProperty("status").GetString());
        Assert.Equal(2, counter.Calls);
        var page = (await w.PagingAsync(id)).GetProperty("pages").EnumerateArray().Single(p => p.GetProperty("group").GetString() == "team:exchange-sre");
        Assert.Equal("acknowledged", page.GetProperty("state").GetString());
        Assert.Single((await w.Admin.GetJson($"/api/v1/incidents/{id}/timeline")).EnumerateArray(), e => e.GetProperty("kind").GetString() == "page_ack");
    }
}
