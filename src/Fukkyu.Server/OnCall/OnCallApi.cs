using System.Globalization;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fukkyu.Server.OnCall;

public sealed record PersonRefDto(Guid Id, string UserName, string DisplayName)
{
    public static PersonRefDto From(User u) => new(u.Id, u.UserName, u.DisplayName);
}

public sealed record OnCallScheduleDto(string Key, string Name, PersonRefDto? Person, string? Source, DateTime Since, DateTime Until, string[] Teams);

public sealed record OnCallTeamDto(string Key, string Name, TeamKind Kind, string? Schedule, PersonRefDto[] OnCall);

public sealed record OnCallDto(DateTime At, OnCallScheduleDto[] Schedules, OnCallTeamDto[] Teams);

public sealed record HolidayDto(DateOnly Date, string Name, string NameJa, string NameEn, bool Company);

public sealed record HolidayRequest(string? NameJa, string? NameEn);

public sealed record CalendarFeedDto(string Url);

public static class OnCallApi
{
    public static IHostApplicationBuilder AddOnCall(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PagingOptions>().BindConfiguration(PagingOptions.Section)
            .Validate(o => Uri.TryCreate(o.PublicUrl, UriKind.Absolute, out _), "Fukkyu:Paging:PublicUrl must be an absolute URL.")
            .Validate(o => o.DefaultRepeat is >= 0 and <= OnCallLimits.MaxRepeat && o.DefaultRepeatMinutes is >= 1 and <= OnCallLimits.MaxDelayMinutes,
                "Fukkyu:Paging: DefaultRepeat 0–9, DefaultRepeatMinutes 1–1440.")
            .ValidateOnStart();
        services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section);
        services.AddHttpClient(SmsSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<IOutboxSender, SmsSender>();
        services.AddSingleton<IOutboxSender, SlackSender>();
        services.AddSingleton<AckLinks>();
        services.AddHostedService<AckLinkWarmup>();
        services.AddScoped<OnCallService>();
        services.AddScoped<PagingEngine>();
        services.AddScoped<IPushTokenListener, ContactPushTokens>();
        services.AddScoped<Acknowledgements>();
        services.AddScoped<ResponseAssembly>();
        services.AddScoped<IIncidentListener>(sp => sp.GetRequiredService<ResponseAssembly>());
        services.AddSingleton<IJobHandler, PageStepJobHandler>();
        services.AddSingleton<IJobHandler, PageContactJobHandler>();
        services.AddSingleton<ITimelineDescriber, OnCallTimelineDescriber>();
        // Briefings and reminders go over each person's contact methods (email remains the fallback).
        services.Replace(ServiceDescriptor.Scoped<IPersonNotifier, ContactPersonNotifier>());
        services.AddNavItem(new NavItem(40, "/ops/oncall", () => OnCallStrings.T("OnCallTitle")));
        services.AddNavItem(new NavItem(42, "/ops/me/contact", () => OnCallStrings.T("MyContactTitle")));
        services.AddUiPanel<Pages.OnCallNowPanel>(UiPanels.Dashboard, 20);
        services.AddUiPanel<Pages.PagingPanel>(UiPanels.Incident, 10);
        return builder;
    }

    public static IEndpointRouteBuilder MapOnCall(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("On call");
        api.MapGet("/oncall", Now).RequireAuthorization(Policies.Read).WithName("WhoIsOnCall")
            .WithSummary("Who is on call now, or at ?at= (ISO 8601), per schedule and per team.");
        api.MapGet("/holidays", Holidays).RequireAuthorization(Policies.Read).WithSummary("Japan's public holidays and the company's own, for a year.");
        api.MapPut("/holidays/{date}", PutHoliday).RequireAuthorization(Policies.Command);
        api.MapDelete("/holidays/{date}", DeleteHoliday).RequireAuthorization(Policies.Command);
        api.MapPost("/users/{userId:guid}/calendar-feed", CreateFeed).RequireAuthorization(Policies.Read)
            .WithSummary("Create (or replace) the person's secret iCal URL; shown once.");
        app.MapGet("/calendar/{token}.ics", Calendar).AllowAnonymous().ExcludeFromDescription();
        app.MapContactMethods();
        app.MapTeams();
        app.MapSchedules();
        app.MapEscalationPolicies();
        app.MapPaging();
        return app;
    }

    internal static bool Japanese => Texts.Japanese;

    private static async Task<Results<Ok<OnCallDto>, ValidationProblem>> Now(
        FukkyuDb db, OnCallService oncall, TimeProvider time, DateTimeOffset? at, string? team, string? schedule, CancellationToken ct)
    {
        var v = new Validation().Text("team", team, OnCallLimits.Key).Text("schedule", schedule, OnCallLimits.Key);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var when = at?.UtcDateTime ?? time.GetUtcNow().UtcDateTime;
        return TypedResults.Ok(await BuildAsync(db, oncall, when, team, schedule, ct));
    }

    internal static async Task<OnCallDto> BuildAsync(FukkyuDb db, OnCallService oncall, DateTime at, string? team, string? schedule, CancellationToken ct)
    {
        var teams = await db.Set<Team>().AsNoTracking().Include(t => t.Members).ThenInclude(m => m.User)
            .Where(t => team == null || t.Key == team).OrderBy(t => t.Kind).ThenBy(t => t.Key).ToListAsync(ct);
        var scheduleQuery = oncall.Schedules();
        if (schedule is not null)
        {
            scheduleQuery = scheduleQuery.Where(s => s.Key == schedule);
        }
        else if (team is not null)
        {
            var ids = teams.Where(t => t.ScheduleId != null).Select(t => t.ScheduleId!.Value).ToList();
            scheduleQuery = scheduleQuery.Where(s => ids.Contains(s.Id));
        }
        var schedules = await scheduleQuery.OrderBy(s => s.Key).ToListAsync(ct);
        var now = await oncall.NowAsync(schedules, at, ct);
        var bySchedule = now.ToDictionary(n => n.Schedule.Id);
        var scheduleDtos = now.Select(n => new OnCallScheduleDto(n.Schedule.Key, n.Schedule.Name,
            n.User is { } u ? PersonRefDto.From(u) : null, n.Segment.Source, n.Segment.Start, n.Segment.End,
            [.. teams.Where(t => t.ScheduleId == n.Schedule.Id).Select(t => t.Key)])).ToArray();
        var teamDtos = teams.Select(t =>
        {
            PersonRefDto[] onCall = t.ScheduleId is { } sid
                ? bySchedule.TryGetValue(sid, out var n) && n.User is { } u ? [PersonRefDto.From(u)] : []
                : [.. t.Members.Where(m => m.User is { Active: true }).Select(m => PersonRefDto.From(m.User!))];
            var scheduleKey = t.ScheduleId is { } id && bySchedule.TryGetValue(id, out var s) ? s.Schedule.Key : null;
            return new OnCallTeamDto(t.Key, t.Name(Japanese), t.Kind, scheduleKey, onCall);
        }).ToArray();
        return new OnCallDto(at, scheduleDtos, teamDtos);
    }

    private static async Task<Results<Ok<HolidayDto[]>, ValidationProblem>> Holidays(FukkyuDb db, TimeProvider time, int? year, CancellationToken ct)
    {
        var v = new Validation().Range("year", year, 2020, 2099);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var y = year ?? Tokyo.FromUtc(time.GetUtcNow().UtcDateTime).Year;
        var from = new DateOnly(y, 1, 1);
        var to = new DateOnly(y, 12, 31);
        var company = await db.Set<CompanyHoliday>().AsNoTracking().Where(h => h.Date >= from && h.Date <= to).ToListAsync(ct);
        var list = JapaneseHolidays.ForYear(y).Select(kv => new HolidayDto(kv.Key, Japanese ? kv.Value.Ja : kv.Value.En, kv.Value.Ja, kv.Value.En, false))
            .Concat(company.Select(h => new HolidayDto(h.Date, Japanese ? h.NameJa : h.NameEn, h.NameJa, h.NameEn, true)))
            .OrderBy(h => h.Date).ToArray();
        return TypedResults.Ok(list);
    }

    private static bool TryDate(string s, out DateOnly date) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static async Task<Results<Ok<HolidayDto>, ValidationProblem>> PutHoliday(string date, HolidayRequest req, FukkyuDb db, CancellationToken ct)
    {
        var v = new Validation().Text("nameJa", req.NameJa, OnCallLimits.Name, required: true).Text("nameEn", req.NameEn, OnCallLimits.Name, required: true);
        if (!TryDate(date, out var d))
        {
            v.Add("date", OnCallStrings.T("DateFormat"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var row = await db.Set<CompanyHoliday>().FirstOrDefaultAsync(h => h.Date == d, ct);
        if (row is null)
        {
            row = new CompanyHoliday { Date = d, NameJa = req.NameJa!.Trim(), NameEn = req.NameEn!.Trim() };
            db.Add(row);
        }
        row.NameJa = req.NameJa!.Trim();
        row.NameEn = req.NameEn!.Trim();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new HolidayDto(row.Date, Japanese ? row.NameJa : row.NameEn, row.NameJa, row.NameEn, true));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteHoliday(string date, FukkyuDb db, CancellationToken ct)
    {
        if (!TryDate(date, out var d))
        {
            return AuthApi.NotFoundProblem();
        }
        var n = await db.Set<CompanyHoliday>().Where(h => h.Date == d).ExecuteDeleteAsync(ct);
        return n == 0 ? AuthApi.NotFoundProblem() : TypedResults.NoContent();
    }

    /// <summary>People manage their own contact methods and feed; admins anyone's. Others see nothing (404).</summary>
    internal static bool MaySee(System.Security.Claims.ClaimsPrincipal principal, Guid userId) =>
        principal.UserId() == userId || principal.IsInRole(Roles.Admin);

    private static async Task<Results<Ok<CalendarFeedDto>, ProblemHttpResult>> CreateFeed(
        Guid userId, System.Security.Claims.ClaimsPrincipal principal, FukkyuDb db, TimeProvider time,
        Microsoft.Extensions.Options.IOptions<PagingOptions> options, CancellationToken ct)
    {
        if (!MaySee(principal, userId) || !await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return AuthApi.NotFoundProblem();
        }
        var token = ApiKeyMaterial.Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        await db.Set<CalendarFeed>().Where(f => f.UserId == userId).ExecuteDeleteAsync(ct);
        db.Add(new CalendarFeed { UserId = userId, TokenHash = ApiKeyMaterial.Hash(token), CreatedAt = time.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new CalendarFeedDto(options.Value.Link($"/calendar/{token}.ics")));
    }

    private static async Task<IResult> Calendar(string token, FukkyuDb db, OnCallService oncall, TimeProvider time, CancellationToken ct)
    {
        if (token.Length > 100)
        {
            return TypedResults.NotFound();
        }
        var hash = ApiKeyMaterial.Hash(token);
        var feed = await db.Set<CalendarFeed>().AsNoTracking().FirstOrDefaultAsync(f => f.TokenHash == hash, ct);
        var user = feed is null ? null : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == feed.UserId && u.Active, ct);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        var now = time.GetUtcNow().UtcDateTime;
        var text = await ICalendar.ForPersonAsync(db, oncall, user, now - TimeSpan.FromDays(14), now + TimeSpan.FromDays(90), now, ct);
        return TypedResults.Text(text, "text/calendar; charset=utf-8");
    }
}

/// <summary>Creates the acknowledgement-link key before the first page, so that never happens inside a declaring transaction.</summary>
internal sealed class AckLinkWarmup(AckLinks links, ILogger<AckLinkWarmup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await links.CreateAsync(Guid.Empty, DateTime.UnixEpoch, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not prepare the acknowledgement-link key yet; it will be created on first use.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
