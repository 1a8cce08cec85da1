using System.Globalization;
using System.Resources;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.PostIncident;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.ActionItems;

/// <summary>Texts of action items (ActionItemStrings.resx, ActionItemStrings.ja.resx).</summary>
public sealed class ActionItemStrings
{
    internal static readonly ResourceManager Resources = new(typeof(ActionItemStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    public static string In(string lang, string key, params object?[] args) => Texts.Format(Resources, key, lang, args);
}

/// <summary>
/// Reminds an item's owner before the due date and, while it stays open, after it. A reminder
/// for a due date or owner that has since changed, or an item already done, does nothing.
/// </summary>
public sealed class ActionItemReminderHandler : IJobHandler
{
    public string Kind => ActionItemService.ReminderKind;

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var payload = job.PayloadAs<ActionItemReminder>();
        var db = services.GetRequiredService<FukkyuDb>();
        var item = payload is null ? null : await db.ActionItems.AsNoTracking().Include(a => a.Incidents).ThenInclude(x => x.Incident)
            .FirstOrDefaultAsync(a => a.Id == payload.ItemId, ct);
        if (item is null || !item.IsOpen || item.DueOn != payload!.DueOn)
        {
            return;
        }
        var key = $"action-reminder:{item.Id}:{item.DueOn:yyyyMMdd}:{payload.Slot}:{item.OwnerId}";
        var time = services.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow().UtcDateTime;
        var options = services.GetRequiredService<IOptions<ActionItemOptions>>().Value;
        if (!await Reminders.AlreadySentAsync(db, key, ct))
        {
            var today = DateOnly.FromDateTime(Tokyo.FromUtc(now));
            var overdue = payload.Slot.StartsWith("overdue", StringComparison.Ordinal);
            var days = overdue ? today.DayNumber - item.DueOn.DayNumber : item.DueOn.DayNumber - today.DayNumber;
            string Subject(string lang) => ActionItemStrings.In(lang, overdue ? "ReminderOverdueSubject" : "ReminderSubject", Math.Max(days, 0), item.Title);
            string Body(string lang) => ActionItemStrings.In(lang, "ReminderBody", item.Title,
                PostIncidentStrings.In(lang, "Kind_" + WireEnum.Name(item.Kind)), item.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                PostIncidentStrings.In(lang, "ActionStatus_" + WireEnum.Name(item.Status)),
                item.Incidents.Count == 0 ? "—" : string.Join(", ", item.Incidents.Select(x => x.Incident?.Number)),
                Reminders.Link(services.GetRequiredService<IConfiguration>(), $"/ops/action-items/{item.Id}"));
            await services.GetRequiredService<IPersonNotifier>().NotifyAsync(db, new PersonMessage(item.OwnerId, "action_item_reminder", key,
                Subject(Lang.Ja), Subject(Lang.En), Body(Lang.Ja), Body(Lang.En), item.Incidents.FirstOrDefault()?.IncidentId, item.Id.ToString()), now, ct);
        }
        // While it stays open, the owner hears about it again — up to a limit.
        if (payload.Slot.StartsWith("overdue:", StringComparison.Ordinal) && int.TryParse(payload.Slot["overdue:".Length..], out var n) && n < options.MaxOverdueReminders)
        {
            var next = job.DueAt.AddDays(Math.Max(1, options.OverdueRepeatDays));
            var nextKey = $"action:{item.Id}:{item.DueOn:yyyyMMdd}:overdue:{n + 1}";
            if (!await db.Set<Job>().AnyAsync(j => j.Kind == Kind && j.Key == nextKey && j.State == JobState.Pending, ct))
            {
                Jobs.Schedule(db, Kind, next, now, payload with { Slot = $"overdue:{n + 1}" }, nextKey);
            }
        }
        await db.SaveChangesAsync(ct);
    }
}
