using System.Resources;
using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Maintenance;

/// <summary>Texts of scheduled maintenance (MaintenanceStrings.resx, MaintenanceStrings.ja.resx).</summary>
public sealed class MaintenanceStrings
{
    private static readonly ResourceManager Resources = new(typeof(MaintenanceStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}

public sealed record MaintenanceComponentDto(Guid Id, string Key, string Name, ComponentStatus Status);

public sealed record MaintenanceDto(
    Guid Id, LocalizedText Title, LocalizedText WhatWeDo, LocalizedText Impact, LocalizedText Alternatives,
    DateTime ScheduledFor, DateTime ScheduledUntil, MaintenanceStatus Status, bool AutoTransitions, int RemindMinutesBefore,
    MaintenanceComponentDto[] Components, DateTime? StartedAt, DateTime? CompletedAt, DateTime? CancelledAt,
    string CreatedByName, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static MaintenanceDto From(MaintenanceWindow m) => new(
        m.Id, new(m.TitleJa, m.TitleEn), new(m.WhatJa, m.WhatEn), new(m.ImpactJa, m.ImpactEn), new(m.AlternativesJa, m.AlternativesEn),
        m.ScheduledFor, m.ScheduledUntil, m.Status, m.AutoTransitions, m.RemindMinutesBefore,
        [.. m.Components.Where(c => c.Component is not null).Select(c => new MaintenanceComponentDto(c.ComponentId, c.Component!.Key, c.Component.Name(Texts.Japanese), c.Component.Status))],
        m.StartedAt, m.CompletedAt, m.CancelledAt, m.CreatedByName, m.CreatedAt, m.UpdatedAt);
}

public sealed record MaintenanceTransitionRequest(MaintenanceStatus? To);

public static class MaintenanceApi
{
    public static IHostApplicationBuilder AddMaintenance(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<MaintenanceService>();
        builder.Services.AddSingleton<IJobHandler, MaintenanceJob>();
        builder.Services.AddNavItem(new NavItem(52, "/ops/maintenance", () => MaintenanceStrings.T("Nav")));
        return builder;
    }

    public static IEndpointRouteBuilder MapMaintenance(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/maintenances").WithTags("Maintenance");
        api.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListMaintenances");
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read).WithName("GetMaintenance");
        api.MapPost("/", Create).RequireAuthorization(Policies.Communicate).WithName("ScheduleMaintenance")
            .WithSummary("Schedule a maintenance: notices now, before the start, at the start and at the end; components under_maintenance during the window.");
        api.MapPost("/{id:guid}/transitions", Transition).RequireAuthorization(Policies.Communicate).WithName("TransitionMaintenance")
            .WithSummary("Move it by hand: in_progress, verifying, completed, or cancelled (before it starts).");
        return app;
    }

    private static IQueryable<MaintenanceWindow> WithComponents(FukkyuDb db) =>
        db.Maintenances.AsNoTracking().Include(m => m.Components).ThenInclude(c => c.Component);

    private static async Task<Results<Ok<MaintenanceDto[]>, ValidationProblem>> List(FukkyuDb db, string? status, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 500);
        MaintenanceStatus parsed = default;
        if (status is not null && !WireEnum.TryParse(status, out parsed))
        {
            v.Add("status", Validation.Text("UnknownValue", status, WireEnum.Accepted<MaintenanceStatus>()));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var q = WithComponents(db);
        if (status is not null)
        {
            q = q.Where(m => m.Status == parsed);
        }
        var rows = await q.OrderByDescending(m => m.ScheduledFor).Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(MaintenanceDto.From).ToArray());
    }

    private static async Task<Results<Ok<MaintenanceDto>, ProblemHttpResult>> Get(Guid id, FukkyuDb db, CancellationToken ct) =>
        await WithComponents(db).FirstOrDefaultAsync(m => m.Id == id, ct) is { } m ? TypedResults.Ok(MaintenanceDto.From(m)) : AuthApi.NotFoundProblem();

    private static async Task<Results<Created<MaintenanceDto>, ValidationProblem, ProblemHttpResult>> Create(
        MaintenanceInput req, ClaimsPrincipal user, MaintenanceService service, CancellationToken ct)
    {
        var result = await service.CreateAsync(req, Actor.From(user), ct);
        return result.Error switch
        {
            null => TypedResults.Created($"/api/v1/maintenances/{result.Value!.Id}", MaintenanceDto.From(result.Value)),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Ok<MaintenanceDto>, ValidationProblem, ProblemHttpResult>> Transition(
        Guid id, MaintenanceTransitionRequest req, ClaimsPrincipal user, MaintenanceService service, CancellationToken ct)
    {
        var v = new Validation().Required("to", req.To);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await service.TransitionAsync(id, req.To!.Value, Actor.From(user), ct);
        return result.Error switch
        {
            null => TypedResults.Ok(MaintenanceDto.From(result.Value!)),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }
}
