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
        await RoutedAsync(admin, expected: 1); // routing moves the version too; after it, only the touches do
        var first = await app.WithDbAsync(db => db.Alerts.AsNoTracking().SingleAsync());

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Trigger(key, "eth-node"))).StatusCode);
            await FoldedAsync(app); // one fold per duplicate: three touches
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
        await RoutedAsync(admin, expected: 1); // the router moves the version too; only the test's writer may from here
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

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EventsAreAnsweredOnceLoggedAndDuplicatesLoggedBeforeAFoldAreOneWrite(Store store)
    {
        // A fold delay far beyond the test: only a reader makes the committer fold.
        await using var app = await FukkyuApp.StartAsync(store, settings: new Dictionary<string, string?> { ["Fukkyu:Alerts:FoldDelayMilliseconds"] = "600000" });
        var admin = app.Admin();
        var (_, key) = await IntegrationAsync(admin);
        var sender = app.Anonymous();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Trigger(key, "xrp-withdrawals"))).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(sender, Trigger(key, "eth-node"))).StatusCode);

        // Answered 202, so durable: all five are in the log, none folded yet.
        Assert.Equal(5, await LoggedEventsAsync(app));
        Assert.Equal(0, await app.WithDbAsync(db => db.Alerts.CountAsync()));

        // A reader of the API sees every acknowledged event, without waiting for the fold delay.
        var alerts = await AlertsAsync(admin);
        Assert.Equal(2, alerts.GetArrayLength());
        Assert.Equal(4, alerts.EnumerateArray().Single(a => a.GetProperty("dedupKey").GetString() == "xrp-withdrawals").GetProperty("count").GetInt32());
        Assert.Equal(0, await LoggedEventsAsync(app));
        // The four duplicates were folded in memory and written once, as the single event was
        // (then each alert was routed once).
        await RoutedAsync(admin, expected: 2);
        var versions = await app.WithDbAsync(db => db.Alerts.Select(a => a.Version).Distinct().ToListAsync());
        Assert.Single(versions);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task LogRowsLeftByAnotherNodeAreAdoptedAndFoldedOnce(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: new Dictionary<string, string?> { ["Fukkyu:Alerts:OrphanLogSeconds"] = "1" });
        var admin = app.Admin();
        var (id, _) = await IntegrationAsync(admin);
        var sender = new AlertSender(AlertOrigin.Integration, Guid.Parse(id), "Exchange monitoring", null);
        var at = DateTime.UtcNow.AddMinutes(-5);
        AlertEvent Event(string action) => new(sender, action == "trigger" ? AlertAction.Trigger : AlertAction.Resolve, "orphan", at, Summary: "left behind", Severity: AlertSeverity.Warning);
        // Written as a node that crashed after answering its senders would have left them.
        await app.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            await AlertLog.AppendAsync(db, at, [Event("trigger"), Event("trigger")], CancellationToken.None);
            await AlertLog.AppendAsync(db, at, [Event("resolve")], CancellationToken.None);
            await tx.CommitAsync();
        });

        var alerts = await EventuallyAsync(() => AlertsAsync(admin), a => a.GetArrayLength() == 1, "the orphaned log to be folded");
        var alert = alerts[0];
        Assert.Equal(3, alert.GetProperty("count").GetInt32());
        Assert.Equal("resolved", alert.GetProperty("status").GetString());
        Assert.Equal(0, await app.WithDbAsync(db => db.AlertLog.CountAsync()));
        await Task.Delay(TimeSpan.FromSeconds(2)); // another adoption round must not fold them again
        Assert.Equal(1, (await AlertsAsync(admin)).GetArrayLength());
        Assert.Equal(3, (await AlertsAsync(admin))[0].GetProperty("count").GetInt32());
    }
}
