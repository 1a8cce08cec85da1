using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.OnCall;

namespace Fukkyu.Tests.Response;

/// <summary>The on-call computation itself: rotations, layers, windows, holidays, overrides, in Japan time.</summary>
public sealed class ScheduleEngineTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid(), D = Guid.NewGuid();

    private static DateTime Jst(int month, int day, int hour, int minute = 0) => Tokyo.ToUtc(new DateTime(2026, month, day, hour, minute, 0));

    private static ScheduleLayer Layer(int position, RotationKind rotation, params Guid[] members) => new()
    {
        Position = position,
        Name = $"layer {position}",
        Rotation = rotation,
        StartDate = new DateOnly(2026, 11, 2), // a Monday
        HandoffTime = new TimeOnly(9, 0),
        Members = [.. members.Select((m, i) => new LayerMember { Position = i, UserId = m })],
    };

    private static ScheduleEngine Engine(IEnumerable<ScheduleLayer> layers, IEnumerable<ScheduleOverride>? overrides = null) =>
        new(new Schedule { Key = "s", Name = "s", Layers = [.. layers] }, overrides ?? [], new HolidayCalendar(new HashSet<DateOnly>()).IsDayOff);

    [Fact]
    public void ADailyRotationHandsOffAtNineInTheMorningTokyoTime()
    {
        var engine = Engine([Layer(0, RotationKind.Daily, A, B)]);

        Assert.Equal(A, engine.At(Jst(11, 2, 9)).UserId);
        Assert.Equal(A, engine.At(Jst(11, 3, 8, 59)).UserId);
        Assert.Equal(B, engine.At(Jst(11, 3, 9)).UserId);
        Assert.Equal(A, engine.At(Jst(11, 4, 9)).UserId);
        var shift = engine.At(Jst(11, 3, 12));
        Assert.Equal(Jst(11, 3, 9), shift.Start);
        Assert.Equal(Jst(11, 4, 9), shift.End);
        // Before the first hand-off nobody is on call.
        Assert.Null(engine.At(Jst(11, 2, 8)).UserId);
    }

    [Fact]
    public void WeeklyAndCustomRotationsCountTheirOwnShifts()
    {
        var weekly = Engine([Layer(0, RotationKind.Weekly, A, B, C)]);
        Assert.Equal(A, weekly.At(Jst(11, 8, 23)).UserId);
        Assert.Equal(B, weekly.At(Jst(11, 9, 9)).UserId);
        Assert.Equal(C, weekly.At(Jst(11, 16, 10)).UserId);

        var custom = Layer(0, RotationKind.Custom, A, B);
        custom.ShiftHours = 12;
        var twelve = Engine([custom]);
        Assert.Equal(A, twelve.At(Jst(11, 2, 20, 59)).UserId);
        Assert.Equal(B, twelve.At(Jst(11, 2, 21)).UserId);
        Assert.Equal(A, twelve.At(Jst(11, 3, 9)).UserId);
    }

    [Fact]
    public void ANightLayerCrossingMidnightOverridesTheBaseLayerOnlyInItsWindow()
    {
        var night = Layer(1, RotationKind.Weekly, C);
        night.Windows = ["mon-fri 18:00-09:00"];
        var engine = Engine([Layer(0, RotationKind.Weekly, A), night]);

        Assert.Equal(A, engine.At(Jst(11, 3, 17, 59)).UserId);
        Assert.Equal(C, engine.At(Jst(11, 3, 18)).UserId);
        Assert.Equal(C, engine.At(Jst(11, 4, 8, 59)).UserId); // Tuesday's night continues into Wednesday morning
        Assert.Equal(A, engine.At(Jst(11, 4, 9)).UserId);
        Assert.Equal(C, engine.At(Jst(11, 7, 3)).UserId); // Friday night into Saturday
        Assert.Equal(A, engine.At(Jst(11, 7, 20)).UserId); // Saturday evening is not in the window
        var stretch = engine.At(Jst(11, 3, 23));
        Assert.Equal((Jst(11, 3, 18), Jst(11, 4, 9)), (stretch.Start, stretch.End));
    }

    [Fact]
    public void AHolidayLayerCoversWeekendsAndJapanesePublicHolidays()
    {
        var holidays = Layer(1, RotationKind.Weekly, D);
        holidays.Days = DayFilter.Holidays;
        var engine = Engine([Layer(0, RotationKind.Weekly, A), holidays]);

        Assert.Equal(A, engine.At(Jst(11, 20, 12)).UserId);  // Friday
        Assert.Equal(D, engine.At(Jst(11, 21, 12)).UserId);  // Saturday
        Assert.Equal(D, engine.At(Jst(11, 23, 12)).UserId);  // Monday, 勤労感謝の日
        Assert.Equal(A, engine.At(Jst(11, 24, 0, 1)).UserId); // Tuesday just after midnight
        Assert.Equal(D, engine.At(Jst(11, 3, 10)).UserId);   // 文化の日 (Tuesday)
    }

    [Fact]
    public void CompanyHolidaysCountAsHolidays()
    {
        var holidays = Layer(1, RotationKind.Weekly, D);
        holidays.Days = DayFilter.Holidays;
        var schedule = new Schedule { Key = "s", Name = "s", Layers = [Layer(0, RotationKind.Weekly, A), holidays] };
        var engine = new ScheduleEngine(schedule, [], new HolidayCalendar(new HashSet<DateOnly> { new(2026, 12, 29) }).IsDayOff);

        Assert.Equal(D, engine.At(Jst(12, 29, 12)).UserId);
        Assert.Equal(A, engine.At(Jst(12, 28, 12)).UserId);
    }

    [Fact]
    public void AnOverrideBeatsEveryLayerAndTheLatestOverrideWins()
    {
        var overrides = new[]
        {
            new ScheduleOverride { UserId = C, StartsAt = Jst(11, 3, 12), EndsAt = Jst(11, 3, 18), CreatedByName = "x", CreatedAt = DateTime.UnixEpoch.AddSeconds(1) },
            new ScheduleOverride { UserId = D, StartsAt = Jst(11, 3, 14), EndsAt = Jst(11, 3, 15), CreatedByName = "x", CreatedAt = DateTime.UnixEpoch.AddSeconds(2) },
        };
        var night = Layer(1, RotationKind.Daily, B);
        night.Windows = ["daily 00:00-24:00"];
        var engine = Engine([Layer(0, RotationKind.Daily, A), night], overrides);

        Assert.Equal(B, engine.At(Jst(11, 3, 11)).UserId);
        Assert.Equal("override", engine.At(Jst(11, 3, 12)).Source);
        Assert.Equal(C, engine.At(Jst(11, 3, 13)).UserId);
        Assert.Equal(D, engine.At(Jst(11, 3, 14, 30)).UserId);
        Assert.Equal(C, engine.At(Jst(11, 3, 15)).UserId);
        Assert.Equal(B, engine.At(Jst(11, 3, 18)).UserId);
    }

    [Fact]
    public void TheFinalScheduleMergesUnchangedStretchesAndShowsGaps()
    {
        var day = Layer(0, RotationKind.Weekly, A);
        day.Windows = ["mon-fri 09:00-18:00"];
        var engine = Engine([day]);

        var segments = engine.Final(Jst(11, 2, 0), Jst(11, 4, 0));

        Assert.Equal(
        [
            (Jst(11, 2, 0), Jst(11, 2, 9), (Guid?)null),
            (Jst(11, 2, 9), Jst(11, 2, 18), A),
            (Jst(11, 2, 18), Jst(11, 3, 9), null),
            (Jst(11, 3, 9), Jst(11, 3, 18), A),
            (Jst(11, 3, 18), Jst(11, 4, 0), null),
        ], segments.Select(s => (s.Start, s.End, s.UserId)).ToArray());
    }

    [Fact]
    public void JapaneseHolidaysIncludeEquinoxesSubstituteAndCitizensHolidays()
    {
        Assert.True(JapaneseHolidays.IsHoliday(new DateOnly(2026, 1, 12)));  // 成人の日, 2nd Monday
        Assert.True(JapaneseHolidays.IsHoliday(new DateOnly(2026, 3, 20)));  // 春分の日
        Assert.True(JapaneseHolidays.IsHoliday(new DateOnly(2026, 5, 6)));   // 振替休日 for Sunday 3 May
        Assert.True(JapaneseHolidays.IsHoliday(new DateOnly(2026, 9, 22)));  // 国民の休日 between 敬老の日 and 秋分の日
        Assert.True(JapaneseHolidays.IsHoliday(new DateOnly(2026, 9, 23)));  // 秋分の日
        Assert.True(JapaneseHolidays.IsHoliday(new DateOnly(2020, 7, 24)));  // Olympic move of スポーツの日
        Assert.False(JapaneseHolidays.IsHoliday(new DateOnly(2020, 10, 12)));
        Assert.False(JapaneseHolidays.IsHoliday(new DateOnly(2026, 5, 7)));
        Assert.Equal(("振替休日", "Substitute Holiday"), JapaneseHolidays.Name(new DateOnly(2026, 5, 6)));
        Assert.Equal(16, JapaneseHolidays.ForYear(2025).Count(h => h.Value.Ja != "振替休日" && h.Value.Ja != "国民の休日"));
    }

    [Theory]
    [InlineData("mon-fri 18:00-09:00", true)]
    [InlineData("sat,sun 00:00-24:00", true)]
    [InlineData("daily 09:00-18:00", true)]
    [InlineData("fri-mon 22:00-06:00", true)]
    [InlineData("weekdays 09:00-18:00", false)]
    [InlineData("mon 25:00-26:00", false)]
    [InlineData("mon 09:00", false)]
    [InlineData("", false)]
    public void WindowsParseOnlyWhatTheyMean(string text, bool valid) => Assert.Equal(valid, ScheduleEngine.Window.Parse(text) is not null);
}
