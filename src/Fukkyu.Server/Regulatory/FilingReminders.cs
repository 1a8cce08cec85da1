using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.PostIncident;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Regulatory;

/// <summary>
/// Tells compliance officers and the incident's commander about a filing deadline: when it is set,
/// before it, and after it until the filing is marked submitted. The first reminder, when the
/// deadline is set, schedules those before and after it. Nobody in the compliance role?
/// Then the administrators, so a deadline never passes unseen.
/// </summary>
public sealed class FilingReminderHandler : IJobHandler
{
    public string Kind => RegulatoryService.ReminderKind;

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var payload = job.PayloadAs<FilingReminder>();
        var db = services.GetRequiredService<FukkyuDb>();
        var filing = payload is null ? null : await db.Set<RegulatoryFiling>().AsNoTracking().FirstOrDefaultAsync(f => f.Id == payload.FilingId, ct);
        if (filing is null || filing.Status != FilingStatus.Pending || !SameDue(filing.DueAt, payload!.DueAt))
        {
            return;
        }
        var incident = await db.Incidents.AsNoTracking().FirstAsync(i => i.Id == filing.IncidentId, ct);
        if (incident.Drill)
        {
            return;
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        if (payload.Slot == "opened")
        {
            await services.GetRequiredService<RegulatoryService>().ScheduleFollowingAsync(filing, incident.Id, now, ct);
        }
        var recipients = await RecipientsAsync(db, incident.CommanderId, ct);
        var config = services.GetRequiredService<IConfiguration>();
        var notifier = services.GetRequiredService<IPersonNotifier>();
        var due = filing.DueAt!.Value;
        var overdue = due <= now;
        string Subject(string lang) => RegulatoryStrings.In(lang, overdue ? "ReminderOverdueSubject" : "ReminderSubject",
            RegulatoryStrings.In(lang, "Kind_" + WireEnum.Name(filing.Kind)), incident.Number, Tokyo.Format(due));
        string Body(string lang) => RegulatoryStrings.In(lang, "ReminderBody", incident.Number, incident.Title,
            RegulatoryStrings.In(lang, "Kind_" + WireEnum.Name(filing.Kind)), Tokyo.Format(due),
            overdue ? RegulatoryStrings.In(lang, "OverdueBy", Lang.Duration(now - due, lang)) : RegulatoryStrings.In(lang, "DueIn", Lang.Duration(due - now, lang)),
            Reminders.Link(config, $"/ops/filings/{filing.Id}"));
        foreach (var userId in recipients)
        {
            var key = $"filing-reminder:{filing.Id}:{due.Ticks}:{payload.Slot}:{userId}";
            if (await Reminders.AlreadySentAsync(db, key, ct))
            {
                continue;
            }
            await notifier.NotifyAsync(db, new PersonMessage(userId, "filing_reminder", key, Subject(Lang.Ja), Subject(Lang.En), Body(Lang.Ja), Body(Lang.En),
                incident.Id, filing.Id.ToString()), now, ct);
        }
        var options = services.GetRequiredService<IOptions<RegulatoryOptions>>().Value;
        if (payload.Slot.StartsWith("overdue:", StringComparison.Ordinal) && int.TryParse(payload.Slot["overdue:".Length..], out var n) && n < options.MaxOverdueReminders)
        {
            var nextKey = $"{RegulatoryService.Key(filing.Id, due)}:overdue:{n + 1}";
            if (!await db.Set<Job>().AnyAsync(j => j.Kind == Kind && j.Key == nextKey && j.State == JobState.Pending, ct))
            {
                Jobs.Schedule(db, Kind, job.DueAt.AddMinutes(Math.Max(1, options.OverdueRepeatMinutes)), now, payload with { Slot = $"overdue:{n + 1}" }, nextKey, incident.Id);
            }
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The deadline has not moved since the reminder was scheduled. PostgreSQL keeps timestamps to
    /// the microsecond, a tenth of .NET's tick: a payload written before the filing was stored may
    /// be finer than the stored deadline read back.
    /// </summary>
    internal static bool SameDue(DateTime? stored, DateTime planned) =>
        stored is { } s && Math.Abs((s - planned).Ticks) < TimeSpan.TicksPerMicrosecond;

    /// <summary>Compliance officers and the commander; the administrators when there is no compliance officer.</summary>
    internal static async Task<List<Guid>> RecipientsAsync(FukkyuDb db, Guid? commanderId, CancellationToken ct)
    {
        var compliance = await db.Users.AsNoTracking().Where(u => u.Active && u.Roles.Contains(Roles.Compliance)).Select(u => u.Id).ToListAsync(ct);
        if (compliance.Count == 0)
        {
            compliance = await db.Users.AsNoTracking().Where(u => u.Active && u.Roles.Contains(Roles.Admin)).Select(u => u.Id).ToListAsync(ct);
        }
        if (commanderId is { } c && !compliance.Contains(c))
        {
            compliance.Add(c);
        }
        return compliance;
    }
}
