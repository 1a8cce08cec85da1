using System.Security.Claims;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.StatusPage;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Notices;

public sealed record NoticeDto(
    Guid Id, NoticeKind Kind, Guid? IncidentId, Guid? MaintenanceId, NoticeStatus Status, NoticeState State, bool Drill, int Seq,
    LocalizedText Title, DateTime OccurredAt, LocalizedText WhatHappened, LocalizedText Impact, LocalizedText RecoveryOutlook,
    LocalizedText Alternatives, bool DeliverNotifications, LocalizedText Body, AffectedComponent[]? AffectedComponents,
    Guid? AuthorId, string AuthorName, DateTime CreatedAt, string? ReviewerName, DateTime? ReviewedAt, string? RejectReason, DateTime? PublishedAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static NoticeDto From(Notice n)
    {
        var u = PublicModelLoader.ToUpdate(n);
        var maintenance = n.Kind == NoticeKind.Maintenance;
        return new(n.Id, n.Kind, n.IncidentId, n.MaintenanceId, n.Status, n.State, n.Drill, n.Seq,
            new(n.TitleJa, n.TitleEn), n.OccurredAt, new(n.WhatJa, n.WhatEn), new(n.ImpactJa, n.ImpactEn), new(n.OutlookJa, n.OutlookEn),
            new(n.AlternativesJa, n.AlternativesEn), n.DeliverNotifications,
            new(NoticeText.Body(u, maintenance, "ja"), NoticeText.Body(u, maintenance, "en")),
            n.AffectedComponents is { Length: > 2 } a ? JsonSerializer.Deserialize<AffectedComponent[]>(a, Json) : null,
            n.AuthorId, n.AuthorName, n.CreatedAt, n.ReviewerName, n.ReviewedAt, n.RejectReason, n.PublishedAt);
    }
}

public sealed record NoticeTemplateDto(
    NoticeStatus Status, bool NeedsApproval, LocalizedText Title, DateTime OccurredAt, LocalizedText WhatHappened, LocalizedText Impact,
    LocalizedText RecoveryOutlook, LocalizedText Alternatives);

public sealed record RejectRequest(string? Reason);

public static class NoticesApi
{
    public static IHostApplicationBuilder AddNotices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<NoticeOptions>().BindConfiguration(NoticeOptions.Section)
            .Validate(o => o.RequireApprovalFromLevel is >= 0 and <= 3, "Fukkyu:Notices:RequireApprovalFromLevel must be 0 (never) to 3.")
            .Validate(o => o.CadenceMinutesLevel2 > 0 && o.CadenceMinutesLevel3 > 0, "Notice cadences must be positive.")
            .ValidateOnStart();
        services.AddSingleton<CommsTemplates>();
        services.AddScoped<NoticeService>();
        services.AddSingleton<IIncidentListener, NoticeCadenceListener>();
        services.AddSingleton<IJobHandler, NoticeCadenceJob>();
        services.AddSingleton<ITimelineDescriber, NoticeTimeline>();
        services.AddNavItem(new NavItem(50, "/ops/notices", () => NoticeStrings.T("NoticesNav")));
        services.AddUiPanel<Pages.NoticesPanel>(UiPanels.Incident, 20);
        return builder;
    }

    public static IEndpointRouteBuilder MapNotices(this IEndpointRouteBuilder app)
    {
        var incident = app.MapGroup("/api/v1/incidents/{id}/updates").WithTags("Notices");
        incident.MapGet("/", ListForIncident).RequireAuthorization(Policies.Read).WithName("ListIncidentUpdates");
        incident.MapPost("/", Compose).RequireAuthorization(Policies.Annotate).WithName("PostIncidentUpdate")
            .WithSummary("Write a public notice. The manual's items are mandatory; from level 2 (and for security incidents) it waits for approval.");
        incident.MapGet("/template", Template).RequireAuthorization(Policies.Read).WithName("GetIncidentUpdateTemplate")
            .WithSummary("The notice template for this incident's category and a status, filled with what is known.");

        var notices = app.MapGroup("/api/v1/notices").WithTags("Notices");
        notices.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListNotices");
        notices.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read).WithName("GetNotice");
        notices.MapPost("/{id:guid}/approve", Approve).RequireAuthorization(Policies.Communicate).WithName("ApproveNotice")
            .WithSummary("Approve and publish a pending notice (comms or commander; not its own author).");
        notices.MapPost("/{id:guid}/reject", Reject).RequireAuthorization(Policies.Communicate).WithName("RejectNotice");
        return app;
    }

    private static async Task<Results<Ok<NoticeDto[]>, ProblemHttpResult>> ListForIncident(
        string id, ClaimsPrincipal user, IncidentService incidents, FukkyuDb db, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(id, Caller.From(user), tracking: false, ct);
        if (incident is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var rows = await db.Notices.AsNoTracking().Where(n => n.IncidentId == incident.Id).OrderByDescending(n => n.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(NoticeDto.From).ToArray());
    }

    private static async Task<Results<Created<NoticeDto>, ValidationProblem, ProblemHttpResult>> Compose(
        string id, NoticeInput req, ClaimsPrincipal user, NoticeService notices, CancellationToken ct)
    {
        var result = await notices.ComposeAsync(id, req, Caller.From(user), ct);
        return result.Error switch
        {
            null => TypedResults.Created($"/api/v1/notices/{result.Value!.Id}", NoticeDto.From(result.Value)),
            InvalidError e => TypedResults.ValidationProblem(e.Errors, title: NoticeStrings.T("MandatoryTitle")),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Ok<NoticeTemplateDto>, ValidationProblem, ProblemHttpResult>> Template(
        string id, string? status, ClaimsPrincipal user, NoticeService notices, IncidentService incidents, CancellationToken ct)
    {
        NoticeStatus? parsed = null;
        if (status is not null)
        {
            if (!WireEnum.TryParse<NoticeStatus>(status, out var s) || s is not (NoticeStatus.Investigating or NoticeStatus.Identified or NoticeStatus.Monitoring or NoticeStatus.Resolved))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [Validation.Text("UnknownValue", status, "investigating, identified, monitoring, resolved")] });
            }
            parsed = s;
        }
        var incident = await incidents.FindAsync(id, Caller.From(user), tracking: false, ct);
        if (incident is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var st = parsed ?? NoticeService.DefaultStatus(incident);
        var d = notices.Template(incident, st);
        return TypedResults.Ok(new NoticeTemplateDto(st, notices.NeedsApproval(incident), d.Title, d.OccurredAt, d.What, d.Impact, d.Outlook, d.Alternatives));
    }

    private static async Task<Results<Ok<NoticeDto[]>, ValidationProblem>> List(
        ClaimsPrincipal user, FukkyuDb db, string? state, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 500);
        NoticeState parsed = default;
        if (state is not null && !WireEnum.TryParse(state, out parsed))
        {
            v.Add("state", Validation.Text("UnknownValue", state, WireEnum.Accepted<NoticeState>()));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var query = Visible(db, Caller.From(user));
        if (state is not null)
        {
            query = query.Where(n => n.State == parsed);
        }
        var rows = await query.OrderByDescending(n => n.CreatedAt).Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(NoticeDto.From).ToArray());
    }

    private static async Task<Results<Ok<NoticeDto>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, FukkyuDb db, CancellationToken ct)
    {
        var n = await Visible(db, Caller.From(user)).FirstOrDefaultAsync(x => x.Id == id, ct);
        return n is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(NoticeDto.From(n));
    }

    /// <summary>Maintenance notices, and incident notices of incidents the caller may see.</summary>
    internal static IQueryable<Notice> Visible(FukkyuDb db, Caller caller)
    {
        var incidents = IncidentService.Visible(db.Incidents.AsNoTracking(), caller).Select(i => i.Id);
        return db.Notices.AsNoTracking().Where(n => n.IncidentId == null || incidents.Contains(n.IncidentId.Value));
    }

    private static async Task<Results<Ok<NoticeDto>, ProblemHttpResult>> Approve(Guid id, ClaimsPrincipal user, NoticeService notices, CancellationToken ct) =>
        ToResult(await notices.ApproveAsync(id, Caller.From(user), ct));

    private static async Task<Results<Ok<NoticeDto>, ValidationProblem, ProblemHttpResult>> Reject(
        Guid id, RejectRequest req, ClaimsPrincipal user, NoticeService notices, CancellationToken ct)
    {
        var v = new Validation().Text("reason", req.Reason, NoticeLimits.Reason, required: true);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await notices.RejectAsync(id, req.Reason!, Caller.From(user), ct);
        return result.Error switch
        {
            null => TypedResults.Ok(NoticeDto.From(result.Value!)),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static Results<Ok<NoticeDto>, ProblemHttpResult> ToResult(OpResult<Notice> result) => result.Error switch
    {
        null => TypedResults.Ok(NoticeDto.From(result.Value!)),
        ConflictError c => OpResults.Conflict(c),
        _ => AuthApi.NotFoundProblem(),
    };
}
