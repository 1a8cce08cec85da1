using System.Globalization;
using System.Text.RegularExpressions;

namespace Fukkyu.Server.OnCall;

/// <summary>A stretch of time with one person (or nobody) on call, and what put them there.</summary>
/// <param name="Source"><c>override</c>, or the layer's name.</param>
public sealed record OnCallSegment(DateTime Start, DateTime End, Guid? UserId, string? Source, int? Layer);

/// <summary>
/// Computes who is on call from a schedule's layers and overrides — pure and deterministic, so the
/// UI, the API, the iCal feed and the paging engine all agree.
/// Rules: an override beats every layer (the latest created wins when they overlap); otherwise the
/// highest layer that covers the instant (rotation started and not ended, inside its windows, on a
/// day its day filter allows) decides; rotations hand off at the layer's local time of day.
/// </summary>
public sealed partial class ScheduleEngine
{
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(15);
    private readonly TimeZoneInfo _zone;
    private readonly List<LayerPlan> _layers;
    private readonly List<ScheduleOverride> _overrides;
    private readonly Func<DateOnly, bool> _dayOff;

    private sealed record LayerPlan(ScheduleLayer Layer, Guid[] Members, IReadOnlyList<Window> Windows);

    /// <param name="dayOff">Weekends, public holidays and company holidays: see <see cref="HolidayCalendar"/>.</param>
    public ScheduleEngine(Schedule schedule, IEnumerable<ScheduleOverride> overrides, Func<DateOnly, bool> dayOff)
    {
        _zone = Zone(schedule.TimeZone);
        _layers = [.. schedule.Layers.OrderBy(l => l.Position)
            .Select(l => new LayerPlan(l, [.. l.Members.OrderBy(m => m.Position).Select(m => m.UserId)], [.. l.Windows.Select(w => Window.Parse(w)!)]))];
        _overrides = [.. overrides.OrderBy(o => o.CreatedAt)];
        _dayOff = dayOff;
    }

    public static TimeZoneInfo Zone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : Infrastructure.Tokyo.Zone;

    /// <summary>Who is on call at <paramref name="utc"/>, with the whole stretch they cover (up to 15 days either side).</summary>
    public OnCallSegment At(DateTime utc)
    {
        var segments = Final(utc - Horizon, utc + Horizon);
        return segments.First(s => s.Start <= utc && utc < s.End);
    }

    /// <summary>The final schedule over [from, to): consecutive segments, merged where nothing changes.</summary>
    public List<OnCallSegment> Final(DateTime from, DateTime to)
    {
        var points = Breakpoints(from, to);
        var result = new List<OnCallSegment>();
        for (var i = 0; i < points.Count - 1; i++)
        {
            var (user, source, layer) = Evaluate(points[i]);
            if (result.Count > 0 && result[^1] is { } last && last.UserId == user && last.Source == source && last.Layer == layer)
            {
                result[^1] = last with { End = points[i + 1] };
            }
            else
            {
                result.Add(new OnCallSegment(points[i], points[i + 1], user, source, layer));
            }
        }
        return result;
    }

    private (Guid? User, string? Source, int? Layer) Evaluate(DateTime utc)
    {
        for (var i = _overrides.Count - 1; i >= 0; i--)
        {
            var o = _overrides[i];
            if (o.StartsAt <= utc && utc < o.EndsAt)
            {
                return (o.UserId, "override", null);
            }
        }
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), _zone);
        for (var i = _layers.Count - 1; i >= 0; i--)
        {
            var plan = _layers[i];
            if (plan.Members.Length > 0 && Covers(plan, local) && ShiftIndex(plan.Layer, local) is { } k)
            {
                return (plan.Members[(int)(k % plan.Members.Length)], plan.Layer.Name, plan.Layer.Position);
            }
        }
        return (null, null, null);
    }

    private bool Covers(LayerPlan plan, DateTime local)
    {
        var l = plan.Layer;
        if (l.EndDate is { } end && local >= end.ToDateTime(l.HandoffTime))
        {
            return false;
        }
        if (plan.Windows.Count > 0 && !plan.Windows.Any(w => w.Contains(local)))
        {
            return false;
        }
        return l.Days switch
        {
            DayFilter.Holidays => _dayOff(DateOnly.FromDateTime(local)),
            DayFilter.Workdays => !_dayOff(DateOnly.FromDateTime(local)),
            _ => true,
        };
    }

    /// <summary>Which shift of the rotation <paramref name="local"/> falls in; null before the first hand-off.</summary>
    internal static long? ShiftIndex(ScheduleLayer l, DateTime local)
    {
        var anchor = l.StartDate.ToDateTime(l.HandoffTime);
        if (local < anchor)
        {
            return null;
        }
        // Wall-clock arithmetic: a hand-off stays at 09:00 local across daylight-saving changes.
        var elapsed = local - anchor;
        return (long)Math.Floor(elapsed.TotalHours / ShiftLength(l).TotalHours);
    }

    internal static TimeSpan ShiftLength(ScheduleLayer l) => l.Rotation switch
    {
        RotationKind.Daily => TimeSpan.FromDays(1),
        RotationKind.Weekly => TimeSpan.FromDays(7),
        _ => TimeSpan.FromHours(Math.Max(1, l.ShiftHours)),
    };

    private List<DateTime> Breakpoints(DateTime from, DateTime to)
    {
        var set = new SortedSet<DateTime> { from, to };
        void Add(DateTime utc)
        {
            if (utc > from && utc < to)
            {
                set.Add(utc);
            }
        }
        var localFrom = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(from, DateTimeKind.Utc), _zone);
        var localTo = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(to, DateTimeKind.Utc), _zone);
        foreach (var plan in _layers)
        {
            var l = plan.Layer;
            var anchor = l.StartDate.ToDateTime(l.HandoffTime);
            var length = ShiftLength(l);
            var k = Math.Max(0, (long)Math.Floor((localFrom - anchor).TotalHours / length.TotalHours));
            for (var start = anchor + length * k; start <= localTo; start += length)
            {
                Add(ToUtc(start));
            }
            if (l.EndDate is { } end)
            {
                Add(ToUtc(end.ToDateTime(l.HandoffTime)));
            }
            for (var day = DateOnly.FromDateTime(localFrom).AddDays(-1); day <= DateOnly.FromDateTime(localTo).AddDays(1); day = day.AddDays(1))
            {
                if (l.Days != DayFilter.Any)
                {
                    Add(ToUtc(day.ToDateTime(TimeOnly.MinValue)));
                }
                foreach (var w in plan.Windows.Where(w => w.Days.Contains(day.DayOfWeek)))
                {
                    Add(ToUtc(day.ToDateTime(TimeOnly.MinValue) + w.From));
                    Add(ToUtc(day.ToDateTime(TimeOnly.MinValue) + (w.To <= w.From ? w.To + TimeSpan.FromDays(1) : w.To)));
                }
            }
        }
        foreach (var o in _overrides)
        {
            Add(o.StartsAt);
            Add(o.EndsAt);
        }
        return [.. set];
    }

    private DateTime ToUtc(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (_zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30); // inside a spring-forward gap: the first valid instant after it
        }
        return TimeZoneInfo.ConvertTimeToUtc(local, _zone);
    }

    /// <summary>
    /// A weekly window in local time: <c>mon-fri 18:00-09:00</c> (crossing midnight),
    /// <c>sat,sun 00:00-24:00</c>, <c>daily 09:00-18:00</c>.
    /// </summary>
    public sealed partial record Window(IReadOnlySet<DayOfWeek> Days, TimeSpan From, TimeSpan To)
    {
        private static readonly string[] Names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

        public static Window? Parse(string text)
        {
            var m = Pattern().Match(text.Trim().ToLowerInvariant());
            if (!m.Success || !TryTime(m.Groups["from"].Value, out var from) || !TryTime(m.Groups["to"].Value, out var to) || from >= TimeSpan.FromDays(1))
            {
                return null;
            }
            var days = new HashSet<DayOfWeek>();
            foreach (var part in m.Groups["days"].Value.Split(','))
            {
                if (part == "daily")
                {
                    days.UnionWith(Enum.GetValues<DayOfWeek>());
                    continue;
                }
                var range = part.Split('-');
                var a = Array.IndexOf(Names, range[0]);
                var b = range.Length == 2 ? Array.IndexOf(Names, range[1]) : a;
                if (a < 0 || b < 0 || range.Length > 2)
                {
                    return null;
                }
                for (var i = a; ; i = (i + 1) % 7)
                {
                    days.Add((DayOfWeek)i);
                    if (i == b)
                    {
                        break;
                    }
                }
            }
            return new Window(days, from, to);
        }

        /// <summary>Inside the window: on one of its days after From, or — when it crosses midnight — early the next day.</summary>
        public bool Contains(DateTime local)
        {
            var tod = local.TimeOfDay;
            if (To > From)
            {
                return Days.Contains(local.DayOfWeek) && tod >= From && tod < To;
            }
            // Crosses midnight (or To == From: a full 24 h from From).
            return (Days.Contains(local.DayOfWeek) && tod >= From)
                || (Days.Contains(local.AddDays(-1).DayOfWeek) && tod < To);
        }

        private static bool TryTime(string s, out TimeSpan t)
        {
            if (s == "24:00")
            {
                t = TimeSpan.FromDays(1);
                return true;
            }
            var ok = TimeOnly.TryParseExact(s, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time);
            t = time.ToTimeSpan();
            return ok;
        }

        [GeneratedRegex(@"^(?<days>(daily|(sun|mon|tue|wed|thu|fri|sat)(-(sun|mon|tue|wed|thu|fri|sat))?)(,(sun|mon|tue|wed|thu|fri|sat)(-(sun|mon|tue|wed|thu|fri|sat))?)*)\s+(?<from>\d{2}:\d{2})-(?<to>\d{2}:\d{2})$")]
        private static partial Regex Pattern();
    }
}
