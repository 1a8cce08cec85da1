using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Notices;

public sealed record CadencePayload(Guid IncidentId);

/// <summary>
/// The update cadence (issue 5): when no notice has gone out for 30 minutes at level 2 or 15 at
/// level 3, the commander and comms are reminded — and again each period after that. One durable
/// job per incident (key <c>cadence:{id}</c>); the handler recomputes everything from the database, so
/// an early, late or repeated run does the right thing.
/// </summary>
public static class NoticeCadence
{
    public const string JobKind = "notice-cadence";

    public static string Key(Guid incidentId) => $"cadence:{incidentId:N}";

    /// <summary>Makes sure a cadence job is due no later than <paramref name="due"/> (in the caller's unit of work).</summary>
    public static async Task EnsureAsync(FukkyuDb db, Guid incidentId, DateTime due, DateTime now, CancellationToken ct)
    {
        var key = Key(incidentId);
        if (db.ChangeTracker.Entries<Job>().Any(e => e.State == EntityState.Added && e.Entity.Kind == JobKind && e.Entity.Key == key && e.Entity.DueAt <= due))
        {
            return;
        }
        if (await db.Set<Job>().AnyAsync(j => j.Kind == JobKind && j.Key == key && j.State == JobState.Pending && j.DueAt <= due, ct))
        {
            return;
        }
        Jobs.Schedule(db, JobKind, due < now ? now : due, now, new CadencePayload(incidentId), key, incidentId);
    }

    /// <summary>When the last notice of the incident went out, or when the incident was declared.</summary>
    public static async Task<DateTime> LastNoticeAsync(FukkyuDb db, Incident incident, CancellationToken ct) =>
        await db.Notices.Where(n => n.IncidentId == incident.Id && n.State == NoticeState.Published).MaxAsync(n => (DateTime?)n.PublishedAt, ct)
        ?? incident.CreatedAt;
}

/// <summary>Starts the cadence when an incident reaches level 2 or changes level or status.</summary>
public sealed class NoticeCadenceListener(IOptions<NoticeOptions> options) : IIncidentListener
{
    public async Task OnChangingAsync(IncidentChange change, CancellationToken ct)
    {
        if (change.Kind is not (IncidentChangeKind.Declared or IncidentChangeKind.LevelChanged or IncidentChangeKind.StatusChanged))
        {
            return;
        }
        var incident = change.Incident;
        if (!incident.IsOpen || options.Value.Cadence(incident.Level) is not { } cadence)
        {
            return;
        }
        var since = change.Kind == IncidentChangeKind.Declared ? incident.CreatedAt : await NoticeCadence.LastNoticeAsync(change.Db, incident, ct);
        await NoticeCadence.EnsureAsync(change.Db, incident.Id, since + cadence, change.At, ct);
    }
}

public sealed class NoticeCadenceJob(IOptions<NoticeOptions> options, ILogger<NoticeCadenceJob> log) : IJobHandler
{
    public string Kind => NoticeCadence.JobKind;

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var payload = job.PayloadAs<CadencePayload>() ?? throw new InvalidOperationException("Cadence job without payload.");
        var db = services.GetRequiredService<FukkyuDb>();
        var people = services.GetRequiredService<IPersonNotifier>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var incident = await db.Incidents.Include(i => i.Members).FirstOrDefaultAsync(i => i.Id == payload.IncidentId, ct);
        if (incident is null || !incident.IsOpen || options.Value.Cadence(incident.Level) is not { } cadence)
        {
            return;
        }
        var last = await NoticeCadence.LastNoticeAsync(db, incident, ct);
        var overdue = now - last;
        if (overdue < cadence)
        {
            // Early (a notice went out meanwhile): wait for the new deadline.
            await NoticeCadence.EnsureAsync(db, incident.Id, last + cadence, now, ct);
            await db.SaveChangesAsync(ct);
            return;
        }
        var period = (int)(overdue / cadence);
        var key = $"{NoticeCadence.Key(incident.Id)}:{last.Ticks}:{period}";
        var alreadySent = await db.TimelineEntries.AnyAsync(t => t.IncidentId == incident.Id && t.Kind == NoticeTimeline.Reminder && t.Data != null && t.Data.Contains(key), ct);
        if (!alreadySent)
        {
            var minutes = (int)overdue.TotalMinutes;
            var link = $"{options.Value.OperatorUrl.TrimEnd('/')}/ops/incidents/{incident.Number}";
            foreach (var userId in await NoticeRecipients.CommanderAndCommsAsync(db, incident, ct))
            {
                await people.NotifyAsync(db, new PersonMessage(userId, "notice-cadence", key,
                    NoticeStrings.In("ja", "CadenceSubject", incident.Number, minutes), NoticeStrings.In("en", "CadenceSubject", incident.Number, minutes),
                    NoticeStrings.In("ja", "CadenceBody", incident.Number, incident.Level, minutes, (int)cadence.TotalMinutes, link),
                    NoticeStrings.In("en", "CadenceBody", incident.Number, incident.Level, minutes, (int)cadence.TotalMinutes, link),
                    incident.Id, key), now, ct);
            }
            // The key in the entry makes a repeated run (after a crash) recognisable.
            Timeline.Append(db, incident, Actor.System("cadence"), now, NoticeTimeline.Reminder, null, new { key, minutes, level = incident.Level, cadence = (int)cadence.TotalMinutes });
            log.LogInformation("{Incident}: no notice for {Minutes} min, reminded commander and comms.", incident.Number, minutes);
        }
        await NoticeCadence.EnsureAsync(db, incident.Id, now + cadence, now, ct);
        await db.SaveChangesAsync(ct);
    }
}
