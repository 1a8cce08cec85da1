using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Runbooks;

public sealed class RunbookOptions
{
    public const string Section = "Fukkyu:Runbooks";

    /// <summary>Sample runbooks loaded into an empty database with the sample catalog; relative paths start at the app folder.</summary>
    public string SamplesFile { get; set; } = "Runbooks/sample-runbooks.json";
    public bool LoadSamplesWhenEmpty { get; set; } = true;
    /// <summary>The owner is reminded this many days before the review-by date, on it, and every week after while overdue.</summary>
    public int RemindDaysBefore { get; set; } = 14;
    /// <summary>Reminders go out at this hour, Japan time.</summary>
    public int RemindHourJst { get; set; } = 9;
}

public sealed record StepInput(RunbookPhase Phase, string TextJa, string TextEn, bool Required);

/// <summary>Attaches runbooks to incidents, records checklist steps on the timeline, versions runbooks and reminds their owners.</summary>
public sealed class RunbookService(FukkyuDb db, IncidentService incidents, TimeProvider time, ChangeSignal signal, IOptions<RunbookOptions> options)
{
    public const string ReviewJob = "runbook-review";

    /// <summary>
    /// Attaches the current version of every runbook that applies at the incident's level and is
    /// not attached yet (in the caller's unit of work): on declaration all of them, on a level rise
    /// those that begin at the new level.
    /// </summary>
    public static async Task<int> AttachAsync(FukkyuDb db, Incident incident, DateTime now, CancellationToken ct)
    {
        var category = incident.Category;
        var level = incident.Level;
        var attached = db.IsBeingDeclared(incident.Id)
            ? []
            : await db.Set<IncidentChecklist>().Where(c => c.IncidentId == incident.Id).Select(c => c.RunbookId).ToListAsync(ct);
        attached.AddRange(db.ChangeTracker.Entries<IncidentChecklist>().Where(e => e.Entity.IncidentId == incident.Id).Select(e => e.Entity.RunbookId));
        var runbooks = await db.Set<Runbook>().AsNoTracking()
            .Where(r => !r.Archived && r.MinLevel <= level && (r.Category == null || r.Category == category) && !attached.Contains(r.Id))
            .OrderBy(r => r.MinLevel).ThenBy(r => r.Category == null).ThenBy(r => r.Key).ToListAsync(ct);
        foreach (var r in runbooks)
        {
            var version = await db.Set<RunbookVersion>().AsNoTracking().Include(v => v.Steps)
                .FirstOrDefaultAsync(v => v.RunbookId == r.Id && v.Number == r.CurrentVersion, ct);
            if (version is null)
            {
                continue;
            }
            var checklist = new IncidentChecklist
            {
                IncidentId = incident.Id,
                RunbookId = r.Id,
                RunbookKey = r.Key,
                RunbookVersion = version.Number,
                TitleJa = r.TitleJa,
                TitleEn = r.TitleEn,
                Level = level,
                AttachedAt = now,
            };
            foreach (var s in version.Steps.OrderBy(s => s.Phase).ThenBy(s => s.Position))
            {
                checklist.Items.Add(new ChecklistItem
                {
                    ChecklistId = checklist.Id,
                    IncidentId = incident.Id,
                    Position = s.Position,
                    Phase = s.Phase,
                    TextJa = s.TextJa,
                    TextEn = s.TextEn,
                    Required = s.Required,
                });
            }
            db.Add(checklist);
        }
        return runbooks.Count;
    }

    /// <summary>Ticks (or unticks) a checklist step; either way it goes on the timeline with who and when.</summary>
    public async Task<OpResult<ChecklistItem>> MarkAsync(string incidentIdOrNumber, Guid itemId, bool done, string? note, Caller caller, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var incident = await incidents.FindAsync(incidentIdOrNumber, caller, tracking: true, ct);
            if (incident is null)
            {
                return NotFoundError.Instance;
            }
            var item = await db.Set<ChecklistItem>().FirstOrDefaultAsync(i => i.Id == itemId && i.IncidentId == incident.Id, ct);
            if (item is null)
            {
                return NotFoundError.Instance;
            }
            if (incident.Status == IncidentStatus.Closed)
            {
                return new ConflictError("closed", IncidentStrings.T("Closed"));
            }
            if ((item.DoneAt is not null) == done)
            {
                return new ConflictError("unchanged", RunbookStrings.T(done ? "AlreadyDone" : "NotDone", item.DoneByName ?? "—"));
            }
            var now = time.GetUtcNow().UtcDateTime;
            item.DoneAt = done ? now : null;
            item.DoneById = done ? caller.Actor.UserId : null;
            item.DoneByName = done ? caller.Actor.Name : null;
            item.Note = note?.Trim();
            var checklist = await db.Set<IncidentChecklist>().AsNoTracking().FirstAsync(c => c.Id == item.ChecklistId, ct);
            Timeline.Append(db, incident, caller.Actor, now, RunbookTimeline.Step, item.Note, new
            {
                itemId = item.Id,
                done,
                phase = WireEnum.Name(item.Phase),
                textJa = item.TextJa,
                textEn = item.TextEn,
                runbook = checklist.RunbookKey,
                version = checklist.RunbookVersion,
            });
            try
            {
                await db.SaveChangesAsync(ct);
                signal.Raise(ChangeSignal.Incidents);
                return item;
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                // Someone else wrote to the timeline at the same moment; a tick never conflicts with it.
            }
        }
    }

    /// <summary>
    /// Creates or updates a runbook; new steps or titles make a new version (older versions stay,
    /// as do checklists already attached). Review reminders are rescheduled.
    /// </summary>
    public async Task<(Runbook Runbook, bool Created, bool NewVersion)> SaveAsync(string key, RunbookInput input, Actor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var runbook = await db.Set<Runbook>().FirstOrDefaultAsync(r => r.Key == key, ct);
        var created = runbook is null;
        RunbookVersion? current = null;
        if (runbook is null)
        {
            runbook = new Runbook { Key = key, TitleJa = input.TitleJa, TitleEn = input.TitleEn, CreatedAt = now };
            db.Add(runbook);
        }
        else
        {
            current = await db.Set<RunbookVersion>().AsNoTracking().Include(v => v.Steps)
                .FirstOrDefaultAsync(v => v.RunbookId == runbook.Id && v.Number == runbook.CurrentVersion, ct);
        }
        var steps = input.Steps.Select((s, i) => (s, i)).ToList();
        var same = current is not null && runbook.TitleJa == input.TitleJa && runbook.TitleEn == input.TitleEn
            && current.Steps.OrderBy(s => s.Position).Select(s => new StepInput(s.Phase, s.TextJa, s.TextEn, s.Required)).SequenceEqual(input.Steps);
        runbook.Category = input.Category;
        runbook.MinLevel = input.MinLevel;
        runbook.TitleJa = input.TitleJa;
        runbook.TitleEn = input.TitleEn;
        runbook.OwnerId = input.OwnerId;
        runbook.ReviewIntervalDays = input.ReviewIntervalDays ?? runbook.ReviewIntervalDays;
        var reviewChanged = runbook.ReviewBy != (input.ReviewBy ?? runbook.ReviewBy) || created;
        runbook.ReviewBy = input.ReviewBy ?? (created ? Today(now).AddDays(runbook.ReviewIntervalDays) : runbook.ReviewBy);
        runbook.Archived = input.Archived;
        runbook.UpdatedAt = now;
        if (!same)
        {
            runbook.CurrentVersion++;
            var version = new RunbookVersion { RunbookId = runbook.Id, Number = runbook.CurrentVersion, ChangeNote = input.ChangeNote, CreatedAt = now, CreatedByName = actor.Name };
            foreach (var (s, i) in steps)
            {
                version.Steps.Add(new RunbookStep { VersionId = version.Id, Position = i, Phase = s.Phase, TextJa = s.TextJa, TextEn = s.TextEn, Required = s.Required });
            }
            db.Add(version);
        }
        if (reviewChanged || input.Archived)
        {
            await ScheduleRemindersAsync(runbook, now, ct);
        }
        await db.SaveChangesAsync(ct);
        return (runbook, created, !same);
    }

    /// <summary>The owner reviewed it: the next review-by date follows the interval (or is given).</summary>
    public async Task<Runbook?> ReviewedAsync(string key, DateOnly? next, Actor actor, CancellationToken ct)
    {
        var runbook = await db.Set<Runbook>().FirstOrDefaultAsync(r => r.Key == key, ct);
        if (runbook is null)
        {
            return null;
        }
        var now = time.GetUtcNow().UtcDateTime;
        runbook.LastReviewedAt = now;
        runbook.LastReviewedBy = actor.Name;
        runbook.ReviewBy = next ?? Today(now).AddDays(runbook.ReviewIntervalDays);
        runbook.UpdatedAt = now;
        await ScheduleRemindersAsync(runbook, now, ct);
        await db.SaveChangesAsync(ct);
        return runbook;
    }

    private static DateOnly Today(DateTime now) => DateOnly.FromDateTime(Tokyo.FromUtc(now));

    /// <summary>Replaces the runbook's pending reminders: before the date, on it (then weekly while overdue).</summary>
    private async Task ScheduleRemindersAsync(Runbook runbook, DateTime now, CancellationToken ct)
    {
        await Jobs.CancelAsync(db, ReviewJob, $"runbook-review:{runbook.Id}:", ct);
        if (runbook.Archived)
        {
            return;
        }
        var o = options.Value;
        var at = new TimeOnly(Math.Clamp(o.RemindHourJst, 0, 23), 0);
        var early = Tokyo.ToUtc(runbook.ReviewBy.AddDays(-Math.Max(0, o.RemindDaysBefore)).ToDateTime(at));
        var due = Tokyo.ToUtc(runbook.ReviewBy.ToDateTime(at));
        if (o.RemindDaysBefore > 0 && early > now)
        {
            Jobs.Schedule(db, ReviewJob, early, now, new ReviewJobPayload(runbook.Id, runbook.ReviewBy, 0), $"runbook-review:{runbook.Id}:early");
        }
        Jobs.Schedule(db, ReviewJob, due > now ? due : now, now, new ReviewJobPayload(runbook.Id, runbook.ReviewBy, 1), $"runbook-review:{runbook.Id}:due");
    }
}

public sealed record RunbookInput(ComponentCategory? Category, int MinLevel, string TitleJa, string TitleEn, Guid? OwnerId, DateOnly? ReviewBy,
    int? ReviewIntervalDays, bool Archived, string? ChangeNote, IReadOnlyList<StepInput> Steps);

public sealed record ReviewJobPayload(Guid RunbookId, DateOnly ReviewBy, int Reminder);

public static class RunbookTimeline
{
    public const string Step = "checklist_step";
}
