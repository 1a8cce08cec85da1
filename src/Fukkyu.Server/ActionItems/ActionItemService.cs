using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.ActionItems;

public sealed class ActionItemOptions
{
    public const string Section = "Fukkyu:ActionItems";

    /// <summary>Days before the due date on which the owner is reminded; unset means 7 and 1.</summary>
    public int[]? RemindDaysBefore { get; set; }
    /// <summary>After the due date the owner is reminded the next morning, then every this many days.</summary>
    public int OverdueRepeatDays { get; set; } = 7;
    /// <summary>Overdue reminders stop after this many (the item stays on the overdue list).</summary>
    public int MaxOverdueReminders { get; set; } = 12;
    /// <summary>Reminders go out at this hour, Japan time.</summary>
    public int ReminderHour { get; set; } = 9;

    public int[] DaysBefore => RemindDaysBefore is { Length: > 0 } d ? d : [7, 1];
}

public sealed record ActionItemFilter(
    ActionItemStatus? Status = null, ActionItemKind? Kind = null, Guid? OwnerId = null, Guid? IncidentId = null,
    bool? Open = null, bool? Overdue = null, int Limit = 200);

public sealed record NewActionItem(string Title, string? Description, ActionItemKind Kind, Guid OwnerId, DateOnly DueOn, IReadOnlyList<Guid> IncidentIds, IReadOnlyList<string> Runbooks);

public sealed record ActionItemChange(
    string? Title, string? Description, ActionItemKind? Kind, Guid? OwnerId, DateOnly? DueOn, ActionItemStatus? Status,
    IReadOnlyList<Guid>? IncidentIds, IReadOnlyList<string>? Runbooks, string? Resolution, int? Version);

/// <summary>Action items and their reminders: every change reschedules what the owner will be told and when.</summary>
public sealed class ActionItemService(FukkyuDb db, TimeProvider time, IOptions<ActionItemOptions> options)
{
    public const string ReminderKind = "action_item.reminder";

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public DateOnly Today => DateOnly.FromDateTime(Tokyo.FromUtc(Now));

    public IQueryable<ActionItem> Query(ActionItemFilter f)
    {
        var q = db.ActionItems.AsNoTracking().Include(a => a.Owner).Include(a => a.Incidents).ThenInclude(x => x.Incident).AsSplitQuery();
        var today = Today;
        if (f.Status is { } s)
        {
            q = q.Where(a => a.Status == s);
        }
        if (f.Kind is { } k)
        {
            q = q.Where(a => a.Kind == k);
        }
        if (f.OwnerId is { } o)
        {
            q = q.Where(a => a.OwnerId == o);
        }
        if (f.IncidentId is { } i)
        {
            q = q.Where(a => a.Incidents.Any(x => x.IncidentId == i));
        }
        if (f.Open is { } open)
        {
            q = open
                ? q.Where(a => a.Status == ActionItemStatus.Open || a.Status == ActionItemStatus.InProgress)
                : q.Where(a => a.Status == ActionItemStatus.Done || a.Status == ActionItemStatus.Cancelled);
        }
        if (f.Overdue is { } overdue)
        {
            q = overdue
                ? q.Where(a => (a.Status == ActionItemStatus.Open || a.Status == ActionItemStatus.InProgress) && a.DueOn < today)
                : q.Where(a => !((a.Status == ActionItemStatus.Open || a.Status == ActionItemStatus.InProgress) && a.DueOn < today));
        }
        return q.OrderBy(a => a.DueOn).ThenBy(a => a.CreatedAt).Take(f.Limit);
    }

    /// <summary>Which of the items' linked incidents the caller may see.</summary>
    public async Task<IReadOnlySet<Guid>> VisibleIncidentsAsync(IEnumerable<ActionItem> items, Caller caller, CancellationToken ct)
    {
        var ids = items.SelectMany(a => a.Incidents.Select(x => x.IncidentId)).Distinct().ToList();
        if (ids.Count == 0)
        {
            return new HashSet<Guid>();
        }
        return (await IncidentService.Visible(db.Incidents.AsNoTracking(), caller).Where(i => ids.Contains(i.Id)).Select(i => i.Id).ToListAsync(ct)).ToHashSet();
    }

    public Task<ActionItem?> FindAsync(Guid id, CancellationToken ct) =>
        db.ActionItems.AsNoTracking().Include(a => a.Owner).Include(a => a.Incidents).ThenInclude(x => x.Incident).AsSplitQuery()
            .FirstOrDefaultAsync(a => a.Id == id, ct);

    /// <summary>Resolves a user by id or user name; only active users can own items.</summary>
    public async Task<User?> FindOwnerAsync(string idOrName, CancellationToken ct) =>
        Guid.TryParse(idOrName, out var id)
            ? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id && u.Active, ct)
            : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == idOrName.ToLowerInvariant() && u.Active, ct);

    /// <summary>Resolves incidents by id or number among those the caller may see; unknown ones are errors.</summary>
    public async Task<(List<Guid> Ids, List<string> Unknown)> ResolveIncidentsAsync(IEnumerable<string> refs, Caller caller, CancellationToken ct)
    {
        var ids = new List<Guid>();
        var unknown = new List<string>();
        var visible = IncidentService.Visible(db.Incidents.AsNoTracking(), caller);
        foreach (var r in refs.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var found = Guid.TryParse(r, out var g)
                ? await visible.Where(i => i.Id == g).Select(i => (Guid?)i.Id).FirstOrDefaultAsync(ct)
                : await visible.Where(i => i.Number == r.ToUpperInvariant()).Select(i => (Guid?)i.Id).FirstOrDefaultAsync(ct);
            if (found is { } id)
            {
                ids.Add(id);
            }
            else
            {
                unknown.Add(r);
            }
        }
        return (ids.Distinct().ToList(), unknown);
    }

    public async Task<ActionItem> CreateAsync(NewActionItem cmd, Actor actor, CancellationToken ct)
    {
        var now = Now;
        var item = new ActionItem
        {
            Title = cmd.Title.Trim(),
            Description = cmd.Description,
            Kind = cmd.Kind,
            OwnerId = cmd.OwnerId,
            DueOn = cmd.DueOn,
            Runbooks = [.. cmd.Runbooks],
            CreatedById = actor.UserId,
            CreatedByName = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
        };
        item.Incidents.AddRange(cmd.IncidentIds.Select(id => new ActionItemIncident { IncidentId = id }));
        db.ActionItems.Add(item);
        ScheduleReminders(item, now);
        await db.SaveChangesAsync(ct);
        return (await FindAsync(item.Id, ct))!;
    }

    public async Task<OpResult<ActionItem>> UpdateAsync(Guid id, ActionItemChange cmd, CancellationToken ct)
    {
        var item = await db.ActionItems.Include(a => a.Incidents).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (item is null)
        {
            return NotFoundError.Instance;
        }
        if (cmd.Version is { } version && version != item.Version)
        {
            return new ConflictError("concurrency", Validation.Text("Conflict"));
        }
        var now = Now;
        var before = (item.DueOn, item.OwnerId, item.IsOpen);
        item.Title = cmd.Title?.Trim() ?? item.Title;
        item.Description = cmd.Description ?? item.Description;
        item.Kind = cmd.Kind ?? item.Kind;
        item.OwnerId = cmd.OwnerId ?? item.OwnerId;
        item.DueOn = cmd.DueOn ?? item.DueOn;
        item.Resolution = cmd.Resolution ?? item.Resolution;
        if (cmd.Runbooks is not null)
        {
            item.Runbooks = [.. cmd.Runbooks];
        }
        if (cmd.IncidentIds is not null)
        {
            item.Incidents.RemoveAll(x => !cmd.IncidentIds.Contains(x.IncidentId));
            item.Incidents.AddRange(cmd.IncidentIds.Where(i => !item.Incidents.Any(x => x.IncidentId == i)).Select(i => new ActionItemIncident { IncidentId = i }));
        }
        if (cmd.Status is { } status && status != item.Status)
        {
            item.Status = status;
            item.CompletedAt = item.IsOpen ? null : now;
        }
        item.UpdatedAt = now;
        // Reminders follow the due date, the owner and whether the item is still open. Cancelling
        // and rescheduling commit together with the change, or not at all.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            if (before != (item.DueOn, item.OwnerId, item.IsOpen))
            {
                await Jobs.CancelAsync(db, ReminderKind, $"action:{item.Id}:", ct);
                if (item.IsOpen)
                {
                    ScheduleReminders(item, now);
                }
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            await tx.RollbackAsync(ct);
            return new ConflictError("concurrency", Validation.Text("Conflict"));
        }
        return (await FindAsync(item.Id, ct))!;
    }

    private void ScheduleReminders(ActionItem item, DateTime now)
    {
        var o = options.Value;
        foreach (var days in o.DaysBefore.Where(d => d > 0).Distinct())
        {
            var at = MorningOf(item.DueOn.AddDays(-days));
            if (at > now)
            {
                Jobs.Schedule(db, ReminderKind, at, now, new ActionItemReminder(item.Id, item.DueOn, $"before:{days}"), $"action:{item.Id}:{item.DueOn:yyyyMMdd}:before:{days}");
            }
        }
        var overdue = MorningOf(item.DueOn.AddDays(1));
        Jobs.Schedule(db, ReminderKind, overdue > now ? overdue : now, now, new ActionItemReminder(item.Id, item.DueOn, "overdue:1"), $"action:{item.Id}:{item.DueOn:yyyyMMdd}:overdue:1");
    }

    internal DateTime MorningOf(DateOnly day) => Tokyo.ToUtc(day.ToDateTime(new TimeOnly(Math.Clamp(options.Value.ReminderHour, 0, 23), 0)));
}

public sealed record ActionItemReminder(Guid ItemId, DateOnly DueOn, string Slot);
