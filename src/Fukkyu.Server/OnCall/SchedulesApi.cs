using System.Globalization;
using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

public sealed record LayerDto(int Position, string Name, RotationKind Rotation, int ShiftHours, string StartDate, string HandoffTime,
    string? EndDate, DayFilter Days, string[] Windows, PersonRefDto[] Members);

public sealed record OverrideDto(Guid Id, PersonRefDto Person, DateTime StartsAt, DateTime EndsAt, string? Reason, string CreatedBy, DateTime CreatedAt);

public sealed record SegmentDto(DateTime Start, DateTime End, PersonRefDto? Person, string? Source);

public sealed record ScheduleDto(Guid Id, string Key, string Name, string? Description, string TimeZone, LayerDto[] Layers,
    OverrideDto[] Overrides, SegmentDto Now, string[] Teams, DateTime UpdatedAt);

public sealed record LayerRequest(string? Name, RotationKind? Rotation, int? ShiftHours, string? StartDate, string? HandoffTime,
    string? EndDate, DayFilter? Days, string[]? Windows, string[]? Members);

public sealed record ScheduleRequest(string? Name, string? Description, string? TimeZone, LayerRequest[]? Layers);

public sealed record OverrideRequest(string? User, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Reason);

public static class SchedulesApi
{
    public const int MaxFinalDays = 93;
    public const int MaxOverrideDays = 90;

    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/schedules").WithTags("On call");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{key}", Get).RequireAuthorization(Policies.Read);
        api.MapPut("/{key}", Put).RequireAuthorization(Policies.Command)
            .WithSummary("Create or replace a schedule and its layers (rotations with hand-offs in the schedule's time zone, windows, holiday filters).");
        api.MapDelete("/{key}", Delete).RequireAuthorization(Policies.Command);
        api.MapGet("/{key}/final", Final).RequireAuthorization(Policies.Read)
            .WithSummary("The final schedule between ?from= and ?to= (at most 93 days): who is on call when, after layers and overrides.");
        api.MapPost("/{key}/overrides", AddOverride).RequireAuthorization(Policies.Respond)
            .WithSummary("Someone covers the schedule for a while (a swap, sick cover).");
        api.MapDelete("/{key}/overrides/{id:guid}", DeleteOverride).RequireAuthorization(Policies.Respond);
        return app;
    }

    internal static async Task<List<ScheduleDto>> ToDtosAsync(FukkyuDb db, OnCallService oncall, List<Schedule> schedules, DateTime now, CancellationToken ct)
    {
        var ids = schedules.Select(s => s.Id).ToList();
        var overrides = await db.Set<ScheduleOverride>().AsNoTracking().Include(o => o.User)
            .Where(o => ids.Contains(o.ScheduleId) && o.EndsAt > now).OrderBy(o => o.StartsAt).ToListAsync(ct);
        var userIds = schedules.SelectMany(s => s.Layers).SelectMany(l => l.Members).Select(m => m.UserId).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        var teams = (await db.Set<Team>().AsNoTracking().Where(t => t.ScheduleId != null && ids.Contains(t.ScheduleId.Value)).ToListAsync(ct))
            .ToLookup(t => t.ScheduleId!.Value, t => t.Key);
        var result = new List<ScheduleDto>();
        foreach (var s in schedules)
        {
            var engine = await oncall.EngineAsync(s, now, now, ct);
            var seg = engine.At(now);
            var person = seg.UserId is { } uid ? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == uid, ct) : null;
            result.Add(new ScheduleDto(s.Id, s.Key, s.Name, s.Description, s.TimeZone,
                [.. s.Layers.OrderBy(l => l.Position).Select(l => new LayerDto(l.Position, l.Name, l.Rotation, l.ShiftHours,
                    l.StartDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), l.HandoffTime.ToString("HH:mm", CultureInfo.InvariantCulture),
                    l.EndDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), l.Days, [.. l.Windows],
                    [.. l.Members.OrderBy(m => m.Position).Where(m => users.ContainsKey(m.UserId)).Select(m => PersonRefDto.From(users[m.UserId]))]))],
                [.. overrides.Where(o => o.ScheduleId == s.Id).Select(ToDto)],
                new SegmentDto(seg.Start, seg.End, person is null ? null : PersonRefDto.From(person), seg.Source),
                [.. teams[s.Id]], s.UpdatedAt));
        }
        return result;
    }

    internal static OverrideDto ToDto(ScheduleOverride o) =>
        new(o.Id, PersonRefDto.From(o.User!), o.StartsAt, o.EndsAt, o.Reason, o.CreatedByName, o.CreatedAt);

    private static async Task<Ok<ScheduleDto[]>> List(FukkyuDb db, OnCallService oncall, TimeProvider time, CancellationToken ct)
    {
        var schedules = await oncall.Schedules().OrderBy(s => s.Key).ToListAsync(ct);
        return TypedResults.Ok((await ToDtosAsync(db, oncall, schedules, time.GetUtcNow().UtcDateTime, ct)).ToArray());
    }

    private static async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> Get(string key, FukkyuDb db, OnCallService oncall, TimeProvider time, CancellationToken ct)
    {
        var s = await oncall.Schedules().FirstOrDefaultAsync(x => x.Key == key, ct);
        return s is null ? AuthApi.NotFoundProblem() : TypedResults.Ok((await ToDtosAsync(db, oncall, [s], time.GetUtcNow().UtcDateTime, ct))[0]);
    }

    private static async Task<Results<Ok<ScheduleDto>, Created<ScheduleDto>, ValidationProblem, ProblemHttpResult>> Put(
        string key, ScheduleRequest req, FukkyuDb db, OnCallService oncall, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        TeamsApi.ValidateKey(v, key);
        v.Text("name", req.Name, OnCallLimits.Name, required: true).Text("description", req.Description, 2000)
         .Text("timeZone", req.TimeZone, 64).Count("layers", req.Layers, OnCallLimits.Layers);
        if (req.TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(req.TimeZone, out _))
        {
            v.Add("timeZone", OnCallStrings.T("UnknownTimeZone", req.TimeZone));
        }
        var layers = new List<ScheduleLayer>();
        for (var i = 0; i < (req.Layers?.Length ?? 0); i++)
        {
            if (await ParseLayerAsync(db, v, $"layers[{i}]", req.Layers![i], i, ct) is { } layer)
            {
                layers.Add(layer);
            }
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var now = time.GetUtcNow().UtcDateTime;
        var schedule = await db.Set<Schedule>().Include(s => s.Layers).ThenInclude(l => l.Members).FirstOrDefaultAsync(s => s.Key == key, ct);
        var created = schedule is null;
        if (schedule is null)
        {
            schedule = new Schedule { Key = key, Name = "", CreatedAt = now };
            db.Add(schedule);
        }
        schedule.Name = req.Name!.Trim();
        schedule.Description = req.Description;
        schedule.TimeZone = req.TimeZone ?? schedule.TimeZone;
        schedule.UpdatedAt = now;
        schedule.Layers.Clear();
        foreach (var l in layers)
        {
            l.ScheduleId = schedule.Id;
            // Added explicitly: EF would take a child with a preset key, found through the navigation, for an existing row.
            db.Add(l);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return TypedResults.Problem(new ProblemDetails { Status = 409, Detail = Validation.Text("Conflict") });
        }
        var fresh = await oncall.Schedules().FirstAsync(s => s.Id == schedule.Id, ct);
        var dto = (await ToDtosAsync(db, oncall, [fresh], now, ct))[0];
        return created ? TypedResults.Created($"/api/v1/schedules/{key}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<ScheduleLayer?> ParseLayerAsync(FukkyuDb db, Validation v, string p, LayerRequest l, int position, CancellationToken ct)
    {
        var before = v.Errors.Count;
        v.Text($"{p}.name", l.Name, OnCallLimits.Name, required: true).Required($"{p}.rotation", l.Rotation)
         .Range($"{p}.shiftHours", l.ShiftHours, 1, 24 * 30).Count($"{p}.windows", l.Windows, OnCallLimits.Windows)
         .Count($"{p}.members", l.Members, OnCallLimits.Members);
        if (l.Rotation == RotationKind.Custom && l.ShiftHours is null)
        {
            v.Add($"{p}.shiftHours", Validation.Text("Required"));
        }
        if (l.Members is null or { Length: 0 })
        {
            v.Add($"{p}.members", Validation.Text("Required"));
        }
        if (!DateOnly.TryParseExact(l.StartDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            v.Add($"{p}.startDate", OnCallStrings.T("DateFormat"));
        }
        var handoff = TimeOnly.MinValue;
        if (l.HandoffTime is not null && !TimeOnly.TryParseExact(l.HandoffTime, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out handoff))
        {
            v.Add($"{p}.handoffTime", OnCallStrings.T("TimeFormat"));
        }
        DateOnly? end = null;
        if (l.EndDate is not null)
        {
            if (DateOnly.TryParseExact(l.EndDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var e) && e > start)
            {
                end = e;
            }
            else
            {
                v.Add($"{p}.endDate", OnCallStrings.T("EndAfterStart"));
            }
        }
        foreach (var w in l.Windows ?? [])
        {
            if (w is null || w.Length > 100 || ScheduleEngine.Window.Parse(w) is null)
            {
                v.Add($"{p}.windows", OnCallStrings.T("WindowFormat", w));
            }
        }
        var members = await References.UsersAsync(db, v, $"{p}.members", l.Members ?? [], ct);
        if (v.Errors.Count > before)
        {
            return null;
        }
        var layer = new ScheduleLayer
        {
            Position = position,
            Name = l.Name!.Trim(),
            Rotation = l.Rotation!.Value,
            ShiftHours = l.Rotation == RotationKind.Custom ? l.ShiftHours!.Value : l.Rotation == RotationKind.Weekly ? 168 : 24,
            StartDate = start,
            HandoffTime = handoff,
            EndDate = end,
            Days = l.Days ?? DayFilter.Any,
            Windows = [.. (l.Windows ?? []).Select(w => w.Trim().ToLowerInvariant())],
        };
        for (var i = 0; i < members.Count; i++)
        {
            layer.Members.Add(new LayerMember { LayerId = layer.Id, Position = i, UserId = members[i] });
        }
        return layer;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string key, FukkyuDb db, CancellationToken ct)
    {
        var n = await db.Set<Schedule>().Where(s => s.Key == key).ExecuteDeleteAsync(ct);
        return n == 0 ? AuthApi.NotFoundProblem() : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SegmentDto[]>, ValidationProblem, ProblemHttpResult>> Final(
        string key, DateTimeOffset? from, DateTimeOffset? to, FukkyuDb db, OnCallService oncall, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var f = from?.UtcDateTime ?? now;
        var t = to?.UtcDateTime ?? f.AddDays(14);
        var v = new Validation();
        if (t <= f || t - f > TimeSpan.FromDays(MaxFinalDays))
        {
            v.Add("to", OnCallStrings.T("RangeDays", MaxFinalDays));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var s = await oncall.Schedules().FirstOrDefaultAsync(x => x.Key == key, ct);
        if (s is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var segments = (await oncall.EngineAsync(s, f, t, ct)).Final(f, t);
        var ids = segments.Where(x => x.UserId is not null).Select(x => x.UserId!.Value).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        return TypedResults.Ok(segments.Select(x => new SegmentDto(x.Start, x.End,
            x.UserId is { } uid && users.TryGetValue(uid, out var u) ? PersonRefDto.From(u) : null, x.Source)).ToArray());
    }

    private static async Task<Results<Created<OverrideDto>, ValidationProblem, ProblemHttpResult>> AddOverride(
        string key, OverrideRequest req, ClaimsPrincipal principal, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var result = await ScheduleOverrides.AddAsync(db, key, req, principal, time, ct);
        return result.Error switch
        {
            null => TypedResults.Created($"/api/v1/schedules/{key}/overrides/{result.Value!.Id}", ToDto(result.Value)),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteOverride(string key, Guid id, FukkyuDb db, CancellationToken ct)
    {
        var sid = await db.Set<Schedule>().Where(s => s.Key == key).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct);
        var n = sid is null ? 0 : await db.Set<ScheduleOverride>().Where(o => o.Id == id && o.ScheduleId == sid).ExecuteDeleteAsync(ct);
        return n == 0 ? AuthApi.NotFoundProblem() : TypedResults.NoContent();
    }
}

/// <summary>Adding an override, shared by the API and the schedule page.</summary>
public static class ScheduleOverrides
{
    public static async Task<OpResult<ScheduleOverride>> AddAsync(FukkyuDb db, string key, OverrideRequest req, ClaimsPrincipal principal, TimeProvider time, CancellationToken ct)
    {
        var s = await db.Set<Schedule>().AsNoTracking().FirstOrDefaultAsync(x => x.Key == key, ct);
        if (s is null)
        {
            return NotFoundError.Instance;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var v = new Validation().Text("user", req.User, 100, required: true).Required("startsAt", req.StartsAt).Required("endsAt", req.EndsAt)
            .Text("reason", req.Reason, 500);
        if (req.StartsAt is { } a && req.EndsAt is { } b)
        {
            if (b <= a || b - a > TimeSpan.FromDays(SchedulesApi.MaxOverrideDays))
            {
                v.Add("endsAt", OnCallStrings.T("OverrideRange", SchedulesApi.MaxOverrideDays));
            }
            else if (b.UtcDateTime <= now)
            {
                v.Add("endsAt", OnCallStrings.T("OverridePast"));
            }
        }
        var user = req.User is null ? [] : await References.UsersAsync(db, v, "user", [req.User], ct);
        if (!v.IsValid)
        {
            return new InvalidError(v.Errors);
        }
        var actor = Actor.From(principal);
        var o = new ScheduleOverride
        {
            ScheduleId = s.Id,
            UserId = user[0],
            StartsAt = req.StartsAt!.Value.UtcDateTime,
            EndsAt = req.EndsAt!.Value.UtcDateTime,
            Reason = req.Reason?.Trim(),
            CreatedById = actor.UserId,
            CreatedByName = actor.Name,
            CreatedAt = now,
        };
        db.Add(o);
        await db.SaveChangesAsync(ct);
        o.User = await db.Users.AsNoTracking().FirstAsync(u => u.Id == o.UserId, ct);
        return o;
    }
}
