using System.Net;
using Fukkyu.Server.Alerts;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Fukkyu.Tests.Alerts.AlertKit;

namespace Fukkyu.Tests.Alerts;

/// <summary>Duplicates are written set-based (count and last-seen only), guarded by the version read.</summary>
public sealed class DuplicateWriteTests
{
    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task PureDuplicatesMoveOnlyTheCountAndLastSeenTime(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Trigger(key, "eth-node"))).StatusCode);
        var first = await app.WithDbAsync(db => db.Alerts.AsNoTracking().SingleAsync());

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Trigger(key, "eth-node"))).StatusCode);
        }

        var after = await app.WithDbAsync(db => db.Alerts.AsNoTracking().SingleAsync());
        Assert.Equal(4, after.Count);
        Assert.True(after.LastSeenAt >= first.LastSeenAt);
        Assert.Equal(first.Version + 3, after.Version);
        Assert.Equal(first.StateSeq, after.StateSeq);
        Assert.Equal(first.Summary, after.Summary);
        var reread = await app.WithDbAsync(db => db.Alerts.AsNoTracking().SingleAsync());
        Assert.Equal(AlertChange.Unchanged, await app.WithDbAsync(db => Task.FromResult(AlertChanges.Compare(db.Model, after, reread))));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ATouchOfAnAlertChangedMeanwhileIsRefused(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(app.Anonymous(), Trigger(key, "btc-book"))).StatusCode);
        var read = await app.WithDbAsync(db => db.Alerts.AsNoTracking().SingleAsync());
        var touched = read.Copy();
        touched.Count++;
        Assert.Equal(AlertChange.Touched, await app.WithDbAsync(db => Task.FromResult(AlertChanges.Compare(db.Model, read, touched))));
        var described = touched.Copy();
        described.Summary = "something else";
        Assert.Equal(AlertChange.Changed, await app.WithDbAsync(db => Task.FromResult(AlertChanges.Compare(db.Model, read, described))));

        // Another writer changes the alert after it was read: the touch must not overwrite it.
        await app.WithDbAsync(db => db.Alerts.ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version + 1)));
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => app.WithDbAsync(db => AlertChanges.WriteTouchedAsync(db, [touched], CancellationToken.None)));
        Assert.Equal(1, await app.WithDbAsync(db => db.Alerts.Select(a => a.Count).SingleAsync()));

        // Read afresh, the same touch goes through.
        var fresh = await app.WithDbAsync(db => db.Alerts.AsNoTracking().SingleAsync());
        fresh.Count++;
        await app.WithDbAsync(db => AlertChanges.WriteTouchedAsync(db, [fresh], CancellationToken.None));
        Assert.Equal(2, await app.WithDbAsync(db => db.Alerts.Select(a => a.Count).SingleAsync()));
    }
}
