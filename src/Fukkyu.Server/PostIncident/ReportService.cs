using System.Text.Json;
using Fukkyu.Server.ActionItems;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.PostIncident;

public sealed class ReportOptions
{
    public const string Section = "Fukkyu:Reports";

    /// <summary>The person who submitted a report may not approve it (four eyes).</summary>
    public bool RequireDistinctApprover { get; set; } = true;
    /// <summary>Chromium or Chrome for PDFs; unset looks in the usual places (<c>/usr/bin/chromium</c>, …).</summary>
    public string? ChromiumPath { get; set; }
    /// <summary>Chromium refuses its sandbox as root (containers); the HTML it prints is ours and script-free.</summary>
    public bool ChromiumNoSandbox { get; set; } = true;
    public int PdfTimeoutSeconds { get; set; } = 60;
    /// <summary>Chromium processes allowed at once; each takes a few hundred MB.</summary>
    public int MaxConcurrentPdfs { get; set; } = 2;
}

/// <summary>One section in one language as the reader sees it now.</summary>
public sealed record SectionView(ReportSectionKey Key, string Language, string Body, bool Edited, string? EditedByName, DateTime? EditedAt);

/// <summary>The report as it stands: stored sections, and for a draft, fresh drafts of the rest.</summary>
public sealed record ReportView(Incident Incident, IncidentReport? Report, IncidentTimes Times, IReadOnlyList<SectionView> Sections)
{
    public ReportStatus Status => Report?.Status ?? ReportStatus.Draft;

    /// <summary>Sections no longer follow the incident once submitted.</summary>
    public bool Frozen => Status != ReportStatus.Draft;

    public SectionView Section(ReportSectionKey key, string lang) => Sections.First(s => s.Key == key && s.Language == lang);
}

/// <summary>Report actions on the incident's timeline.</summary>
public static class ReportTimeline
{
    public const string Kind = "report";
}

internal sealed class ReportTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry entry, JsonElement data) => entry.Kind == ReportTimeline.Kind
        ? PostIncidentStrings.T("TlReport_" + (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("action", out var a) ? a.GetString() : ""))
        : null;
}

/// <summary>Drafting, editing, review, approval and publication of incident reports.</summary>
public sealed class ReportService(FukkyuDb db, IncidentService incidents, ReportDrafter drafter, TimeProvider time, ChangeSignal signal, IOptions<ReportOptions> options)
{
    public static readonly ReportSectionKey[] Keys = Enum.GetValues<ReportSectionKey>();

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<ReportSource> SourceAsync(Incident incident, CancellationToken ct)
    {
        var timeline = await db.TimelineEntries.AsNoTracking().Where(t => t.IncidentId == incident.Id).OrderBy(t => t.Seq).ToListAsync(ct);
        var items = await db.Set<ActionItem>().AsNoTracking().Include(a => a.Owner)
            .Where(a => a.Incidents.Any(x => x.IncidentId == incident.Id)).ToListAsync(ct);
        return new ReportSource(incident, timeline, items);
    }

    /// <summary>The report of an incident the caller may see, or null.</summary>
    public async Task<ReportView?> ViewAsync(string incidentIdOrNumber, Caller caller, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(incidentIdOrNumber, caller, tracking: false, ct);
        if (incident is null)
        {
            return null;
        }
        var report = await db.Set<IncidentReport>().AsNoTracking().Include(r => r.Sections).FirstOrDefaultAsync(r => r.IncidentId == incident.Id, ct);
        return await BuildViewAsync(incident, report, ct);
    }

    private async Task<ReportView> BuildViewAsync(Incident incident, IncidentReport? report, CancellationToken ct)
    {
        var source = await SourceAsync(incident, ct);
        var sections = new List<SectionView>();
        foreach (var key in Keys)
        {
            foreach (var lang in Lang.Both)
            {
                var stored = report?.Sections.FirstOrDefault(s => s.Key == key && s.Language == lang);
                sections.Add(stored is not null
                    ? new SectionView(key, lang, stored.Body, stored.Edited, stored.EditedByName, stored.EditedAt)
                    : new SectionView(key, lang, drafter.Draft(key, lang, source), false, null, null));
            }
        }
        return new ReportView(incident, report, source.Times, sections);
    }

    public Task<OpResult<ReportView>> EditSectionAsync(string id, ReportSectionKey key, string lang, string? text, Caller caller, CancellationToken ct) =>
        Retry.OnConflictAsync<ReportView>(db, async () =>
        {
            var (incident, report, error) = await LoadForChangeAsync(id, caller, create: text is not null, ct);
            if (error is not null)
            {
                return error;
            }
            if (report is null)
            {
                return await BuildViewAsync(incident!, null, ct); // reverting a section of a report that does not exist yet
            }
            if (report.Status != ReportStatus.Draft)
            {
                return new ConflictError("not-draft", PostIncidentStrings.T("NotDraft", PostIncidentStrings.T("ReportStatus_" + WireEnum.Name(report.Status))));
            }
            var now = Now;
            var existing = report.Sections.FirstOrDefault(s => s.Key == key && s.Language == lang);
            if (text is null)
            {
                // Back to the generated draft.
                if (existing is not null)
                {
                    report.Sections.Remove(existing);
                }
            }
            else if (existing is null)
            {
                report.Sections.Add(new ReportSection { Key = key, Language = lang, Body = text, Edited = true, EditedById = caller.Actor.UserId, EditedByName = caller.Actor.Name, EditedAt = now });
            }
            else
            {
                existing.Body = text;
                existing.Edited = true;
                existing.EditedById = caller.Actor.UserId;
                existing.EditedByName = caller.Actor.Name;
                existing.EditedAt = now;
            }
            report.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            return await BuildViewAsync(incident!, report, ct);
        });

    public Task<OpResult<ReportView>> SubmitAsync(string id, string? comment, Caller caller, CancellationToken ct) =>
        Retry.OnConflictAsync<ReportView>(db, async () =>
        {
            var (incident, report, error) = await LoadForChangeAsync(id, caller, create: true, ct);
            if (error is not null)
            {
                return error;
            }
            if (report!.Status != ReportStatus.Draft)
            {
                return new ConflictError("not-draft", PostIncidentStrings.T("NotDraft", PostIncidentStrings.T("ReportStatus_" + WireEnum.Name(report.Status))));
            }
            var now = Now;
            // Freeze: what the reviewer approves is what they read, not what the timeline becomes later.
            var source = await SourceAsync(incident!, ct);
            foreach (var key in Keys)
            {
                foreach (var lang in Lang.Both.Where(l => !report.Sections.Any(s => s.Key == key && s.Language == l)))
                {
                    report.Sections.Add(new ReportSection { Key = key, Language = lang, Body = drafter.Draft(key, lang, source) });
                }
            }
            report.Status = ReportStatus.InReview;
            report.SubmittedById = caller.Actor.UserId;
            report.SubmittedByName = caller.Actor.Name;
            report.SubmittedAt = now;
            report.ApprovedById = null;
            report.ApprovedByName = null;
            report.ApprovedAt = null;
            report.ReviewComment = comment;
            return await SaveAsync(incident!, report, "submitted", comment, caller, now, ct);
        });

    public Task<OpResult<ReportView>> ApproveAsync(string id, string? comment, Caller caller, CancellationToken ct) =>
        Retry.OnConflictAsync<ReportView>(db, async () =>
        {
            var (incident, report, error) = await LoadForChangeAsync(id, caller, create: false, ct);
            if (error is not null)
            {
                return error;
            }
            if (report is not { Status: ReportStatus.InReview })
            {
                return new ConflictError("not-in-review", PostIncidentStrings.T("NotInReview"));
            }
            if (options.Value.RequireDistinctApprover && report.SubmittedById is { } submitter && submitter == caller.Actor.UserId)
            {
                return new ConflictError("four-eyes", PostIncidentStrings.T("FourEyes"));
            }
            var now = Now;
            report.Status = ReportStatus.Approved;
            report.ApprovedById = caller.Actor.UserId;
            report.ApprovedByName = caller.Actor.Name;
            report.ApprovedAt = now;
            report.ReviewComment = comment;
            return await SaveAsync(incident!, report, "approved", comment, caller, now, ct);
        });

    /// <summary>From review or after approval back to a draft; sections nobody edited follow the incident again.</summary>
    public Task<OpResult<ReportView>> RequestChangesAsync(string id, string comment, Caller caller, CancellationToken ct) =>
        Retry.OnConflictAsync<ReportView>(db, async () =>
        {
            var (incident, report, error) = await LoadForChangeAsync(id, caller, create: false, ct);
            if (error is not null)
            {
                return error;
            }
            if (report is not { Status: ReportStatus.InReview or ReportStatus.Approved })
            {
                return new ConflictError("not-in-review", PostIncidentStrings.T("NotInReview"));
            }
            var now = Now;
            report.Sections.RemoveAll(s => !s.Edited);
            report.Status = ReportStatus.Draft;
            report.ApprovedById = null;
            report.ApprovedByName = null;
            report.ApprovedAt = null;
            report.ReviewComment = comment;
            return await SaveAsync(incident!, report, "changes_requested", comment, caller, now, ct);
        });

    /// <summary>
    /// Publishes the approved public summary: the incident then shows as <c>postmortem</c> on the
    /// status page. Never for a drill, and only once the incident is resolved.
    /// </summary>
    public Task<OpResult<ReportView>> PublishAsync(string id, Caller caller, CancellationToken ct) =>
        Retry.OnConflictAsync<ReportView>(db, async () =>
        {
            var (incident, report, error) = await LoadForChangeAsync(id, caller, create: false, ct);
            if (error is not null)
            {
                return error;
            }
            if (incident!.Drill)
            {
                return new ConflictError("drill", PostIncidentStrings.T("DrillNotPublic"));
            }
            if (report is not { Status: ReportStatus.Approved })
            {
                return new ConflictError("not-approved", PostIncidentStrings.T("NotApproved"));
            }
            if (incident.Status < IncidentStatus.Resolved)
            {
                return new ConflictError("not-resolved", PostIncidentStrings.T("NotResolved"));
            }
            var now = Now;
            report.Status = ReportStatus.Published;
            report.PublishedAt = now;
            report.PublishedByName = caller.Actor.Name;
            return await SaveAsync(incident, report, "published", null, caller, now, ct);
        });

    private async Task<(Incident? Incident, IncidentReport? Report, OpError? Error)> LoadForChangeAsync(string id, Caller caller, bool create, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(id, caller, tracking: true, ct);
        if (incident is null)
        {
            return (null, null, NotFoundError.Instance);
        }
        var report = await db.Set<IncidentReport>().Include(r => r.Sections).FirstOrDefaultAsync(r => r.IncidentId == incident.Id, ct);
        if (report is null && create)
        {
            var now = Now;
            report = new IncidentReport { IncidentId = incident.Id, CreatedAt = now, UpdatedAt = now };
            db.Add(report);
        }
        return (incident, report, null);
    }

    private async Task<OpResult<ReportView>> SaveAsync(Incident incident, IncidentReport report, string action, string? comment, Caller caller, DateTime now, CancellationToken ct)
    {
        report.UpdatedAt = now;
        Timeline.Append(db, incident, caller.Actor, now, ReportTimeline.Kind, comment, new { action });
        await db.SaveChangesAsync(ct);
        signal.Raise(ChangeSignal.Incidents);
        return await BuildViewAsync(incident, report, ct);
    }
}
