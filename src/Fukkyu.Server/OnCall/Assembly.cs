using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.OnCall;

/// <summary>
/// Team assembly by level (manual 1.2, 2.2). Level 1 pages the owning team's on-call; level 2 also
/// the emergency response team, and asks for a commander while there is none; level 3 the
/// executives (asking one to command unless an executive already does) and every team lead. When
/// the level rises only the newly required groups are paged, and within them only people not yet
/// paged for the same purpose. A drill pages only its participants (the incident's members).
/// </summary>
public sealed class ResponseAssembly(PagingEngine engine, IOptions<PagingOptions> options, ILogger<ResponseAssembly> log) : IIncidentListener
{
    public async Task OnChangingAsync(IncidentChange change, CancellationToken ct)
    {
        var incident = change.Incident;
        switch (change.Kind)
        {
            case IncidentChangeKind.Declared:
                await AssembleAsync(change, ct);
                break;
            case IncidentChangeKind.LevelChanged when change.FromLevel is { } from && incident.Level > from && incident.IsOpen && !incident.Drill:
                await AssembleAsync(change, ct);
                break;
            case IncidentChangeKind.MembersChanged when incident.Drill && incident.IsOpen:
                await PageNewDrillMembersAsync(change, ct);
                break;
            case IncidentChangeKind.StatusChanged when !incident.IsOpen:
                await EndPagesAsync(change, ct);
                break;
        }
    }

    private async Task AssembleAsync(IncidentChange change, CancellationToken ct)
    {
        var (groups, warnings) = await PlanAsync(change.Db, change.Incident, ct);
        var existing = await ExistingGroupsAsync(change.Db, change.Incident.Id, ct);
        // Gaps in the set-up are shown on the incident's paging panel (recomputed there); the log keeps them too.
        foreach (var w in warnings)
        {
            log.LogWarning("{Incident} level {Level}: {Warning}", change.Incident.Number, change.Incident.Level, w);
        }
        foreach (var g in groups.Where(g => !existing.Contains(g.Key)))
        {
            await engine.StartAsync(change.Incident, g, change.Actor, change.At, ct);
        }
    }

    internal static async Task<HashSet<string>> ExistingGroupsAsync(FukkyuDb db, Guid incidentId, CancellationToken ct)
    {
        var keys = db.IsBeingDeclared(incidentId)
            ? []
            : (await db.Set<Page>().Where(p => p.IncidentId == incidentId).Select(p => p.GroupKey).ToListAsync(ct)).ToHashSet();
        keys.UnionWith(db.ChangeTracker.Entries<Page>().Where(e => e.Entity.IncidentId == incidentId).Select(e => e.Entity.GroupKey));
        return keys;
    }

    /// <summary>Every group the incident's level requires, and what could not be found (no owner, no ERT…).</summary>
    public async Task<(List<PageGroup> Groups, List<string> Warnings)> PlanAsync(FukkyuDb db, Incident incident, CancellationToken ct)
    {
        var o = options.Value;
        var groups = new List<PageGroup>();
        var warnings = new List<string>();
        if (incident.Drill)
        {
            var members = incident.Members.Select(m => (m.UserId, m.User?.DisplayName ?? "")).ToList();
            if (members.Count == 0)
            {
                warnings.Add("drill-no-members");
            }
            else
            {
                groups.Add(UsersGroup("drill", "訓練参加者 / Drill participants", PagePurpose.Respond, members));
            }
            return (groups, warnings);
        }

        var teams = await db.Set<Team>().AsNoTracking()
            .Include(t => t.Members).ThenInclude(m => m.User)
            .Include(t => t.EscalationPolicy).ThenInclude(p => p!.Steps).ThenInclude(s => s.Targets)
            .AsSplitQuery().ToListAsync(ct);
        var names = await TargetNamesAsync(db, teams, ct);
        var componentIds = incident.Components.Select(c => c.ComponentId).ToList();
        var ownerIds = await db.Set<TeamComponent>().AsNoTracking().Where(tc => componentIds.Contains(tc.ComponentId)).Select(tc => tc.TeamId).Distinct().ToListAsync(ct);
        var owners = teams.Where(t => ownerIds.Contains(t.Id)).ToList();
        if (owners.Count == 0)
        {
            owners = [.. teams.Where(t => t.IsDefault)];
            if (owners.Count == 0)
            {
                warnings.Add("no-owner");
            }
        }
        groups.AddRange(owners.Select(t => TeamGroup(t, PagePurpose.Respond, names)));

        if (incident.Level >= 2)
        {
            var ert = teams.Where(t => t.Kind == TeamKind.EmergencyResponse).ToList();
            if (ert.Count == 0)
            {
                warnings.Add("no-ert");
            }
            groups.AddRange(ert.Select(t => TeamGroup(t, PagePurpose.Respond, names)));
            if (incident.CommanderId is null && incident.Level == 2)
            {
                var leads = ert.SelectMany(t => t.Members).Where(m => m.Lead && m.User is { Active: true }).Select(m => (m.UserId, m.User!.DisplayName)).ToList();
                if (leads.Count == 0)
                {
                    leads = await UsersInRoleAsync(db, Roles.Commander, ct);
                }
                if (leads.Count == 0)
                {
                    warnings.Add("no-commander-candidates");
                }
                else
                {
                    groups.Add(UsersGroup("command", "指揮者の要請 / Commander request", PagePurpose.Command, leads));
                }
            }
        }
        if (incident.Level >= 3)
        {
            // An executive commands a level-3 incident: ask them unless one already does.
            var executiveCommands = incident.Commander?.Roles.Contains(Roles.Executive) == true;
            var purpose = executiveCommands ? PagePurpose.Respond : PagePurpose.Command;
            var execTeams = teams.Where(t => t.Kind == TeamKind.Executives).ToList();
            if (execTeams.Count > 0)
            {
                groups.AddRange(execTeams.Select(t => TeamGroup(t, purpose, names) with { Key = "executives:" + t.Key }));
            }
            else if (await UsersInRoleAsync(db, Roles.Executive, ct) is { Count: > 0 } executives)
            {
                groups.Add(UsersGroup("executives", "経営陣 / Executives", purpose, executives));
            }
            else
            {
                warnings.Add("no-executives");
            }
            var allLeads = teams.SelectMany(t => t.Members).Where(m => m.Lead && m.User is { Active: true })
                .Select(m => (m.UserId, m.User!.DisplayName)).DistinctBy(x => x.UserId).ToList();
            if (allLeads.Count > 0)
            {
                groups.Add(UsersGroup("leads", "全チームリーダー / All team leads", PagePurpose.Respond, allLeads));
            }
        }
        return (groups, warnings);
    }

    private PageGroup UsersGroup(string key, string name, PagePurpose purpose, IEnumerable<(Guid Id, string Name)> users) =>
        new(key, name, purpose,
            [new PlannedStep(options.Value.DefaultRepeatMinutes, [.. users.Select(u => new PlannedTarget(TargetKind.User, u.Id, u.Name))])],
            options.Value.DefaultRepeat);

    /// <summary>The team's escalation policy, or — without one — its on-call (or members) re-notified on the default cadence.</summary>
    internal PageGroup TeamGroup(Team team, PagePurpose purpose, IReadOnlyDictionary<Guid, string> names)
    {
        var name = $"{team.NameJa} / {team.NameEn}";
        if (team.EscalationPolicy is { Steps.Count: > 0 } policy)
        {
            return new PageGroup("team:" + team.Key, name, purpose, PolicySteps(policy, names), policy.Repeat);
        }
        return new PageGroup("team:" + team.Key, name, purpose,
            [new PlannedStep(options.Value.DefaultRepeatMinutes, [new PlannedTarget(TargetKind.Team, team.Id, name)])], options.Value.DefaultRepeat);
    }

    internal static PlannedStep[] PolicySteps(EscalationPolicy policy, IReadOnlyDictionary<Guid, string> names) =>
        [.. policy.Steps.OrderBy(s => s.Position).Select(s => new PlannedStep(s.DelayMinutes,
            [.. s.Targets.OrderBy(t => t.Position).Select(t => new PlannedTarget(t.Kind, t.TargetId, names.GetValueOrDefault(t.TargetId, t.TargetId.ToString())))]))];

    /// <summary>Display names of every user, schedule and team an escalation target may name.</summary>
    internal static async Task<Dictionary<Guid, string>> TargetNamesAsync(FukkyuDb db, IEnumerable<Team> teams, CancellationToken ct)
    {
        var names = new Dictionary<Guid, string>();
        foreach (var t in teams)
        {
            names[t.Id] = $"{t.NameJa} / {t.NameEn}";
        }
        foreach (var s in await db.Set<Schedule>().AsNoTracking().Select(s => new { s.Id, s.Name }).ToListAsync(ct))
        {
            names[s.Id] = s.Name;
        }
        var userIds = teams.SelectMany(t => t.EscalationPolicy?.Steps ?? []).SelectMany(s => s.Targets).Where(t => t.Kind == TargetKind.User).Select(t => t.TargetId).Distinct().ToList();
        foreach (var u in await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct))
        {
            names[u.Id] = u.DisplayName;
        }
        return names;
    }

    private static async Task<List<(Guid, string)>> UsersInRoleAsync(FukkyuDb db, string role, CancellationToken ct) =>
        [.. (await db.Users.AsNoTracking().Where(u => u.Active && u.Roles.Contains(role)).OrderBy(u => u.UserName)
            .Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct)).Select(u => (u.Id, u.DisplayName))];

    private async Task PageNewDrillMembersAsync(IncidentChange change, CancellationToken ct)
    {
        var db = change.Db;
        var incident = change.Incident;
        var notified = (await db.Set<PageNotification>().Where(n => n.IncidentId == incident.Id).Select(n => n.UserId).Distinct().ToListAsync(ct)).ToHashSet();
        var fresh = incident.Members.Where(m => !notified.Contains(m.UserId)).Select(m => (m.UserId, m.User?.DisplayName ?? "")).ToList();
        if (fresh.Count > 0)
        {
            var key = "drill:" + Guid.CreateVersion7().ToString("N")[..12];
            await engine.StartAsync(incident, UsersGroup(key, "訓練参加者 / Drill participants", PagePurpose.Respond, fresh), change.Actor, change.At, ct);
        }
    }

    private static async Task EndPagesAsync(IncidentChange change, CancellationToken ct)
    {
        var pages = await change.Db.Set<Page>().Where(p => p.IncidentId == change.Incident.Id && p.State == PageState.Triggered).ToListAsync(ct);
        foreach (var p in pages)
        {
            // Pending step jobs find the page ended and do nothing.
            p.State = PageState.Resolved;
            p.EndedAt = change.At;
            p.NextAt = null;
        }
    }
}
