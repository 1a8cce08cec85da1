namespace Fukkyu.Server.OnCall;

/// <summary>
/// Japan's public holidays (国民の祝日に関する法律) computed for 2020–2099: fixed days, Happy
/// Monday days, the equinoxes by the standard approximation, substitute holidays (振替休日) and
/// citizens' holidays (国民の休日), with the 2020/2021 Olympic moves. Computed rather than listed
/// so that night and holiday rosters (REFERENCE §5) never run out of calendar.
/// </summary>
public static class JapaneseHolidays
{
    private static readonly Dictionary<int, IReadOnlyDictionary<DateOnly, (string Ja, string En)>> Cache = [];
    private static readonly Lock CacheLock = new();

    public static bool IsHoliday(DateOnly date) => ForYear(date.Year).ContainsKey(date);

    public static (string Ja, string En)? Name(DateOnly date) => ForYear(date.Year).TryGetValue(date, out var n) ? n : null;

    public static IReadOnlyDictionary<DateOnly, (string Ja, string En)> ForYear(int year)
    {
        lock (CacheLock)
        {
            if (!Cache.TryGetValue(year, out var days))
            {
                Cache[year] = days = Compute(year);
            }
            return days;
        }
    }

    private static Dictionary<DateOnly, (string Ja, string En)> Compute(int year)
    {
        var d = new Dictionary<DateOnly, (string, string)>();
        if (year is < 2020 or > 2099)
        {
            return d;
        }
        void Add(int month, int day, string ja, string en) => d[new DateOnly(year, month, day)] = (ja, en);
        void AddMonday(int month, int nth, string ja, string en) => d[NthMonday(year, month, nth)] = (ja, en);

        Add(1, 1, "元日", "New Year's Day");
        AddMonday(1, 2, "成人の日", "Coming of Age Day");
        Add(2, 11, "建国記念の日", "National Foundation Day");
        Add(2, 23, "天皇誕生日", "Emperor's Birthday");
        Add(3, VernalEquinox(year), "春分の日", "Vernal Equinox Day");
        Add(4, 29, "昭和の日", "Showa Day");
        Add(5, 3, "憲法記念日", "Constitution Memorial Day");
        Add(5, 4, "みどりの日", "Greenery Day");
        Add(5, 5, "こどもの日", "Children's Day");
        switch (year)
        {
            // The Tokyo Olympics moved three holidays in 2020 and 2021.
            case 2020:
                Add(7, 23, "海の日", "Marine Day");
                Add(7, 24, "スポーツの日", "Sports Day");
                Add(8, 10, "山の日", "Mountain Day");
                break;
            case 2021:
                Add(7, 22, "海の日", "Marine Day");
                Add(7, 23, "スポーツの日", "Sports Day");
                Add(8, 8, "山の日", "Mountain Day");
                break;
            default:
                AddMonday(7, 3, "海の日", "Marine Day");
                Add(8, 11, "山の日", "Mountain Day");
                AddMonday(10, 2, "スポーツの日", "Sports Day");
                break;
        }
        AddMonday(9, 3, "敬老の日", "Respect for the Aged Day");
        Add(9, AutumnalEquinox(year), "秋分の日", "Autumnal Equinox Day");
        Add(11, 3, "文化の日", "Culture Day");
        Add(11, 23, "勤労感謝の日", "Labour Thanksgiving Day");

        // 国民の休日: a weekday between two holidays is a holiday.
        foreach (var day in d.Keys.ToList())
        {
            var between = day.AddDays(1);
            if (!d.ContainsKey(between) && d.ContainsKey(between.AddDays(1)) && between.DayOfWeek != DayOfWeek.Sunday)
            {
                d[between] = ("国民の休日", "Citizens' Holiday");
            }
        }
        // 振替休日: a holiday on a Sunday moves to the next day that is not a holiday.
        foreach (var day in d.Keys.Where(k => k.DayOfWeek == DayOfWeek.Sunday && d[k].Item1 != "振替休日").ToList())
        {
            var next = day.AddDays(1);
            while (d.ContainsKey(next))
            {
                next = next.AddDays(1);
            }
            d[next] = ("振替休日", "Substitute Holiday");
        }
        return d;
    }

    private static DateOnly NthMonday(int year, int month, int nth)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)DayOfWeek.Monday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + 7 * (nth - 1));
    }

    // The approximation the National Astronomical Observatory's announcements follow for 1980–2099.
    private static int VernalEquinox(int year) => (int)(20.8431 + 0.242194 * (year - 1980) - Math.Floor((year - 1980) / 4.0));

    private static int AutumnalEquinox(int year) => (int)(23.2488 + 0.242194 * (year - 1980) - Math.Floor((year - 1980) / 4.0));
}
