using System.Resources;
using Fukkyu.Server.ActionItems;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;
using Fukkyu.Server.Regulatory;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Register;

/// <summary>What kind of cause it was, for the register's trend analysis.</summary>
public enum CauseClass
{
    Unclassified,
    Software,
    Hardware,
    Network,
    Capacity,
    Change,
    ThirdParty,
    CyberAttack,
    HumanError,
    Other,
}

/// <summary>The register's own facts about an incident (the rest comes from the incident itself).</summary>
public sealed class RegisterEntry : IVersioned
{
    public Guid IncidentId { get; set; }
    public CauseClass CauseClass { get; set; }
    /// <summary>備考: anything the register should say that the incident does not.</summary>
    public string? Remarks { get; set; }
    public string? UpdatedByName { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

public static class RegisterModel
{
    public const int Remarks = 2_000;

    public static void ConfigureRegister(this ModelBuilder b) => b.Entity<RegisterEntry>(e =>
    {
        e.ToTable("register_entries");
        e.HasKey(x => x.IncidentId);
        e.HasIndex(x => x.CauseClass);
        e.Property(x => x.Remarks).HasMaxLength(Remarks);
        e.Property(x => x.UpdatedByName).HasMaxLength(200);
        e.Property(x => x.Version).IsConcurrencyToken();
        e.HasOne<Incident>().WithOne().HasForeignKey<RegisterEntry>(x => x.IncidentId).OnDelete(DeleteBehavior.Cascade);
    });
}

/// <summary>Texts of the failure register and the metrics (RegisterStrings.resx, RegisterStrings.ja.resx).</summary>
public sealed class RegisterStrings
{
    internal static readonly ResourceManager Resources = new(typeof(RegisterStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    public static string In(string lang, string key, params object?[] args) => Texts.Format(Resources, key, lang, args);
}

public sealed record RegisterFilter(
    DateOnly? From = null, DateOnly? To = null, int? Level = null, ComponentCategory? Category = null, string? Component = null,
    CauseClass? CauseClass = null, IncidentStatus? Status = null, bool? Reportable = null, bool IncludeDrills = false, int Limit = FailureRegister.MaxRows);

/// <summary>One line of the システム障害記録台帳.</summary>
public sealed record RegisterRow(
    Incident Incident,
    IReadOnlyList<(Component Component, ComponentImpact Impact)> Components,
    CauseClass CauseClass,
    string? Remarks,
    bool? Reportable,
    int FilingsSubmitted,
    int FilingsRequired,
    int ActionItems,
    int ActionItemsDone,
    ReportStatus? ReportStatus)
{
    /// <summary>From the start (or detection) until the service was restored (or the incident resolved).</summary>
    public double? ImpactMinutes
    {
        get
        {
            var from = Incident.StartedAt is { } s && s <= Incident.DetectedAt ? s : Incident.DetectedAt;
            var until = Incident.MonitoringAt ?? Incident.ResolvedAt;
            return until is { } u && u >= from ? Math.Round((u - from).TotalMinutes, 1) : null;
        }
    }
}

/// <summary>
/// The failure register (システム障害記録台帳): every incident with its key fields, in the order
/// detected. Drills are not failures and stay out unless asked for.
/// </summary>
public sealed class FailureRegister(FukkyuDb db)
{
    /// <summary>A register export is bounded; filter by period for more.</summary>
    public const int MaxRows = 50_000;

    public async Task<List<RegisterRow>> RowsAsync(RegisterFilter f, Caller caller, CancellationToken ct)
    {
        var q = IncidentService.Visible(db.Incidents.AsNoTracking(), caller);
        if (!f.IncludeDrills)
        {
            q = q.Where(i => !i.Drill);
        }
        if (f.From is { } from)
        {
            var t = Tokyo.ToUtc(from.ToDateTime(TimeOnly.MinValue));
            q = q.Where(i => i.DetectedAt >= t);
        }
        if (f.To is { } to)
        {
            var t = Tokyo.ToUtc(to.AddDays(1).ToDateTime(TimeOnly.MinValue));
            q = q.Where(i => i.DetectedAt < t);
        }
        if (f.Level is { } level)
        {
            q = q.Where(i => i.Level == level);
        }
        if (f.Category is { } category)
        {
            q = q.Where(i => i.Category == category);
        }
        if (f.Status is { } status)
        {
            q = q.Where(i => i.Status == status);
        }
        if (f.Component is { Length: > 0 } key)
        {
            q = q.Where(i => i.Components.Any(c => c.Component!.Key == key));
        }
        if (f.CauseClass is { } cc)
        {
            q = cc == CauseClass.Unclassified
                ? q.Where(i => !db.Set<RegisterEntry>().Any(e => e.IncidentId == i.Id && e.CauseClass != CauseClass.Unclassified))
                : q.Where(i => db.Set<RegisterEntry>().Any(e => e.IncidentId == i.Id && e.CauseClass == cc));
        }
        if (f.Reportable is { } reportable)
        {
            q = q.Where(i => db.Set<RegulatoryTrack>().Any(t => t.IncidentId == i.Id && t.Reportable == reportable));
        }
        var incidents = await q.Include(i => i.Components).ThenInclude(c => c.Component).Include(i => i.Commander).AsSplitQuery()
            .OrderBy(i => i.DetectedAt).ThenBy(i => i.Number).Take(Math.Clamp(f.Limit, 1, MaxRows)).ToListAsync(ct);
        // One array parameter, not EF 10's default of one parameter per id: thousands of
        // parameters made SQLite spend seconds preparing each statement and would pass
        // PostgreSQL's 65,535-parameter limit near MaxRows.
        var ids = incidents.Select(i => i.Id).ToList();
        var entries = await db.Set<RegisterEntry>().AsNoTracking().Where(e => EF.Parameter(ids).Contains(e.IncidentId)).ToDictionaryAsync(e => e.IncidentId, ct);
        var tracks = await db.Set<RegulatoryTrack>().AsNoTracking().Where(t => EF.Parameter(ids).Contains(t.IncidentId))
            .Select(t => new
            {
                t.IncidentId,
                t.Reportable,
                Submitted = t.Filings.Count(x => x.Status == FilingStatus.Submitted),
                Required = t.Filings.Count(x => x.Status != FilingStatus.NotRequired),
            })
            .ToDictionaryAsync(t => t.IncidentId, ct);
        var actions = await db.Set<ActionItemIncident>().AsNoTracking().Where(x => EF.Parameter(ids).Contains(x.IncidentId))
            .Join(db.ActionItems.Where(a => a.Status != ActionItemStatus.Cancelled), x => x.ActionItemId, a => a.Id, (x, a) => new { x.IncidentId, a.Status })
            .ToListAsync(ct);
        var actionsOf = actions.ToLookup(a => a.IncidentId, a => a.Status);
        var reports = await db.IncidentReports.AsNoTracking().Where(r => EF.Parameter(ids).Contains(r.IncidentId)).ToDictionaryAsync(r => r.IncidentId, r => r.Status, ct);
        return [.. incidents.Select(i =>
        {
            entries.TryGetValue(i.Id, out var e);
            var track = tracks.GetValueOrDefault(i.Id);
            var mine = actionsOf[i.Id];
            return new RegisterRow(i,
                [.. i.Components.Where(c => c.Component is not null).OrderBy(c => c.Component!.Key, StringComparer.Ordinal).Select(c => (c.Component!, c.Impact))],
                e?.CauseClass ?? CauseClass.Unclassified, e?.Remarks,
                i.Drill ? false : track?.Reportable, track?.Submitted ?? 0, track?.Required ?? 0,
                mine.Count(), mine.Count(a => a == ActionItemStatus.Done),
                reports.TryGetValue(i.Id, out var rs) ? rs : null);
        })];
    }

    /// <summary>Sets an incident's cause class and remarks (the incident must be visible to the caller).</summary>
    public async Task<OpResult<RegisterEntry>> ClassifyAsync(Guid incidentId, CauseClass causeClass, string? remarks, Actor actor, DateTime now, CancellationToken ct)
    {
        var entry = await db.Set<RegisterEntry>().FirstOrDefaultAsync(e => e.IncidentId == incidentId, ct);
        if (entry is null)
        {
            entry = new RegisterEntry { IncidentId = incidentId };
            db.Add(entry);
        }
        entry.CauseClass = causeClass;
        entry.Remarks = remarks;
        entry.UpdatedByName = actor.Name;
        entry.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return new ConflictError("concurrency", Validation.Text("Conflict"));
        }
        return entry;
    }
}
