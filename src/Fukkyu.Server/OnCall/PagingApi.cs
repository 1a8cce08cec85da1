using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

/// <summary>How a notification fared: <c>waiting</c> (for its delay), <c>not_sent</c> (acknowledged first), or the outbox state.</summary>
public sealed record NotificationDto(Guid UserId, string UserName, int Step, int Cycle, ContactKind Channel, string Recipient,
    DateTime At, string Delivery, DateTime? DeliveredAt, int Attempts, string? LastError);

public sealed record PageDto(Guid Id, string Group, string GroupName, PagePurpose Purpose, int Level, PageState State,
    int Step, int Steps, int Cycle, int Repeat, DateTime CreatedAt, DateTime? NextAt,
    DateTime? AcknowledgedAt, string? AcknowledgedBy, AckVia? AcknowledgedVia, PlannedStep[] Plan, NotificationDto[] Notifications);

/// <param name="Warnings">What keeps the level's people from being paged (no owning team, no emergency response team…).</param>
public sealed record PagingDto(PageDto[] Pages, string[] Warnings);

public sealed record AcknowledgeRequest(Guid? PageId);

public sealed record AcknowledgedDto(string Incident, IncidentStatus Status, string[] Groups, bool TookCommand);

public sealed record ManualPageRequest(string[]? Users, string[]? Teams, string[]? Schedules, string? EscalationPolicy, PagePurpose? Purpose);

public static class PagingApi
{
    public static IEndpointRouteBuilder MapPaging(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/incidents/{id}").WithTags("Paging");
        api.MapGet("/pages", List).RequireAuthorization(Policies.Read).WithName("ListIncidentPages")
            .WithSummary("Who was paged, when, by which channel, whether it was delivered, and who acknowledged.");
        api.MapPost("/acknowledge", Acknowledge).RequireAuthorization(Policies.Respond).WithName("AcknowledgeIncident")
            .WithSummary("Stop the escalation: acknowledges the pages you were notified in (or, if none, every page asking people to respond).");
        api.MapPost("/pages", PageMore).RequireAuthorization(Policies.Respond).WithName("PageMorePeople")
            .WithSummary("Page more people: users, teams, schedules or an escalation policy.");
        return app;
    }

    internal static async Task<List<PageDto>> PagesAsync(FukkyuDb db, Guid incidentId, CancellationToken ct)
    {
        var pages = await db.Set<Page>().AsNoTracking().Where(p => p.IncidentId == incidentId).OrderBy(p => p.CreatedAt).ToListAsync(ct);
        var notes = await db.Set<PageNotification>().AsNoTracking().Where(n => n.IncidentId == incidentId).OrderBy(n => n.At).ToListAsync(ct);
        var ids = notes.Where(n => n.OutboxMessageId != null).Select(n => n.OutboxMessageId!.Value).ToList();
        var messages = await db.Set<OutboxMessage>().AsNoTracking().Where(m => ids.Contains(m.Id))
            .Select(m => new { m.Id, m.State, m.DeliveredAt, m.Attempts, m.LastError }).ToDictionaryAsync(m => m.Id, ct);
        return [.. pages.Select(p =>
        {
            var plan = PagingEngine.StepsOf(p);
            return new PageDto(p.Id, p.GroupKey, p.GroupName, p.Purpose, p.Level, p.State, Math.Max(0, p.Step) + 1, plan.Length, p.Cycle + 1, p.Repeat,
                p.CreatedAt, p.NextAt, p.AcknowledgedAt, p.AcknowledgedByName, p.AcknowledgedVia, plan,
                [.. notes.Where(n => n.PageId == p.Id).Select(n =>
                {
                    var m = n.OutboxMessageId is { } mid ? messages.GetValueOrDefault(mid) : null;
                    var delivery = m is not null ? WireEnum.Name(m.State) : n.Deferred ? (p.State == PageState.Triggered ? "waiting" : "not_sent") : "not_sent";
                    return new NotificationDto(n.UserId, n.UserName, n.Step + 1, n.Cycle + 1, n.Channel, n.Recipient, n.At, delivery,
                        m?.DeliveredAt, m?.Attempts ?? 0, m?.LastError);
                })]);
        })];
    }

    private static async Task<Results<Ok<PagingDto>, ProblemHttpResult>> List(string id, ClaimsPrincipal user, IncidentService incidents, FukkyuDb db,
        ResponseAssembly assembly, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(id, Caller.From(user), tracking: false, ct);
        return incident is null ? AuthApi.NotFoundProblem()
            : TypedResults.Ok(new PagingDto([.. await PagesAsync(db, incident.Id, ct)], [.. await WarningsAsync(db, assembly, incident, ct)]));
    }

    /// <summary>The set-up gaps for this incident's level, as of now: a real check, never a silent "nobody to page".</summary>
    internal static async Task<List<string>> WarningsAsync(FukkyuDb db, ResponseAssembly assembly, Incident incident, CancellationToken ct)
    {
        if (!incident.IsOpen)
        {
            return [];
        }
        var (_, warnings) = await assembly.PlanAsync(db, incident, ct);
        return [.. warnings.Select(w => OnCallStrings.T("Warn_" + w, incident.Level))];
    }

    private static async Task<Results<Ok<AcknowledgedDto>, ValidationProblem, ProblemHttpResult>> Acknowledge(
        string id, AcknowledgeRequest? req, HttpContext http, ClaimsPrincipal user, Acknowledgements acks, CancellationToken ct)
    {
        // The CLI says who it is; everything else through the API is the API.
        var via = http.Request.Headers.UserAgent.ToString().StartsWith("fukkyu-cli", StringComparison.Ordinal) ? AckVia.Cli : AckVia.Api;
        var result = await acks.AcknowledgeAsync(id, req?.PageId, Caller.From(user), via, ct);
        return result.Error switch
        {
            null => TypedResults.Ok(new AcknowledgedDto(result.Value!.Incident.Number, result.Value.Incident.Status,
                [.. result.Value.Pages.Select(p => p.GroupName)], result.Value.TookCommand)),
            ConflictError c => OpResults.Conflict(c),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Created<PageDto>, ValidationProblem, ProblemHttpResult>> PageMore(
        string id, ManualPageRequest req, ClaimsPrincipal user, IncidentService incidents, FukkyuDb db, PagingEngine engine,
        TimeProvider time, ChangeSignal signal, Microsoft.Extensions.Options.IOptions<PagingOptions> options, CancellationToken ct)
    {
        var v = new Validation().Count("users", req.Users, 100).Count("teams", req.Teams, 50).Count("schedules", req.Schedules, 50)
            .Text("escalationPolicy", req.EscalationPolicy, OnCallLimits.Key);
        if ((req.Users?.Length ?? 0) + (req.Teams?.Length ?? 0) + (req.Schedules?.Length ?? 0) == 0 && req.EscalationPolicy is null)
        {
            v.Add("users", OnCallStrings.T("PageWhom"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await StartManualAsync(db, engine, incidents, id, req, Caller.From(user), options.Value, time, signal, ct);
        return result.Error switch
        {
            null => TypedResults.Created($"/api/v1/incidents/{id}/pages",
                (await PagesAsync(db, result.Value!.IncidentId, ct)).First(p => p.Id == result.Value.Id)),
            ConflictError c => OpResults.Conflict(c),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    /// <summary>Pages more people for an open incident (API and UI): a page of its own, escalating like any other.</summary>
    internal static async Task<OpResult<Page>> StartManualAsync(FukkyuDb db, PagingEngine engine, IncidentService incidents, string id,
        ManualPageRequest req, Caller caller, PagingOptions options, TimeProvider time, ChangeSignal signal, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var incident = await incidents.FindAsync(id, caller, tracking: true, ct);
            if (incident is null)
            {
                return NotFoundError.Instance;
            }
            if (!incident.IsOpen)
            {
                return new ConflictError("not-open", IncidentStrings.T("NotOpen", WireEnum.Name(incident.Status)));
            }
            var (group, errors) = await ManualGroupAsync(db, req, options, ct);
            if (group is null)
            {
                return new InvalidError(errors.Errors);
            }
            var page = await engine.StartAsync(incident, group, caller.Actor, time.GetUtcNow().UtcDateTime, ct);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                continue;
            }
            signal.Raise(ChangeSignal.Incidents);
            return page;
        }
    }

    private static async Task<(PageGroup? Group, Validation Errors)> ManualGroupAsync(FukkyuDb db, ManualPageRequest req, PagingOptions o, CancellationToken ct)
    {
        var v = new Validation();
        var purpose = req.Purpose ?? PagePurpose.Respond;
        var key = "manual:" + Guid.CreateVersion7().ToString("N")[..12];
        if (req.EscalationPolicy is not null)
        {
            var policy = await db.Set<EscalationPolicy>().AsNoTracking().Include(p => p.Steps).ThenInclude(s => s.Targets)
                .FirstOrDefaultAsync(p => p.Key == req.EscalationPolicy, ct);
            if (policy is null)
            {
                v.Add("escalationPolicy", Validation.Text("UnknownId", req.EscalationPolicy));
                return (null, v);
            }
            var names = await ResponseAssembly.TargetNamesAsync(db, [], ct);
            foreach (var u in await db.Users.AsNoTracking().Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct))
            {
                names[u.Id] = u.DisplayName;
            }
            return (new PageGroup(key, policy.Name, purpose, ResponseAssembly.PolicySteps(policy, names), policy.Repeat), v);
        }
        var targets = new List<PlannedTarget>();
        var userIds = await References.UsersAsync(db, v, "users", req.Users ?? [], ct);
        foreach (var u in await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToListAsync(ct))
        {
            targets.Add(new PlannedTarget(TargetKind.User, u.Id, u.DisplayName));
        }
        foreach (var (k, i) in (req.Teams ?? []).Select((k, i) => (k, i)))
        {
            var t = await db.Set<Team>().AsNoTracking().FirstOrDefaultAsync(x => x.Key == k, ct);
            if (t is null)
            {
                v.Add($"teams[{i}]", Validation.Text("UnknownId", k));
                continue;
            }
            targets.Add(new PlannedTarget(TargetKind.Team, t.Id, $"{t.NameJa} / {t.NameEn}"));
        }
        foreach (var (k, i) in (req.Schedules ?? []).Select((k, i) => (k, i)))
        {
            var s = await db.Set<Schedule>().AsNoTracking().FirstOrDefaultAsync(x => x.Key == k, ct);
            if (s is null)
            {
                v.Add($"schedules[{i}]", Validation.Text("UnknownId", k));
                continue;
            }
            targets.Add(new PlannedTarget(TargetKind.Schedule, s.Id, s.Name));
        }
        if (!v.IsValid)
        {
            return (null, v);
        }
        var name = string.Join(", ", targets.Select(t => t.Name));
        return (new PageGroup(key, name.Length > 280 ? name[..280] + "…" : name, purpose, [new PlannedStep(o.DefaultRepeatMinutes, [.. targets])], o.DefaultRepeat), v);
    }
}
