using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Incidents;

public sealed record ReporterDto(string? Name, string? Contact, ReporterChannel Channel);

public sealed record IncidentComponentDto(Guid Id, string Key, string Name, ComponentCategory Category, ComponentImpact Impact, ComponentStatus Status);

public sealed record PersonDto(Guid Id, string UserName, string DisplayName);

public sealed record MemberDto(Guid UserId, string UserName, string DisplayName, MemberRole Role, DateTime AddedAt);

public sealed record IncidentDto(
    Guid Id, string Number, string Title, string? Description, ComponentCategory Category,
    int Level, string LevelRule, string LevelReason, string LevelReasonJa, string LevelReasonEn,
    IncidentStatus Status, PublicIncidentStatus? PublicStatus, IncidentStatus[] AllowedTransitions,
    ImpactScope ImpactScope, bool MainFunction, int? ExpectedRecoveryMinutes, int? AffectedUsersEstimate, string? Cause,
    bool Security, bool Drill, ReporterDto Reporter, PersonDto? Commander, MemberDto[] Members, IncidentComponentDto[] Components,
    DateTime? StartedAt, DateTime DetectedAt, DateTime? AcknowledgedAt, DateTime? IdentifiedAt, DateTime? MonitoringAt,
    DateTime? ResolvedAt, DateTime? ClosedAt, DateTime CreatedAt, DateTime UpdatedAt, int Version)
{
    public static IncidentDto From(Incident i) => new(
        i.Id, i.Number, i.Title, i.Description, i.Category,
        i.Level, i.LevelRule, IncidentsApi.Japanese ? i.LevelReasonJa : i.LevelReasonEn, i.LevelReasonJa, i.LevelReasonEn,
        i.Status, Lifecycle.PublicStatus(i.Status), [.. Lifecycle.AllowedFrom(i.Status)],
        i.ImpactScope, i.MainFunction, i.ExpectedRecoveryMinutes, i.AffectedUsersEstimate, i.Cause,
        i.Security, i.Drill, new ReporterDto(i.Reporter.Name, i.Reporter.Contact, i.Reporter.Channel),
        i.Commander is { } c ? new PersonDto(c.Id, c.UserName, c.DisplayName) : null,
        [.. i.Members.OrderBy(m => m.AddedAt).Select(m => new MemberDto(m.UserId, m.User?.UserName ?? "", m.User?.DisplayName ?? "", m.Role, m.AddedAt))],
        [.. i.Components.Where(c => c.Component is not null).Select(c => new IncidentComponentDto(c.ComponentId, c.Component!.Key,
            c.Component.Name(IncidentsApi.Japanese), c.Component.Category, c.Impact, c.Component.Status))],
        i.StartedAt, i.DetectedAt, i.AcknowledgedAt, i.IdentifiedAt, i.MonitoringAt, i.ResolvedAt, i.ClosedAt, i.CreatedAt, i.UpdatedAt, i.Version);
}

public sealed record ReporterRequest(string? Name, string? Contact, ReporterChannel? Channel);

public sealed record ComponentImpactRequest(string? Id, ComponentImpact? Impact);

public sealed record CreateIncidentRequest(
    string? Title, ComponentCategory? Category, ImpactScope? ImpactScope, int? ExpectedRecoveryMinutes,
    string[]? ComponentIds, ComponentImpactRequest[]? Components, string? Description, ReporterRequest? Reporter,
    bool? Security, bool? Drill, DateTime? StartedAt, int? AffectedUsersEstimate);

public sealed record UpdateIncidentRequest(
    string? Title, string? Description, string? Cause, ImpactScope? ImpactScope, int? ExpectedRecoveryMinutes,
    int? AffectedUsersEstimate, ComponentImpactRequest[]? Components, DateTime? StartedAt);

public sealed record TransitionRequest(IncidentStatus? To, string? Note, string? OverrideReason);

public sealed record LevelRequest(int? Level, string? Reason);

public sealed record CommanderRequest(string? UserId);

public sealed record MemberRequest(string? UserId, MemberRole? Role);

public sealed record NoteRequest(string? Text);

public sealed record TimelineActorDto(Guid? Id, string Name);

public sealed record TimelineEntryDto(int Seq, DateTime At, TimelineActorDto Actor, string Kind, string Summary, string? Body, JsonElement? Data, string Hash, string PrevHash);

public static class IncidentsApi
{
    public const int MaxExpectedRecoveryMinutes = 60 * 24 * 365;

    internal static bool Japanese => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ja";

    public static IHostApplicationBuilder AddIncidents(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SeverityOptions>().BindConfiguration(SeverityOptions.Section)
            .Validate(o => o.Level2RecoveryOverMinutes > 0 && o.Level3RecoveryFromMinutes > o.Level2RecoveryOverMinutes,
                "Severity thresholds must satisfy 0 < Level2RecoveryOverMinutes < Level3RecoveryFromMinutes.")
            .Validate(o => o.SecurityMinimumLevel is >= 1 and <= 3, "SecurityMinimumLevel must be 1, 2 or 3.")
            .ValidateOnStart();
        services.AddSingleton<SeverityPolicy>();
        services.AddOptions<DeclarationOptions>().BindConfiguration(DeclarationOptions.Section)
            .Validate(o => o.MaxConcurrentDeclarations >= 1, "Fukkyu:Incidents:MaxConcurrentDeclarations must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton<DeclarationQueue>();
        services.AddScoped<IncidentService>();
        services.AddScoped<TimelineText>();
        services.AddSingleton<ITimelineDescriber, CoreTimelineDescriber>();
        services.AddSingleton<AutoEscalation>();
        services.AddHostedService<AutoEscalationWorker>();
        services.AddNavItem(new NavItem(10, "/ops/incidents", () => IncidentStrings.T("IncidentsTitle")));
        services.AddNavItem(new NavItem(20, "/ops/incidents/new", () => IncidentStrings.T("DeclareTitle"), Policies.Respond));
        services.AddUiPanel<Pages.OpenIncidentsPanel>(UiPanels.Dashboard, 10);
        return builder;
    }

    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/incidents").WithTags("Incidents");
        api.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListIncidents");
        api.MapPost("/", Declare).RequireAuthorization(Policies.Respond).WithName("DeclareIncident")
            .WithSummary("Declare an incident; Fukkyu assigns the level and says why.");
        api.MapGet("/{id}", Get).RequireAuthorization(Policies.Read).WithName("GetIncident");
        api.MapPatch("/{id}", Update).RequireAuthorization(Policies.Respond).WithName("UpdateIncident");
        api.MapPost("/{id}/transitions", Transition).RequireAuthorization(Policies.Respond).WithName("TransitionIncident")
            .WithSummary("Move the incident through its lifecycle; a refused transition answers 409 naming the allowed ones.");
        api.MapPost("/{id}/level", ChangeLevel).RequireAuthorization(Policies.Command).WithName("ChangeIncidentLevel");
        api.MapPost("/{id}/commander", SetCommander).RequireAuthorization(Policies.Command).WithName("SetIncidentCommander");
        api.MapPost("/{id}/members", AddMember).RequireAuthorization(Policies.Respond).WithName("AddIncidentMember");
        api.MapDelete("/{id}/members/{userId:guid}", RemoveMember).RequireAuthorization(Policies.Respond).WithName("RemoveIncidentMember");
        api.MapGet("/{id}/timeline", GetTimeline).RequireAuthorization(Policies.Read).WithName("GetIncidentTimeline");
        api.MapPost("/{id}/notes", AddNote).RequireAuthorization(Policies.Annotate).WithName("AddIncidentNote");
        api.MapGet("/{id}/timeline/verify", Verify).RequireAuthorization(Policies.Read).WithName("VerifyIncidentTimeline")
            .WithSummary("Recompute the hash chain: detects entries edited or deleted in the database.");
        return app;
    }

    private static async Task<Results<Ok<IncidentDto[]>, ValidationProblem>> List(
        ClaimsPrincipal user, IncidentService incidents, string? status, int? level, bool? open, bool? drill, int? limit, CancellationToken ct)
    {
        var v = new Validation();
        IncidentStatus parsed = default;
        if (status is not null && !WireEnum.TryParse(status, out parsed))
        {
            v.Add("status", Validation.Text("UnknownValue", status, WireEnum.Accepted<IncidentStatus>()));
        }
        v.Range("level", level, 1, 3).Range("limit", limit, 1, 500);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var query = IncidentService.Visible(incidents.WithDetails(tracking: false), Caller.From(user));
        if (status is not null)
        {
            query = query.Where(i => i.Status == parsed);
        }
        if (level is { } l)
        {
            query = query.Where(i => i.Level == l);
        }
        if (open is { } o)
        {
            query = o ? query.Where(i => Lifecycle.Open.Contains(i.Status)) : query.Where(i => Lifecycle.Ended.Contains(i.Status));
        }
        if (drill is { } d)
        {
            query = query.Where(i => i.Drill == d);
        }
        var rows = await query.OrderByDescending(i => i.DetectedAt).Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(IncidentDto.From).ToArray());
    }

    private static async Task<Results<Ok<IncidentDto>, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(id, Caller.From(user), tracking: false, ct);
        return incident is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(IncidentDto.From(incident));
    }

    private static async Task<Results<Created<IncidentDto>, ValidationProblem, ProblemHttpResult>> Declare(
        CreateIncidentRequest req, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct)
    {
        var (v, command) = ValidateDeclare(req);
        if (command is null)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await incidents.DeclareAsync(command, Caller.From(user), ct);
        return result.Error switch
        {
            null => TypedResults.Created($"/api/v1/incidents/{result.Value!.Id}", IncidentDto.From(result.Value)),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    /// <summary>The checks a declaration must pass, shared by the API and the declare form.</summary>
    internal static (Validation Validation, DeclareIncident? Command) ValidateDeclare(CreateIncidentRequest req)
    {
        var v = new Validation();
        v.Text("title", req.Title, IncidentLimits.Title, required: true)
         .Required("category", req.Category)
         .Required("impactScope", req.ImpactScope)
         .Range("expectedRecoveryMinutes", req.ExpectedRecoveryMinutes, 0, MaxExpectedRecoveryMinutes)
         .Range("affectedUsersEstimate", req.AffectedUsersEstimate, 0, int.MaxValue)
         .Text("description", req.Description, IncidentLimits.Description)
         .Count("componentIds", req.ComponentIds, IncidentLimits.Components)
         .Count("components", req.Components, IncidentLimits.Components);
        ValidateReporter(v, req.Reporter);
        var components = ComponentRefs(v, req.ComponentIds, req.Components);
        if (!v.IsValid)
        {
            return (v, null);
        }
        var reporter = req.Reporter is { } r
            ? new Reporter { Name = Clean(r.Name), Contact = Clean(r.Contact), Channel = r.Channel ?? ReporterChannel.Internal }
            : null;
        return (v, new DeclareIncident(req.Title!, req.Category!.Value, req.ImpactScope!.Value, req.ExpectedRecoveryMinutes, components,
            Clean(req.Description), reporter, req.Security ?? false, req.Drill ?? false, req.StartedAt, null, req.AffectedUsersEstimate));
    }

    private static async Task<Results<Ok<IncidentDto>, ValidationProblem, ProblemHttpResult>> Update(
        string id, UpdateIncidentRequest req, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct)
    {
        var v = new Validation();
        v.MaxLength("title", req.Title, IncidentLimits.Title)
         .Text("description", req.Description, IncidentLimits.Description)
         .Text("cause", req.Cause, IncidentLimits.Description)
         .Range("expectedRecoveryMinutes", req.ExpectedRecoveryMinutes, 0, MaxExpectedRecoveryMinutes)
         .Range("affectedUsersEstimate", req.AffectedUsersEstimate, 0, int.MaxValue)
         .Count("components", req.Components, IncidentLimits.Components);
        if (req.Title is not null && string.IsNullOrWhiteSpace(req.Title))
        {
            v.Add("title", Validation.Text("Required"));
        }
        var components = req.Components is null ? null : ComponentRefs(v, null, req.Components);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await incidents.UpdateAsync(id, new UpdateIncident(req.Title, req.Description, req.Cause, req.ImpactScope,
            req.ExpectedRecoveryMinutes, req.AffectedUsersEstimate, components, req.StartedAt), Caller.From(user), ct);
        return ToResult(result);
    }

    private static async Task<Results<Ok<IncidentDto>, ValidationProblem, ProblemHttpResult>> Transition(
        string id, TransitionRequest req, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct)
    {
        var v = new Validation();
        v.Required("to", req.To).Text("note", req.Note, IncidentLimits.Note).Text("overrideReason", req.OverrideReason, IncidentLimits.Reason);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        return ToResult(await incidents.TransitionAsync(id, req.To!.Value, req.Note, req.OverrideReason, Caller.From(user), ct));
    }

    private static async Task<Results<Ok<IncidentDto>, ValidationProblem, ProblemHttpResult>> ChangeLevel(
        string id, LevelRequest req, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct)
    {
        var v = new Validation();
        v.Required("level", req.Level).Range("level", req.Level, 1, 3).Text("reason", req.Reason, IncidentLimits.Reason, required: true);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        return ToResult(await incidents.ChangeLevelAsync(id, req.Level!.Value, req.Reason!, Caller.From(user), ct));
    }

    private static async Task<Results<Ok<IncidentDto>, ValidationProblem, ProblemHttpResult>> SetCommander(
        string id, CommanderRequest req, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct)
    {
        var v = new Validation().Text("userId", req.UserId, 100, required: true);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        return ToResult(await incidents.SetCommanderAsync(id, req.UserId!, Caller.From(user), ct));
    }

    private static async Task<Results<Ok<IncidentDto>, ValidationProblem, ProblemHttpResult>> AddMember(
        string id, MemberRequest req, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct)
    {
        var v = new Validation().Text("userId", req.UserId, 100, required: true);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        return ToResult(await incidents.AddMemberAsync(id, req.UserId!, req.Role ?? MemberRole.Responder, Caller.From(user), ct));
    }

    private static async Task<Results<Ok<IncidentDto>, ValidationProblem, ProblemHttpResult>> RemoveMember(
        string id, Guid userId, ClaimsPrincipal user, IncidentService incidents, CancellationToken ct) =>
        ToResult(await incidents.RemoveMemberAsync(id, userId, Caller.From(user), ct));

    private static async Task<Results<Ok<TimelineEntryDto[]>, ProblemHttpResult>> GetTimeline(
        string id, ClaimsPrincipal user, IncidentService incidents, FukkyuDb db, TimelineText text, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(id, Caller.From(user), tracking: false, ct);
        if (incident is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var entries = await db.TimelineEntries.AsNoTracking().Where(t => t.IncidentId == incident.Id).OrderBy(t => t.Seq).ToListAsync(ct);
        return TypedResults.Ok(entries.Select(e => ToDto(e, text)).ToArray());
    }

    internal static TimelineEntryDto ToDto(TimelineEntry e, TimelineText text) => new(
        e.Seq, e.At, new TimelineActorDto(e.ActorId, e.ActorName), e.Kind, text.Describe(e), e.Body,
        e.Data is { Length: > 0 } d ? TryParse(d) : null, e.Hash, e.PrevHash);

    private static JsonElement? TryParse(string json)
    {
        try
        {
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<Results<Created<TimelineEntryDto>, ValidationProblem, ProblemHttpResult>> AddNote(
        string id, NoteRequest req, ClaimsPrincipal user, IncidentService incidents, TimelineText text, CancellationToken ct)
    {
        var v = new Validation().Text("text", req.Text, IncidentLimits.Note, required: true);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await incidents.AddNoteAsync(id, req.Text!, Caller.From(user), ct);
        return result.Value is { } entry
            ? TypedResults.Created($"/api/v1/incidents/{id}/timeline", ToDto(entry, text))
            : AuthApi.NotFoundProblem();
    }

    private static async Task<Results<Ok<TimelineVerification>, ProblemHttpResult>> Verify(
        string id, ClaimsPrincipal user, IncidentService incidents, FukkyuDb db, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(id, Caller.From(user), tracking: false, ct);
        return incident is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(await Timeline.VerifyAsync(db, incident.Id, ct));
    }

    private static Results<Ok<IncidentDto>, ValidationProblem, ProblemHttpResult> ToResult(OpResult<Incident> result) =>
        result.Error switch
        {
            null => TypedResults.Ok(IncidentDto.From(result.Value!)),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static void ValidateReporter(Validation v, ReporterRequest? r)
    {
        if (r is null)
        {
            return;
        }
        v.Text("reporter.name", r.Name, 200).Text("reporter.contact", r.Contact, 320);
    }

    private static List<ComponentRef> ComponentRefs(Validation v, string[]? ids, ComponentImpactRequest[]? components)
    {
        var refs = new List<ComponentRef>();
        foreach (var id in ids ?? [])
        {
            if (string.IsNullOrWhiteSpace(id) || id.Length > 100)
            {
                v.Add("componentIds", Validation.Text("UnknownId", id));
                continue;
            }
            refs.Add(new ComponentRef(id, null));
        }
        for (var i = 0; i < (components?.Length ?? 0); i++)
        {
            var c = components![i];
            if (string.IsNullOrWhiteSpace(c.Id) || c.Id.Length > 100)
            {
                v.Add($"components[{i}].id", Validation.Text("Required"));
                continue;
            }
            refs.Add(new ComponentRef(c.Id, c.Impact));
        }
        return refs;
    }
}
