using System.Text.Json;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Maintenance;
using Fukkyu.Server.Notices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.StatusPage;

/// <summary>A text in both languages of the public page.</summary>
public sealed record Bilingual(string Ja, string En)
{
    public string For(string lang) => lang == "en" ? En : Ja;
}

public sealed record PublicComponent(
    Guid Id, string Key, ComponentCategory Category, Guid? GroupId, Bilingual Name, Bilingual? Description,
    string? Asset, string? Network, ComponentStatus Status, int Position, DateTime CreatedAt, DateTime UpdatedAt,
    IReadOnlyList<DailyAvailability>? Days);

public sealed record PublicGroup(Guid Id, string Key, Bilingual Name, IReadOnlyList<PublicComponent> Components, ComponentStatus Status,
    DateTime CreatedAt, DateTime UpdatedAt);

public sealed record PublicUpdate(
    Guid Id, Guid SubjectId, NoticeStatus Status, Bilingual Title, DateTime OccurredAt, Bilingual What, Bilingual Impact,
    Bilingual Outlook, Bilingual Alternatives, DateTime PublishedAt, IReadOnlyList<AffectedComponent>? Affected, bool DeliverNotifications);

/// <summary>An incident or a maintenance as the public sees it: only what published notices said.</summary>
public sealed record PublicIncident(
    Guid Id, bool IsMaintenance, Bilingual Name, string Status, string Impact, DateTime CreatedAt, DateTime UpdatedAt,
    DateTime? MonitoringAt, DateTime? ResolvedAt, DateTime? StartedAt, IReadOnlyList<PublicUpdate> Updates,
    IReadOnlyList<Guid> ComponentIds, DateTime? ScheduledFor, DateTime? ScheduledUntil, PublicReport? Report)
{
    public bool Open => IsMaintenance
        ? Status is "scheduled" or "in_progress" or "verifying"
        : Status is not ("resolved" or "postmortem");

    public bool Cancelled => Status == "cancelled";
}

/// <summary>Statuspage's <c>status</c>: an indicator and its description.</summary>
public sealed record PublicIndicator(string Indicator, Bilingual Description);

/// <summary>Everything the public page, its JSON and its feeds show, read once per snapshot.</summary>
public sealed record PublicModel(
    DateTime Now,
    DateTime UpdatedAt,
    IReadOnlyList<PublicGroup> Groups,
    IReadOnlyList<PublicComponent> Ungrouped,
    IReadOnlyDictionary<Guid, PublicComponent> ComponentsById,
    IReadOnlyList<PublicIncident> Incidents,
    IReadOnlyList<PublicIncident> Maintenances,
    IReadOnlyList<(PublicIncident Subject, PublicUpdate Update)> Notices,
    PublicIndicator Status,
    bool HasAvailability,
    DateOnly Today)
{
    public IEnumerable<PublicComponent> AllComponents => Groups.SelectMany(g => g.Components).Concat(Ungrouped);

    public PublicIncident? Find(Guid id) => Incidents.FirstOrDefault(i => i.Id == id) ?? Maintenances.FirstOrDefault(m => m.Id == id);
}

/// <summary>
/// Reads the public model from the database. Drills never appear; an incident appears only once
/// a person has published a notice about it, under the title that notice gave — so internal
/// titles and security details stay inside.
/// </summary>
public sealed class PublicModelLoader(FukkyuDb db, TimeProvider time, IOptions<StatusPageOptions> options, IServiceProvider services)
{
    public const int AvailabilityDays = 90;

    internal static readonly IncidentStatus[] OpenStatuses =
        [IncidentStatus.Detected, IncidentStatus.Triaging, IncidentStatus.Investigating, IncidentStatus.Recovering, IncidentStatus.Verifying];

    private static readonly MaintenanceStatus[] LiveMaintenance = [MaintenanceStatus.Scheduled, MaintenanceStatus.InProgress, MaintenanceStatus.Verifying];

    public async Task<PublicModel> LoadAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-o.HistoryDays);
        var today = DateOnly.FromDateTime(Tokyo.FromUtc(now));

        var groups = await db.Set<ComponentGroup>().AsNoTracking().Where(g => g.Public).OrderBy(g => g.Position).ToListAsync(ct);
        var components = await db.Components.AsNoTracking().Where(c => c.Public).ToListAsync(ct);
        components = [.. components.OrderBy(c => c.Position).ThenBy(c => c.Key, StringComparer.Ordinal)];

        var availability = services.GetService<IAvailabilitySource>();
        var days = new Dictionary<Guid, List<DailyAvailability>>();
        if (availability is not null && components.Count > 0)
        {
            foreach (var d in await availability.DailyAsync([.. components.Select(c => c.Id)], today.AddDays(-(AvailabilityDays - 1)), today, ct))
            {
                if (!days.TryGetValue(d.ComponentId, out var list))
                {
                    days[d.ComponentId] = list = [];
                }
                list.Add(d);
            }
        }
        PublicComponent ToPublic(Component c) => new(
            c.Id, c.Key, c.Category, c.GroupId, new Bilingual(c.NameJa, c.NameEn),
            c.DescriptionJa is null && c.DescriptionEn is null ? null : new Bilingual(c.DescriptionJa ?? c.DescriptionEn!, c.DescriptionEn ?? c.DescriptionJa!),
            c.Asset, c.Network, c.Status, c.Position, c.CreatedAt, Max(c.UpdatedAt, c.StatusChangedAt),
            availability is null ? null : (IReadOnlyList<DailyAvailability>?)(days.TryGetValue(c.Id, out var l) ? l : []));

        var publicGroups = new List<PublicGroup>();
        var groupIds = groups.Select(g => g.Id).ToHashSet();
        foreach (var g in groups)
        {
            var children = components.Where(c => c.GroupId == g.Id).Select(ToPublic).ToList();
            if (children.Count == 0)
            {
                continue;
            }
            publicGroups.Add(new PublicGroup(g.Id, g.Key, new Bilingual(g.NameJa, g.NameEn), children, Worst(children.Select(c => c.Status)),
                g.CreatedAt, children.Max(c => c.UpdatedAt)));
        }
        var ungrouped = components.Where(c => c.GroupId is not { } gid || !groupIds.Contains(gid)).Select(ToPublic).ToList();
        var byId = publicGroups.SelectMany(g => g.Components).Concat(ungrouped).ToDictionary(c => c.Id);

        var incidents = await LoadIncidentsAsync(since, byId, o.MaxIncidents, ct);
        var maintenances = await LoadMaintenancesAsync(since, byId, ct);
        var notices = incidents.Concat(maintenances)
            .SelectMany(s => s.Updates.Select(u => (Subject: s, Update: u)))
            .OrderByDescending(x => x.Update.PublishedAt).ThenByDescending(x => x.Update.Id)
            .Take(o.MaxNotices).ToList();

        var updatedAt = new[] { DateTime.UnixEpoch }
            .Concat(byId.Values.Select(c => c.UpdatedAt))
            .Concat(incidents.Select(i => i.UpdatedAt))
            .Concat(maintenances.Select(m => m.UpdatedAt))
            .Max();
        return new PublicModel(now, updatedAt, publicGroups, ungrouped, byId, incidents, maintenances, notices,
            Indicator(byId.Values, incidents), availability is not null, today);
    }

    private async Task<List<PublicIncident>> LoadIncidentsAsync(DateTime since, IReadOnlyDictionary<Guid, PublicComponent> components, int max, CancellationToken ct)
    {
        var candidates = await db.Notices.AsNoTracking()
            .Where(n => n.State == NoticeState.Published && !n.Drill && n.IncidentId != null)
            .Join(db.Incidents, n => n.IncidentId, i => i.Id, (n, i) => new { i.Id, i.Drill, i.Status, i.ResolvedAt, n.PublishedAt })
            .Where(x => !x.Drill && (OpenStatuses.Contains(x.Status) || x.PublishedAt >= since || x.ResolvedAt >= since))
            .Select(x => x.Id).Distinct().ToListAsync(ct);
        if (candidates.Count == 0)
        {
            return [];
        }
        var incidents = await db.Incidents.AsNoTracking().Include(i => i.Components).AsSplitQuery()
            .Where(i => candidates.Contains(i.Id)).ToListAsync(ct);
        var notices = await db.Notices.AsNoTracking()
            .Where(n => n.IncidentId != null && candidates.Contains(n.IncidentId.Value) && n.State == NoticeState.Published && !n.Drill)
            .ToListAsync(ct);
        var reports = await ReportsAsync(candidates, ct);
        var result = new List<PublicIncident>();
        foreach (var i in incidents)
        {
            var updates = notices.Where(n => n.IncidentId == i.Id).OrderByDescending(n => n.PublishedAt).ThenByDescending(n => n.Seq).Select(ToUpdate).ToList();
            var latest = updates[0];
            reports.TryGetValue(i.Id, out var report);
            var status = Lifecycle.PublicStatus(i.Status, report is not null) is { } ps ? WireEnum.Name(ps) : WireEnum.Name(latest.Status);
            var created = updates[^1].PublishedAt;
            var updated = new[] { latest.PublishedAt, i.ResolvedAt ?? DateTime.MinValue, i.MonitoringAt ?? DateTime.MinValue, report?.PublishedAt ?? DateTime.MinValue }.Max();
            var resolved = status is "resolved" or "postmortem";
            result.Add(new PublicIncident(
                i.Id, false, latest.Title, status, Impact(i.Level), created, updated,
                i.MonitoringAt, resolved ? i.ResolvedAt ?? latest.PublishedAt : null, i.StartedAt ?? i.DetectedAt, updates,
                [.. i.Components.Where(c => components.ContainsKey(c.ComponentId)).Select(c => c.ComponentId)], null, null, report));
        }
        var open = result.Where(r => r.Open).OrderByDescending(r => r.CreatedAt);
        var past = result.Where(r => !r.Open).OrderByDescending(r => r.CreatedAt);
        return [.. open.Concat(past).Take(Math.Max(max, result.Count(r => r.Open)))];
    }

    private async Task<List<PublicIncident>> LoadMaintenancesAsync(DateTime since, IReadOnlyDictionary<Guid, PublicComponent> components, CancellationToken ct)
    {
        var rows = await db.Maintenances.AsNoTracking().Include(m => m.Components)
            .Where(m => LiveMaintenance.Contains(m.Status) || m.ScheduledUntil >= since || m.UpdatedAt >= since)
            .ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }
        var ids = rows.Select(m => m.Id).ToList();
        var notices = await db.Notices.AsNoTracking()
            .Where(n => n.MaintenanceId != null && ids.Contains(n.MaintenanceId.Value) && n.State == NoticeState.Published)
            .ToListAsync(ct);
        var result = new List<PublicIncident>();
        foreach (var m in rows)
        {
            var updates = notices.Where(n => n.MaintenanceId == m.Id).OrderByDescending(n => n.PublishedAt).ThenByDescending(n => n.Seq).Select(ToUpdate).ToList();
            if (updates.Count == 0)
            {
                continue;
            }
            result.Add(new PublicIncident(
                m.Id, true, new Bilingual(m.TitleJa, m.TitleEn), WireEnum.Name(m.Status), "maintenance", updates[^1].PublishedAt,
                Max(m.UpdatedAt, updates[0].PublishedAt), null, m.Status == MaintenanceStatus.Completed ? m.CompletedAt : null,
                m.StartedAt, updates, [.. m.Components.Where(c => components.ContainsKey(c.ComponentId)).Select(c => c.ComponentId)],
                m.ScheduledFor, m.ScheduledUntil, null));
        }
        return [.. result.OrderBy(m => m.ScheduledFor)];
    }

    private async Task<Dictionary<Guid, PublicReport>> ReportsAsync(List<Guid> incidentIds, CancellationToken ct)
    {
        if (services.GetService<IPublicReportSource>() is not { } source)
        {
            return [];
        }
        return (await source.PublishedAsync(incidentIds, ct)).GroupBy(r => r.IncidentId).ToDictionary(g => g.Key, g => g.First());
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static PublicUpdate ToUpdate(Notice n) => new(
        n.Id, n.SubjectId, n.Status, new Bilingual(n.TitleJa, n.TitleEn), n.OccurredAt,
        new Bilingual(n.WhatJa, n.WhatEn), new Bilingual(n.ImpactJa, n.ImpactEn), new Bilingual(n.OutlookJa, n.OutlookEn),
        new Bilingual(n.AlternativesJa, n.AlternativesEn), n.PublishedAt ?? n.CreatedAt,
        n.AffectedComponents is { Length: > 2 } a ? JsonSerializer.Deserialize<List<AffectedComponent>>(a, Json) : null,
        n.DeliverNotifications);

    /// <summary>Statuspage's impact from the incident's level.</summary>
    public static string Impact(int level) => level switch
    {
        >= 3 => "critical",
        2 => "major",
        _ => "minor",
    };

    public static ComponentStatus Worst(IEnumerable<ComponentStatus> statuses)
    {
        var worst = ComponentStatus.Operational;
        foreach (var s in statuses)
        {
            if (Rank(s) > Rank(worst))
            {
                worst = s;
            }
        }
        return worst;
    }

    // Maintenance is planned, so it ranks below any failure.
    private static int Rank(ComponentStatus s) => s switch
    {
        ComponentStatus.Operational => 0,
        ComponentStatus.UnderMaintenance => 1,
        ComponentStatus.DegradedPerformance => 2,
        ComponentStatus.PartialOutage => 3,
        ComponentStatus.MajorOutage => 4,
        _ => 0,
    };

    /// <summary>
    /// The overall indicator: the worst of the open incidents' impacts and what the components
    /// say (any outage is at least minor, a major outage major, every component down critical).
    /// </summary>
    public static PublicIndicator Indicator(IEnumerable<PublicComponent> components, IEnumerable<PublicIncident> incidents)
    {
        var all = components.ToList();
        var level = 0;
        foreach (var c in all)
        {
            level = Math.Max(level, c.Status switch
            {
                ComponentStatus.MajorOutage => 2,
                ComponentStatus.PartialOutage or ComponentStatus.DegradedPerformance => 1,
                _ => 0,
            });
        }
        if (all.Count > 0 && all.All(c => c.Status == ComponentStatus.MajorOutage))
        {
            level = 3;
        }
        foreach (var i in incidents.Where(i => i.Open && !i.IsMaintenance))
        {
            level = Math.Max(level, i.Impact switch { "critical" => 3, "major" => 2, _ => 1 });
        }
        var maintenance = all.Any(c => c.Status == ComponentStatus.UnderMaintenance);
        return level switch
        {
            3 => new PublicIndicator("critical", new Bilingual("大規模な障害が発生しています", "Major Service Outage")),
            2 => new PublicIndicator("major", new Bilingual("一部のサービスで障害が発生しています", "Partial System Outage")),
            1 => new PublicIndicator("minor", new Bilingual("一部のサービスに影響が出ています", "Minor Service Outage")),
            _ when maintenance => new PublicIndicator("none", new Bilingual("メンテナンス中のサービスがあります", "Service Under Maintenance")),
            _ => new PublicIndicator("none", new Bilingual("すべてのサービスは正常に稼働しています", "All Systems Operational")),
        };
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
