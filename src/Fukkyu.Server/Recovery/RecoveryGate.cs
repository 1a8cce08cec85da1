using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Runbooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Recovery;

public sealed class RecoveryOptions
{
    public const string Section = "Fukkyu:Recovery";

    /// <summary>Turning the gate off lets incidents resolve without proof; on by default, as the manual's 2.4 asks.</summary>
    public bool Enabled { get; set; } = true;
    public int HoldMinutesLevel1 { get; set; } = 5;
    public int HoldMinutesLevel2 { get; set; } = 15;
    public int HoldMinutesLevel3 { get; set; } = 30;
    /// <summary>Incidents of these categories (and every security incident) need a passing reconciliation.</summary>
    public ComponentCategory[] ReconciliationCategories { get; set; } = [ComponentCategory.Deposit, ComponentCategory.Withdrawal, ComponentCategory.Security];

    public int HoldMinutes(int level) => level switch { >= 3 => HoldMinutesLevel3, 2 => HoldMinutesLevel2, _ => HoldMinutesLevel1 };
}

/// <summary>Someone checked by hand that an unmonitored component works again, while the incident was being verified.</summary>
public sealed class RecoveryConfirmation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IncidentId { get; set; }
    public Guid ComponentId { get; set; }
    public required string ComponentKey { get; set; }
    public DateTime At { get; set; }
    public Guid? ById { get; set; }
    public required string ByName { get; set; }
    public string? Note { get; set; }
}

public sealed record MonitorCheck(string Name, string? Component, bool Up, DateTime Since, int UpMinutes, bool Held);

public sealed record ComponentCheck(Guid Id, string Key, string Name, bool Monitored, MonitorCheck[] Monitors, DateTime? ConfirmedAt, string? ConfirmedBy, bool Ok);

public sealed record ChecklistCheck(int Required, int Done, string[] Open);

public sealed record ReconciliationCheck(bool Required, bool Passing, MonitorCheck[] Monitors);

/// <summary>Where the incident stands against the recovery gate, and each thing still missing.</summary>
public sealed record RecoveryStatus(bool Enabled, bool Verifying, bool Ready, string[] Missing, int HoldMinutes, DateTime? VerifyingSince, DateTime? HoldEndsAt,
    bool MonitoringInstalled, ComponentCheck[] Components, ChecklistCheck Checklist, ReconciliationCheck Reconciliation);

/// <summary>
/// The manual's 2.4 as a gate on verifying → resolved: every affected component proven working
/// for the hold period (level 1: 5 min, 2: 15, 3: 30) — by its monitors, or, where it has none, by
/// a person's confirmation made while verifying plus the hold since verifying began; every required
/// verification step done; and for deposit, withdrawal and security incidents a passing
/// reconciliation monitor. Without monitoring installed nothing counts as green by itself:
/// components need a person's confirmation and reconciliation cannot pass, so only a commander's
/// override (recorded on the timeline) resolves such an incident.
/// </summary>
public sealed class RecoveryGate(IEnumerable<IMonitorHealthSource> health, IOptions<RecoveryOptions> options, TimeProvider time) : ITransitionGuard
{
    public async Task<IReadOnlyList<string>> CheckAsync(FukkyuDb db, Incident incident, IncidentStatus to, TransitionContext context, CancellationToken ct)
    {
        if (to != IncidentStatus.Resolved || !options.Value.Enabled)
        {
            return [];
        }
        return (await EvaluateAsync(db, incident, ct)).Missing;
    }

    public async Task<RecoveryStatus> EvaluateAsync(FukkyuDb db, Incident incident, CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var hold = o.HoldMinutes(incident.Level);
        var verifying = incident.Status == IncidentStatus.Verifying;
        var since = verifying ? incident.MonitoringAt : null;
        var holdEnds = since?.AddMinutes(hold);
        var missing = new List<string>();
        var source = health.LastOrDefault(); // the last registration wins, as everywhere in DI
        var componentIds = incident.Components.Select(c => c.ComponentId).ToList();
        var monitors = source is null ? [] : await source.ForComponentsAsync(componentIds, ct);
        var confirmations = since is null ? [] : await db.Set<RecoveryConfirmation>().AsNoTracking()
            .Where(c => c.IncidentId == incident.Id && c.At >= since).ToListAsync(ct);

        MonitorCheck Check(MonitorHealth m, string? component)
        {
            var up = m.Up ? Math.Max(0, (int)(now - m.StateSince).TotalMinutes) : 0;
            return new MonitorCheck(m.Name, component, m.Up, m.StateSince, up, m.Up && now - m.StateSince >= TimeSpan.FromMinutes(hold));
        }

        if (incident.Components.Count == 0)
        {
            missing.Add(RecoveryStrings.T("NoComponents"));
        }
        var components = new List<ComponentCheck>();
        foreach (var ic in incident.Components.OrderBy(c => c.Component?.Key, StringComparer.Ordinal))
        {
            var name = ic.Component?.Name(Texts.Japanese) ?? ic.ComponentId.ToString();
            var mine = monitors.Where(m => m.ComponentId == ic.ComponentId && !m.Reconciliation).Select(m => Check(m, name)).ToArray();
            var confirmation = confirmations.Where(c => c.ComponentId == ic.ComponentId).MaxBy(c => c.At);
            bool ok;
            if (mine.Length > 0)
            {
                foreach (var m in mine.Where(m => !m.Held))
                {
                    missing.Add(m.Up
                        ? RecoveryStrings.T("MonitorNotHeld", m.Name, name, m.UpMinutes, hold, Tokyo.Format(m.Since.AddMinutes(hold)))
                        : RecoveryStrings.T("MonitorDown", m.Name, name));
                }
                ok = mine.All(m => m.Held);
            }
            else
            {
                if (confirmation is null)
                {
                    missing.Add(RecoveryStrings.T(source is null ? "UnmonitoredNoMonitoring" : "Unmonitored", name));
                }
                ok = confirmation is not null && holdEnds <= now;
            }
            components.Add(new ComponentCheck(ic.ComponentId, ic.Component?.Key ?? "", name, mine.Length > 0, mine, confirmation?.At, confirmation?.ByName, ok));
        }
        // Unmonitored components are watched by people: the hold runs from the start of verifying.
        if (components.Any(c => !c.Monitored) && holdEnds is { } ends && ends > now)
        {
            missing.Add(RecoveryStrings.T("HoldNotOver", hold, Tokyo.Format(ends)));
        }
        if (!verifying)
        {
            missing.Add(RecoveryStrings.T("NotVerifying"));
        }

        var items = await db.Set<ChecklistItem>().AsNoTracking()
            .Where(i => i.IncidentId == incident.Id && i.Phase == RunbookPhase.Verification).OrderBy(i => i.Position).ToListAsync(ct);
        var open = items.Where(i => i.Required && i.DoneAt is null).ToList();
        if (items.Count == 0)
        {
            missing.Add(RecoveryStrings.T("NoChecklist"));
        }
        missing.AddRange(open.Select(i => RecoveryStrings.T("StepOpen", i.Text(Texts.Japanese))));

        var needsReconciliation = incident.Security || o.ReconciliationCategories.Contains(incident.Category);
        var reconciliation = monitors.Where(m => m.Reconciliation).Select(m => Check(m, null)).ToArray();
        var passing = reconciliation.Length > 0 && reconciliation.All(m => m.Up);
        if (needsReconciliation)
        {
            if (reconciliation.Length == 0)
            {
                missing.Add(RecoveryStrings.T(source is null ? "NoReconciliationNoMonitoring" : "NoReconciliation", WireEnum.Name(incident.Category)));
            }
            missing.AddRange(reconciliation.Where(m => !m.Up).Select(m => RecoveryStrings.T("ReconciliationFailing", m.Name)));
        }
        return new RecoveryStatus(o.Enabled, verifying, missing.Count == 0, [.. missing], hold, since, holdEnds, source is not null, [.. components],
            new ChecklistCheck(items.Count(i => i.Required), items.Count(i => i.Required && i.DoneAt is not null), [.. open.Select(i => i.Text(Texts.Japanese))]),
            new ReconciliationCheck(needsReconciliation, passing, reconciliation));
    }
}
