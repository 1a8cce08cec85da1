using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

/// <summary>Days off for holiday rosters: weekends, Japan's public holidays, and the company's own.</summary>
public sealed class HolidayCalendar(IReadOnlySet<DateOnly> companyHolidays)
{
    public bool IsDayOff(DateOnly date) =>
        date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || JapaneseHolidays.IsHoliday(date) || companyHolidays.Contains(date);

    public static async Task<HolidayCalendar> LoadAsync(FukkyuDb db, CancellationToken ct) =>
        new((await db.Set<CompanyHoliday>().AsNoTracking().Select(h => h.Date).ToListAsync(ct)).ToHashSet());
}

/// <summary>Who is on call now: a schedule, its person, since and until when.</summary>
public sealed record OnCallNow(Schedule Schedule, OnCallSegment Segment, User? User);

/// <summary>Answers "who is on call" for schedules and teams, and whom an escalation target means right now.</summary>
public sealed class OnCallService(FukkyuDb db)
{
    private HolidayCalendar? _calendar;

    public async Task<HolidayCalendar> CalendarAsync(CancellationToken ct) => _calendar ??= await HolidayCalendar.LoadAsync(db, ct);

    public IQueryable<Schedule> Schedules() =>
        db.Set<Schedule>().AsNoTracking().Include(s => s.Layers).ThenInclude(l => l.Members).AsSplitQuery();

    /// <summary>An engine that knows every override touching [from, to) (with a margin for the segment around it).</summary>
    public async Task<ScheduleEngine> EngineAsync(Schedule schedule, DateTime from, DateTime to, CancellationToken ct)
    {
        var lo = from - TimeSpan.FromDays(16);
        var hi = to + TimeSpan.FromDays(16);
        var overrides = await db.Set<ScheduleOverride>().AsNoTracking()
            .Where(o => o.ScheduleId == schedule.Id && o.EndsAt > lo && o.StartsAt < hi)
            .ToListAsync(ct);
        var calendar = await CalendarAsync(ct);
        return new ScheduleEngine(schedule, overrides, calendar.IsDayOff);
    }

    public async Task<List<OnCallNow>> NowAsync(IReadOnlyCollection<Schedule> schedules, DateTime at, CancellationToken ct)
    {
        var result = new List<OnCallNow>();
        foreach (var s in schedules)
        {
            var engine = await EngineAsync(s, at, at, ct);
            result.Add(new OnCallNow(s, engine.At(at), null));
        }
        var ids = result.Where(r => r.Segment.UserId is not null).Select(r => r.Segment.UserId!.Value).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        return [.. result.Select(r => r with { User = r.Segment.UserId is { } id ? users.GetValueOrDefault(id) : null })];
    }

    /// <summary>The active people a target means at <paramref name="at"/>: the user, the schedule's on-call, the team's on-call or members.</summary>
    public async Task<List<Guid>> ResolveAsync(TargetKind kind, Guid id, DateTime at, CancellationToken ct)
    {
        switch (kind)
        {
            case TargetKind.User:
                return await db.Users.AnyAsync(u => u.Id == id && u.Active, ct) ? [id] : [];
            case TargetKind.Schedule:
                var schedule = await Schedules().FirstOrDefaultAsync(s => s.Id == id, ct);
                return schedule is null ? [] : await OnCallAsync(schedule, at, ct);
            default:
                var team = await db.Set<Team>().AsNoTracking().Include(t => t.Members).ThenInclude(m => m.User)
                    .FirstOrDefaultAsync(t => t.Id == id, ct);
                if (team is null)
                {
                    return [];
                }
                if (team.ScheduleId is { } sid && await Schedules().FirstOrDefaultAsync(s => s.Id == sid, ct) is { } teamSchedule)
                {
                    return await OnCallAsync(teamSchedule, at, ct);
                }
                return [.. team.Members.Where(m => m.User is { Active: true }).Select(m => m.UserId)];
        }
    }

    private async Task<List<Guid>> OnCallAsync(Schedule schedule, DateTime at, CancellationToken ct)
    {
        var engine = await EngineAsync(schedule, at, at, ct);
        if (engine.At(at).UserId is not { } user)
        {
            return [];
        }
        return await db.Users.AnyAsync(u => u.Id == user && u.Active, ct) ? [user] : [];
    }
}
