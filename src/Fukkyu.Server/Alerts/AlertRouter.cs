using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Alerts;

public static class AlertTimelineKinds
{
    public const string Attached = "alert_attached";
    public const string Resolved = "alert_resolved";
}

/// <summary>
/// Acts on committed alerts whose status changed: the first matching rule decides whether a
/// firing alert is only recorded, opens an incident (detected at the first failure, category
/// from the component, level from the severity policy, reported by monitoring) or attaches to
/// the component's open incident. A resolved alert is noted on its incident's timeline; it
/// never resolves the incident — people confirm recovery. Routing is idempotent: an alert
/// stays marked until its outcome is saved, so a crash only means it is routed again.
/// </summary>
public sealed class AlertRouter(IServiceScopeFactory scopes, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertRouter> log)
{
    public const string LeaseName = "alert-router";
    private const int PageSize = 200;

    /// <summary>
    /// Statuses of an open incident, listed: enums are stored by name, so an ordering comparison
    /// in SQL would compare names, not lifecycle order.
    /// </summary>
    private static readonly IncidentStatus[] OpenStatuses =
        [IncidentStatus.Detected, IncidentStatus.Triaging, IncidentStatus.Investigating, IncidentStatus.Recovering, IncidentStatus.Verifying];

    /// <summary>Routes everything pending; returns how many alerts were handled.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct, bool settleFlapping = true)
    {
        if (settleFlapping)
        {
            await SettleFlappingAsync(ct);
        }
        var total = 0;
        for (var page = 0; page < 50; page++)
        {
            var n = await RoutePageAsync(ct);
            total += n;
            if (n < PageSize)
            {
                break;
            }
        }
        return total;
    }

    /// <summary>A flapping key that has been quiet long enough is routed once, in its final state.</summary>
    private async Task SettleFlappingAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        var cutoff = Now - TimeSpan.FromSeconds(options.Value.FlapQuietSeconds);
        await db.Alerts.Where(a => a.Flapping && a.LastChangeAt < cutoff)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Flapping, false).SetProperty(a => a.NeedsRouting, true).SetProperty(a => a.StateSeq, a => a.StateSeq + 1)
                .SetProperty(a => a.Version, a => a.Version + 1), ct);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private async Task<int> RoutePageAsync(CancellationToken ct)
    {
        List<Alert> alerts;
        List<RoutingRule> rules;
        int pageCount;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            alerts = await db.Alerts.AsNoTracking().Where(a => a.NeedsRouting).OrderBy(a => a.LastChangeAt).Take(PageSize).ToListAsync(ct);
            pageCount = alerts.Count;
            if (pageCount == 0)
            {
                return 0;
            }
            rules = await RulesAsync(db, ct);

            // Outcomes that touch no incident are written together, set-based; the version guard
            // leaves an alert marked if the committer changed it meanwhile.
            var quick = new List<(Alert Alert, RoutingOutcome Outcome, AlertStatus Routed, Guid? Rule)>();
            foreach (var a in alerts)
            {
                var (action, rule) = Decide(a, rules);
                if (!a.IsOpen)
                {
                    if (a.RoutedStatus == AlertStatus.Triggered && a.IncidentId is not null)
                    {
                        continue; // posts on the incident: below
                    }
                    quick.Add((a, a.RoutedStatus is null ? RoutingOutcome.ResolvedBeforeRouting : a.Outcome ?? RoutingOutcome.Recorded, AlertStatus.Resolved, a.RuleId));
                }
                else if (a.RoutedStatus == AlertStatus.Triggered)
                {
                    quick.Add((a, a.Outcome ?? RoutingOutcome.Recorded, AlertStatus.Triggered, a.RuleId)); // already acted on
                }
                else if (action == RoutingAction.Record)
                {
                    quick.Add((a, RoutingOutcome.Recorded, AlertStatus.Triggered, rule?.Id));
                }
            }
            if (quick.Count > 0)
            {
                // One statement per kind of outcome; the StateSeq guard leaves an alert marked if
                // its status changed meanwhile (duplicates do not count).
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                foreach (var group in quick.GroupBy(q => (q.Alert.StateSeq, q.Outcome, q.Routed, q.Rule)))
                {
                    var (seq, outcome, routed, rule) = group.Key;
                    foreach (var chunk in group.Select(q => q.Alert.Id).Chunk(500))
                    {
                        await db.Alerts.Where(x => chunk.Contains(x.Id) && x.StateSeq == seq && x.NeedsRouting)
                            .ExecuteUpdateAsync(s => s
                                .SetProperty(x => x.NeedsRouting, false)
                                .SetProperty(x => x.RoutedStatus, routed)
                                .SetProperty(x => x.Outcome, outcome)
                                .SetProperty(x => x.RuleId, rule)
                                .SetProperty(x => x.Version, x => x.Version + 1), ct);
                    }
                }
                await tx.CommitAsync(ct);
            }
            var done = quick.Select(q => q.Alert.Id).ToHashSet();
            alerts = [.. alerts.Where(a => !done.Contains(a.Id))];
        }
        foreach (var a in alerts)
        {
            try
            {
                await RouteWithIncidentAsync(a, rules, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One alert's failure must not stop the others; it stays marked and is retried.
                log.LogError(e, "Routing alert {Alert} failed; it will be retried.", a.Id);
            }
        }
        return pageCount;
    }

    private (RoutingAction Action, RoutingRule? Rule) Decide(Alert alert, List<RoutingRule> rules) => Decide(alert, rules, options.Value);

    /// <summary>The first enabled rule that matches (in order), else the default for the alert's severity.</summary>
    public static (RoutingAction Action, RoutingRule? Rule) Decide(Alert alert, IReadOnlyList<RoutingRule> rules, AlertOptions o)
    {
        var rule = rules.FirstOrDefault(r => r.Matches(alert));
        if (rule is not null)
        {
            return (rule.Action, rule);
        }
        return (alert.Severity <= o.DefaultMinSeverity ? o.DefaultAction : RoutingAction.Record, null);
    }

    /// <summary>The enabled rules in the order they are tried.</summary>
    public static Task<List<RoutingRule>> RulesAsync(FukkyuDb db, CancellationToken ct) =>
        db.RoutingRules.AsNoTracking().Where(r => r.Enabled).OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ToListAsync(ct);

    /// <summary>Opens, attaches or posts the resolution; each step is its own unit of work and safe to repeat.</summary>
    private async Task RouteWithIncidentAsync(Alert seen, List<RoutingRule> rules, CancellationToken ct)
    {
        var (action, rule) = Decide(seen, rules);
        var actor = ActorFor(seen);
        var caller = new Caller(actor, SeesAllSecurityIncidents: true, MayOverrideGates: false);

        if (!seen.IsOpen)
        {
            await FinishAsync(seen, seen.IncidentId, seen.Outcome ?? RoutingOutcome.Attached, AlertStatus.Resolved, seen.RuleId, caller,
                AlertTimelineKinds.Resolved, ct);
            return;
        }

        var componentId = seen.ComponentId ?? rule?.FallbackComponentId;
        Component? component;
        Guid? openIncident;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            component = componentId is { } cid ? await db.Components.AsNoTracking().FirstOrDefaultAsync(c => c.Id == cid, ct) : null;
            openIncident = component is null ? null : await db.IncidentComponents
                .Where(ic => ic.ComponentId == component.Id)
                .Join(db.Incidents.Where(i => OpenStatuses.Contains(i.Status) && !i.Drill), ic => ic.IncidentId, i => i.Id, (ic, i) => i)
                .OrderByDescending(i => i.DetectedAt).Select(i => (Guid?)i.Id).FirstOrDefaultAsync(ct);
        }
        if (component is null)
        {
            await FinishAsync(seen, null, RoutingOutcome.NoComponent, AlertStatus.Triggered, rule?.Id, caller, null, ct);
            return;
        }
        var impact = rule?.ComponentImpact ?? ComponentImpact.MajorOutage;
        if (openIncident is { } existing)
        {
            await FinishAsync(seen, existing, RoutingOutcome.Attached, AlertStatus.Triggered, rule?.Id, caller, AlertTimelineKinds.Attached, ct);
            return;
        }
        if (action == RoutingAction.Attach)
        {
            await FinishAsync(seen, null, RoutingOutcome.NoOpenIncident, AlertStatus.Triggered, rule?.Id, caller, null, ct);
            return;
        }

        Guid incidentId;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var incidents = scope.ServiceProvider.GetRequiredService<IncidentService>();
            var firstFailure = seen.FirstFailureAt;
            var declared = await incidents.DeclareAsync(new DeclareIncident(
                Title: Cut(seen.Summary, IncidentLimits.Title),
                Category: component.Category,
                ImpactScope: rule?.ImpactScope ?? ImpactScope.Some,
                ExpectedRecoveryMinutes: null,
                Components: [new ComponentRef(component.Id.ToString(), impact)],
                Description: Cut(Describe(seen), IncidentLimits.Description),
                Reporter: new Reporter
                {
                    Name = Cut(seen.SourceName, 200),
                    Channel = seen.Origin == AlertOrigin.Reports ? ReporterChannel.Support : ReporterChannel.Monitoring,
                },
                Security: component.Category == ComponentCategory.Security,
                StartedAt: firstFailure,
                DetectedAt: firstFailure), caller, ct);
            if (declared.Value is null)
            {
                log.LogWarning("Alert {Alert} could not open an incident: {Error}", seen.Id, declared.Error);
                return;
            }
            incidentId = declared.Value.Id;
            log.LogInformation("Alert {Alert} ({Summary}) opened {Number}", seen.Id, seen.Summary, declared.Value.Number);
        }
        await FinishAsync(seen, incidentId, RoutingOutcome.Opened, AlertStatus.Triggered, rule?.Id, caller, AlertTimelineKinds.Attached, ct);
    }

    /// <summary>Links the alert to its incident with a timeline entry, in one transaction, unless the alert's status changed meanwhile.</summary>
    private async Task FinishAsync(Alert seen, Guid? incidentId, RoutingOutcome outcome, AlertStatus routed, Guid? ruleId, Caller caller, string? timelineKind, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (incidentId is { } id && timelineKind is not null)
            {
                var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, ct);
                if (incident is not null && incident.Status != IncidentStatus.Closed)
                {
                    Timeline.Append(db, incident, caller.Actor, Now, timelineKind, seen.Summary, new
                    {
                        alertId = seen.Id,
                        dedupKey = seen.DedupKey,
                        source = seen.SourceName,
                        severity = WireEnum.Name(seen.Severity),
                        count = seen.Count,
                        firstSeenAt = seen.FirstSeenAt,
                        resolvedAt = seen.ResolvedAt,
                    });
                }
            }
            var linkTo = incidentId ?? seen.IncidentId;
            try
            {
                await db.SaveChangesAsync(ct);
                // Set-based and guarded by StateSeq: duplicates folding in meanwhile do not matter,
                // a status change does (then nothing is written and the alert is routed again).
                var updated = await db.Alerts.Where(a => a.Id == seen.Id && a.StateSeq == seen.StateSeq && a.NeedsRouting)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(a => a.IncidentId, linkTo)
                        .SetProperty(a => a.Outcome, outcome)
                        .SetProperty(a => a.RoutedStatus, routed)
                        .SetProperty(a => a.RuleId, ruleId)
                        .SetProperty(a => a.NeedsRouting, false)
                        // Every writer moves the version, so the committer's guarded writes never overwrite this.
                        .SetProperty(a => a.Version, a => a.Version + 1), ct);
                if (updated == 0)
                {
                    await tx.RollbackAsync(ct);
                    return;
                }
                await tx.CommitAsync(ct);
                return;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone changed the incident meanwhile: read it again.
            }
        }
    }

    private static Actor ActorFor(Alert a) => a.Origin switch
    {
        AlertOrigin.Integration => new Actor(ActorKind.Integration, null, $"integration:{a.SourceName}"),
        AlertOrigin.Monitor => Actor.System($"monitor:{a.SourceName}"),
        _ => Actor.System("reports"),
    };

    private static string Describe(Alert a)
    {
        var lines = new List<string> { a.Summary, "" };
        lines.Add($"{AlertStrings.T("SourceLabel")}: {a.SourceName}{(a.Source is null ? "" : " / " + a.Source)}");
        lines.Add($"{AlertStrings.T("SeverityLabel")}: {WireEnum.Name(a.Severity)}");
        lines.Add($"{AlertStrings.T("DedupKeyLabel")}: {a.DedupKey}");
        return string.Join('\n', lines);
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..max];
}

/// <summary>Routes alerts as soon as they are committed; one node at a time holds the lease.</summary>
public sealed class AlertRoutingWorker(AlertRouter router, AlertRouterWakeup wakeup, IServiceScopeFactory scopes, IOptions<AlertOptions> options,
    TimeProvider time, ILogger<AlertRoutingWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweep = TimeSpan.FromSeconds(Math.Max(1, options.Value.RouterSweepSeconds));
        var leaseUntil = DateTime.MinValue;
        var nextSweep = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A commit signal must be routed at once: the lease is renewed (a write) and
                // flapping settled only once per sweep, not on every signal.
                var now = time.GetUtcNow().UtcDateTime;
                if (now + (sweep * 2) >= leaseUntil)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var leases = scope.ServiceProvider.GetRequiredService<LeaseManager>();
                    leaseUntil = await leases.TryAcquireAsync(AlertRouter.LeaseName, sweep * 4, stoppingToken) ? now + (sweep * 4) : DateTime.MinValue;
                }
                if (leaseUntil > now)
                {
                    await router.RunOnceAsync(stoppingToken, settleFlapping: now >= nextSweep);
                    if (now >= nextSweep)
                    {
                        nextSweep = now + sweep;
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Alert routing failed; retrying.");
                leaseUntil = DateTime.MinValue;
            }
            try
            {
                await wakeup.Wakeup.WaitAsync(sweep, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
