using System.Text.Json;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Regulatory;

public sealed class RegulatoryOptions
{
    public const string Section = "Fukkyu:Regulatory";

    /// <summary>The immediate report (直ちに) is due this many minutes after detection.</summary>
    public int ImmediateReportMinutes { get; set; } = 60;
    /// <summary>The report on restoration is due this long after the incident is resolved.</summary>
    public int RestorationReportHours { get; set; } = 24;
    /// <summary>The report on the cause is due this long after the cause is first recorded.</summary>
    public int CauseReportHours { get; set; } = 72;
    /// <summary>While the cause is unknown, a status report is due this many months after detection.</summary>
    public int StatusReportMonths { get; set; } = 1;
    /// <summary>Minutes before each deadline at which compliance and the commander are reminded; unset means 1 day, 4 h, 1 h and 15 min.</summary>
    public int[]? ReminderMinutesBefore { get; set; }
    /// <summary>After a missed deadline, reminders repeat at this interval until it is submitted.</summary>
    public int OverdueRepeatMinutes { get; set; } = 240;
    public int MaxOverdueReminders { get; set; } = 30;
    /// <summary>Printed on the drafts as the reporting company.</summary>
    public string CompanyName { get; set; } = "（会社名）";
    /// <summary>Printed on the drafts as the addressee.</summary>
    public string Addressee { get; set; } = "金融庁長官 殿";

    public int[] MinutesBefore => ReminderMinutesBefore is { Length: > 0 } m ? m : [1440, 240, 60, 15];
}

public static class RegulatoryTimeline
{
    /// <summary>A reportability decision (by the rule or by a person).</summary>
    public const string Decision = "regulatory";
    /// <summary>A filing marked submitted.</summary>
    public const string Filing = "filing";
}

internal sealed class RegulatoryTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry entry, JsonElement d)
    {
        string Get(string name) => d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v) ? v.ToString() : "";
        return entry.Kind switch
        {
            RegulatoryTimeline.Decision => RegulatoryStrings.T(Get("reportable") == "True" || Get("reportable") == "true" ? "TlReportable" : "TlNotReportable",
                Texts.Japanese ? Get("reasonJa") : Get("reasonEn")),
            RegulatoryTimeline.Filing => RegulatoryStrings.T("TlFilingSubmitted", RegulatoryStrings.T("Kind_" + Get("kind"))),
            _ => null,
        };
    }
}

/// <summary>Payload of a filing reminder job; a reminder for a deadline that has since moved does nothing.</summary>
public sealed record FilingReminder(Guid FilingId, DateTime DueAt, string Slot);

/// <summary>
/// Keeps each incident's regulatory track in step with the incident: the reportability decision,
/// the four filings and their deadlines, and the reminders before each deadline.
/// </summary>
public sealed class RegulatoryService(FukkyuDb db, TimeProvider time, IOptions<RegulatoryOptions> options)
{
    public const string ReminderKind = "regulatory.reminder";

    public RegulatoryOptions Options => options.Value;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Finds the track in this unit of work (it may have been added but not saved) or in the database.</summary>
    public async Task<RegulatoryTrack?> TrackAsync(Guid incidentId, CancellationToken ct) =>
        db.ChangeTracker.Entries<RegulatoryTrack>().Select(e => e.Entity).FirstOrDefault(t => t.IncidentId == incidentId)
        ?? (db.IsBeingDeclared(incidentId) ? null : await db.Set<RegulatoryTrack>().Include(t => t.Filings).FirstOrDefaultAsync(t => t.IncidentId == incidentId, ct));

    /// <summary>
    /// Brings the track up to date with a tracked incident, in the caller's unit of work. Drills
    /// never get a track: they never reach the regulator.
    /// </summary>
    public async Task SyncAsync(Incident incident, Actor actor, DateTime now, CancellationToken ct)
    {
        if (incident.Drill)
        {
            return;
        }
        var track = await TrackAsync(incident.Id, ct);
        if (track is null)
        {
            var d = ReportableRule.Decide(incident);
            track = new RegulatoryTrack
            {
                IncidentId = incident.Id, Reportable = d.Reportable, Rule = d.Rule, ReasonJa = d.ReasonJa, ReasonEn = d.ReasonEn,
                DecidedAt = now, CreatedAt = now, UpdatedAt = now,
            };
            // The first decision is the track's starting state, shown with it; only changes go on the timeline.
            db.Add(track);
        }
        else if (!track.Manual)
        {
            var d = ReportableRule.Decide(incident);
            if (d.Reportable != track.Reportable || d.Rule != track.Rule)
            {
                Decide(track, d, null, now);
                Timeline.Append(db, incident, Actor.System("regulatory"), now, RegulatoryTimeline.Decision, null,
                    new { reportable = d.Reportable, rule = d.Rule, reasonJa = d.ReasonJa, reasonEn = d.ReasonEn, manual = false });
            }
        }
        if (!string.IsNullOrWhiteSpace(incident.Cause) && track.CauseFoundAt is null)
        {
            track.CauseFoundAt = now;
            track.UpdatedAt = now;
        }
        SyncFilings(track, incident, now);
    }

    private static void Decide(RegulatoryTrack track, ReportableDecision d, string? by, DateTime now)
    {
        track.Reportable = d.Reportable;
        track.Rule = d.Rule;
        track.ReasonJa = d.ReasonJa;
        track.ReasonEn = d.ReasonEn;
        track.DecidedByName = by;
        track.DecidedAt = now;
        track.UpdatedAt = now;
    }

    /// <summary>A compliance officer decides (with a reason), or hands the decision back to the rule.</summary>
    public Task<OpResult<RegulatoryTrack>> DecideAsync(Incident incident, bool? reportable, string? reason, Actor actor, CancellationToken ct) =>
        Retry.OnConflictAsync<RegulatoryTrack>(db, async () =>
        {
            var tracked = await db.Incidents.Include(i => i.Components).ThenInclude(c => c.Component).FirstAsync(i => i.Id == incident.Id, ct);
            if (tracked.Drill)
            {
                return new ConflictError("drill", RegulatoryStrings.T("DrillNeverReported"));
            }
            var now = Now;
            await SyncAsync(tracked, actor, now, ct);
            var track = (await TrackAsync(tracked.Id, ct))!;
            ReportableDecision d;
            if (reportable is { } r)
            {
                d = new ReportableDecision(r, "manual", reason!, reason!);
                track.Manual = true;
            }
            else
            {
                d = ReportableRule.Decide(tracked);
                track.Manual = false;
            }
            Decide(track, d, reportable is null ? null : actor.Name, now);
            Timeline.Append(db, tracked, actor, now, RegulatoryTimeline.Decision, reason,
                new { reportable = d.Reportable, rule = d.Rule, reasonJa = d.ReasonJa, reasonEn = d.ReasonEn, manual = track.Manual });
            SyncFilings(track, tracked, now);
            await db.SaveChangesAsync(ct);
            return track;
        });

    private void SyncFilings(RegulatoryTrack track, Incident incident, DateTime now)
    {
        var o = options.Value;
        if (!track.Reportable)
        {
            foreach (var f in track.Filings.Where(f => f.Status == FilingStatus.Pending))
            {
                f.Status = FilingStatus.NotRequired;
                f.NotRequiredReason = "not-reportable";
                f.UpdatedAt = now;
            }
            return;
        }
        Ensure(track, FilingKind.Immediate, incident.DetectedAt.AddMinutes(o.ImmediateReportMinutes), incident, now);
        Ensure(track, FilingKind.Restoration, incident.ResolvedAt?.AddHours(o.RestorationReportHours), incident, now);
        Ensure(track, FilingKind.CauseFound, track.CauseFoundAt?.AddHours(o.CauseReportHours), incident, now);
        var statusDue = incident.DetectedAt.AddMonths(o.StatusReportMonths);
        var status = Ensure(track, FilingKind.StatusReport, statusDue, incident, now);
        // The month's status report is for a cause still unknown; once found in time, the cause report replaces it.
        if (status.Status == FilingStatus.Pending && track.CauseFoundAt is { } found && found <= statusDue)
        {
            status.Status = FilingStatus.NotRequired;
            status.NotRequiredReason = "cause-found";
            status.UpdatedAt = now;
        }
    }

    private RegulatoryFiling Ensure(RegulatoryTrack track, FilingKind kind, DateTime? due, Incident incident, DateTime now)
    {
        var f = track.Filings.FirstOrDefault(x => x.Kind == kind);
        if (f is null)
        {
            f = new RegulatoryFiling { IncidentId = track.IncidentId, Kind = kind, CreatedAt = now, UpdatedAt = now };
            track.Filings.Add(f);
            // Explicitly: a new entity with its key already set would otherwise be taken for an existing one.
            db.Add(f);
        }
        else if (f.Status == FilingStatus.NotRequired && f.NotRequiredReason == "not-reportable")
        {
            f.Status = FilingStatus.Pending;
            f.NotRequiredReason = null;
            f.UpdatedAt = now;
            f.DueAt = null; // rescheduled below
        }
        if (f.Status == FilingStatus.Pending && f.DueAt != due)
        {
            f.DueAt = due;
            f.UpdatedAt = now;
            ScheduleReminders(f, incident, now);
        }
        return f;
    }

    private void ScheduleReminders(RegulatoryFiling f, Incident incident, DateTime now)
    {
        if (f.DueAt is not { } due)
        {
            return;
        }
        // Compliance hears of a new deadline at once; that reminder schedules the ones before and
        // after the deadline (FilingReminderHandler), which keeps a declaration's transaction small.
        Jobs.Schedule(db, ReminderKind, now, now, new FilingReminder(f.Id, due, "opened"), $"{Key(f.Id, due)}:opened", incident.Id);
    }

    internal static string Key(Guid filingId, DateTime due) => $"filing:{filingId}:{due.Ticks}";

    /// <summary>The reminders before a deadline that are still ahead, and the first after it; those already scheduled are skipped.</summary>
    internal async Task ScheduleFollowingAsync(RegulatoryFiling f, Guid incidentId, DateTime now, CancellationToken ct)
    {
        if (f.DueAt is not { } due)
        {
            return;
        }
        var key = Key(f.Id, due);
        var planned = new List<(DateTime At, string Slot)>();
        foreach (var minutes in options.Value.MinutesBefore.Where(m => m > 0).Distinct())
        {
            var at = due.AddMinutes(-minutes);
            if (at > now)
            {
                planned.Add((at, $"before:{minutes}"));
            }
        }
        planned.Add((due > now ? due : now, "overdue:1"));
        // After a crash the reminder that schedules these may run again.
        var keys = planned.Select(p => $"{key}:{p.Slot}").ToList();
        var existing = await db.Set<Job>().Where(j => j.Kind == ReminderKind && j.Key != null && keys.Contains(j.Key)).Select(j => j.Key!).ToListAsync(ct);
        foreach (var (at, slot) in planned)
        {
            if (!existing.Contains($"{key}:{slot}"))
            {
                Jobs.Schedule(db, ReminderKind, at, now, new FilingReminder(f.Id, due, slot), $"{key}:{slot}", incidentId);
            }
        }
    }

    public Task<OpResult<RegulatoryFiling>> EditDraftAsync(Guid filingId, string? text, Actor actor, CancellationToken ct) =>
        Retry.OnConflictAsync<RegulatoryFiling>(db, async () =>
        {
            var f = await db.Set<RegulatoryFiling>().FirstOrDefaultAsync(x => x.Id == filingId, ct);
            if (f is null)
            {
                return NotFoundError.Instance;
            }
            if (f.Status == FilingStatus.Submitted)
            {
                return new ConflictError("submitted", RegulatoryStrings.T("AlreadySubmitted"));
            }
            var now = Now;
            f.Draft = text;
            f.DraftEditedByName = text is null ? null : actor.Name;
            f.DraftEditedAt = text is null ? null : now;
            f.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            return f;
        });

    /// <summary>Marks a filing submitted (when, by whom, with the authority's reference) and freezes its text.</summary>
    public Task<OpResult<RegulatoryFiling>> SubmitAsync(Guid filingId, DateTime? submittedAt, string? reference, string? note, string text, Actor actor, CancellationToken ct) =>
        Retry.OnConflictAsync<RegulatoryFiling>(db, async () =>
        {
            var f = await db.Set<RegulatoryFiling>().FirstOrDefaultAsync(x => x.Id == filingId, ct);
            if (f is null)
            {
                return NotFoundError.Instance;
            }
            if (f.Status == FilingStatus.Submitted)
            {
                return new ConflictError("submitted", RegulatoryStrings.T("AlreadySubmitted"));
            }
            var now = Now;
            var at = submittedAt ?? now;
            if (at > now.AddMinutes(5))
            {
                return new InvalidError(new() { ["submittedAt"] = [RegulatoryStrings.T("SubmittedInFuture")] });
            }
            var incident = await db.Incidents.FirstAsync(i => i.Id == f.IncidentId, ct);
            f.Status = FilingStatus.Submitted;
            f.NotRequiredReason = null;
            f.SubmittedAt = at;
            f.SubmittedById = actor.UserId;
            f.SubmittedByName = actor.Name;
            f.SubmissionReference = reference;
            f.SubmissionNote = note;
            f.SubmittedText = text;
            f.UpdatedAt = now;
            Timeline.Append(db, incident, actor, now, RegulatoryTimeline.Filing, note,
                new { kind = WireEnum.Name(f.Kind), submittedAt = at, reference, overdue = f.DueAt < at });
            await db.SaveChangesAsync(ct);
            return f;
        });
}

/// <summary>
/// Keeps the regulatory track in step with every incident change, in the same transaction. A
/// declaration made while others queue behind it leaves the track to a job, so that the pages go
/// out first; its deadlines count from the incident's own times either way.
/// </summary>
internal sealed class RegulatoryListener(RegulatoryService regulatory) : IIncidentListener
{
    public async Task OnChangingAsync(IncidentChange change, CancellationToken ct)
    {
        if (change.Kind is IncidentChangeKind.NoteAdded or IncidentChangeKind.MembersChanged or IncidentChangeKind.CommanderChanged)
        {
            return;
        }
        if (change.Kind == IncidentChangeKind.Declared && change.Crowded && !change.Incident.Drill)
        {
            Jobs.Schedule(change.Db, RegulatorySyncJobHandler.JobKind, change.At, change.At,
                new RegulatorySyncPayload(change.Incident.Id, change.At), $"regulatory-sync:{change.Incident.Id}", change.Incident.Id);
            return;
        }
        await regulatory.SyncAsync(change.Incident, change.Actor, change.At, ct);
    }
}

internal sealed record RegulatorySyncPayload(Guid IncidentId, DateTime At);

/// <summary>Opens the regulatory track of a declaration that left it to a job (see <see cref="RegulatoryListener"/>).</summary>
internal sealed class RegulatorySyncJobHandler : IJobHandler
{
    public const string JobKind = "regulatory-sync";

    public string Kind => JobKind;

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var p = job.PayloadAs<RegulatorySyncPayload>()!;
        var db = services.GetRequiredService<FukkyuDb>();
        var incident = await db.Incidents.Include(i => i.Components).ThenInclude(c => c.Component)
            .FirstOrDefaultAsync(i => i.Id == p.IncidentId, ct);
        if (incident is null)
        {
            return;
        }
        // A change to the incident meanwhile has synced the track already; then this changes nothing.
        await services.GetRequiredService<RegulatoryService>().SyncAsync(incident, Actor.System("regulatory"), p.At, ct);
        await db.SaveChangesAsync(ct);
    }
}
