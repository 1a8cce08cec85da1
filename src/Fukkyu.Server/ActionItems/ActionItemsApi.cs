using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.ActionItems;

public sealed record LinkedIncidentDto(Guid Id, string Number, string Title);

public sealed record ActionItemDto(
    Guid Id, string Title, string? Description, ActionItemKind Kind, ActionItemStatus Status, PersonDto Owner, DateOnly DueOn,
    bool Overdue, int DaysOverdue, string[] Runbooks, LinkedIncidentDto[] Incidents, string? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt,
    DateTime? CompletedAt, string? Resolution, int Version)
{
    /// <param name="visible">Incidents the reader may see; links to others (restricted security incidents) are left out.</param>
    public static ActionItemDto From(ActionItem a, DateOnly today, IReadOnlySet<Guid>? visible = null) => new(
        a.Id, a.Title, a.Description, a.Kind, a.Status,
        new PersonDto(a.OwnerId, a.Owner?.UserName ?? "", a.Owner?.DisplayName ?? ""), a.DueOn,
        a.IsOverdue(today), a.IsOverdue(today) ? today.DayNumber - a.DueOn.DayNumber : 0, [.. a.Runbooks],
        [.. a.Incidents.Where(x => x.Incident is not null && (visible is null || visible.Contains(x.IncidentId)))
            .Select(x => new LinkedIncidentDto(x.IncidentId, x.Incident!.Number, x.Incident.Title))],
        a.CreatedByName, a.CreatedAt, a.UpdatedAt, a.CompletedAt, a.Resolution, a.Version);
}

public sealed record CreateActionItemRequest(
    string? Title, string? Description, ActionItemKind? Kind, string? Owner, DateOnly? DueOn, string[]? Incidents, string[]? Runbooks);

public sealed record UpdateActionItemRequest(
    string? Title, string? Description, ActionItemKind? Kind, string? Owner, DateOnly? DueOn, ActionItemStatus? Status,
    string[]? Incidents, string[]? Runbooks, string? Resolution, int? Version);

public static class ActionItemsApi
{
    public static IHostApplicationBuilder AddActionItems(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ActionItemOptions>().BindConfiguration(ActionItemOptions.Section)
            .Validate(o => o.OverdueRepeatDays > 0 && o.MaxOverdueReminders >= 0 && o.ReminderHour is >= 0 and <= 23 && o.DaysBefore.All(d => d is > 0 and <= 365),
                "Fukkyu:ActionItems: OverdueRepeatDays > 0, ReminderHour 0–23, RemindDaysBefore 1–365.")
            .ValidateOnStart();
        services.AddScoped<ActionItemService>();
        services.AddSingleton<IJobHandler, ActionItemReminderHandler>();
        services.AddNavItem(new NavItem(60, "/ops/action-items", () => ActionItemStrings.T("Title")));
        services.AddUiPanel<Pages.IncidentActionItemsPanel>(UiPanels.Incident, 30);
        services.AddUiPanel<Pages.OverdueActionItemsPanel>(UiPanels.Dashboard, 40);
        return builder;
    }

    public static IEndpointRouteBuilder MapActionItems(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/action-items").WithTags("Action items");
        api.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListActionItems")
            .WithSummary("Prevention measures; overdue=true gives the overdue list.");
        api.MapPost("/", Create).RequireAuthorization(Policies.Respond).WithName("CreateActionItem");
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read).WithName("GetActionItem");
        api.MapPatch("/{id:guid}", Update).RequireAuthorization(Policies.Respond).WithName("UpdateActionItem")
            .WithSummary("Change an item; moving the due date or the owner reschedules the reminders.");
        return app;
    }

    private static async Task<Results<Ok<ActionItemDto[]>, ValidationProblem>> List(
        ClaimsPrincipal user, ActionItemService items, string? status, string? kind, string? owner, string? incident, bool? open, bool? overdue, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 1000).Text("owner", owner, 100).Text("incident", incident, 100);
        ActionItemStatus parsedStatus = default;
        ActionItemKind parsedKind = default;
        if (status is not null && !WireEnum.TryParse(status, out parsedStatus))
        {
            v.Add("status", Validation.Text("UnknownValue", status, WireEnum.Accepted<ActionItemStatus>()));
        }
        if (kind is not null && !WireEnum.TryParse(kind, out parsedKind))
        {
            v.Add("kind", Validation.Text("UnknownValue", kind, WireEnum.Accepted<ActionItemKind>()));
        }
        Guid? ownerId = null, incidentId = null;
        if (v.IsValid && owner is not null)
        {
            ownerId = (await items.FindOwnerAsync(owner, ct))?.Id;
            if (ownerId is null)
            {
                v.Add("owner", Validation.Text("UnknownId", owner));
            }
        }
        if (v.IsValid && incident is not null)
        {
            var (ids, unknown) = await items.ResolveIncidentsAsync([incident], Caller.From(user), ct);
            if (unknown.Count > 0)
            {
                v.Add("incident", Validation.Text("UnknownId", incident));
            }
            incidentId = ids.FirstOrDefault();
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var filter = new ActionItemFilter(status is null ? null : parsedStatus, kind is null ? null : parsedKind, ownerId, incidentId, open, overdue, limit ?? 200);
        var rows = await items.Query(filter).ToListAsync(ct);
        var today = items.Today;
        var visible = await items.VisibleIncidentsAsync(rows, Caller.From(user), ct);
        return TypedResults.Ok(rows.Select(a => ActionItemDto.From(a, today, visible)).ToArray());
    }

    private static async Task<Results<Ok<ActionItemDto>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, ActionItemService items, CancellationToken ct)
    {
        var item = await items.FindAsync(id, ct);
        return item is null
            ? AuthApi.NotFoundProblem()
            : TypedResults.Ok(ActionItemDto.From(item, items.Today, await items.VisibleIncidentsAsync([item], Caller.From(user), ct)));
    }

    private static async Task<Results<Created<ActionItemDto>, ValidationProblem>> Create(
        CreateActionItemRequest req, ClaimsPrincipal user, ActionItemService items, CancellationToken ct)
    {
        var (v, cmd) = await ValidateCreateAsync(req, Caller.From(user), items, ct);
        if (cmd is null)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var item = await items.CreateAsync(cmd, Actor.From(user), ct);
        return TypedResults.Created($"/api/v1/action-items/{item.Id}", ActionItemDto.From(item, items.Today, await items.VisibleIncidentsAsync([item], Caller.From(user), ct)));
    }

    /// <summary>The checks a new item must pass, shared by the API and the form.</summary>
    internal static async Task<(Validation, NewActionItem?)> ValidateCreateAsync(CreateActionItemRequest req, Caller caller, ActionItemService items, CancellationToken ct)
    {
        var v = new Validation();
        v.Text("title", req.Title, ActionItemLimits.Title, required: true)
         .Text("description", req.Description, ActionItemLimits.Description)
         .Required("kind", req.Kind)
         .Text("owner", req.Owner, 100, required: true)
         .Required("dueOn", req.DueOn);
        var (incidentIds, runbooks) = await ValidateLinksAsync(v, req.Incidents, req.Runbooks, caller, items, ct);
        var owner = v.IsValid ? await items.FindOwnerAsync(req.Owner!, ct) : null;
        if (v.IsValid && owner is null)
        {
            v.Add("owner", Validation.Text("UnknownId", req.Owner));
        }
        if (!v.IsValid)
        {
            return (v, null);
        }
        return (v, new NewActionItem(req.Title!, Blank(req.Description), req.Kind!.Value, owner!.Id, req.DueOn!.Value, incidentIds ?? [], runbooks ?? []));
    }

    private static async Task<Results<Ok<ActionItemDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, UpdateActionItemRequest req, ClaimsPrincipal user, ActionItemService items, CancellationToken ct)
    {
        var v = new Validation();
        v.MaxLength("title", req.Title, ActionItemLimits.Title)
         .Text("description", req.Description, ActionItemLimits.Description)
         .Text("resolution", req.Resolution, ActionItemLimits.Description)
         .Text("owner", req.Owner, 100);
        if (req.Title is not null && string.IsNullOrWhiteSpace(req.Title))
        {
            v.Add("title", Validation.Text("Required"));
        }
        var (incidentIds, runbooks) = await ValidateLinksAsync(v, req.Incidents, req.Runbooks, Caller.From(user), items, ct);
        Guid? ownerId = null;
        if (v.IsValid && req.Owner is not null)
        {
            ownerId = (await items.FindOwnerAsync(req.Owner, ct))?.Id;
            if (ownerId is null)
            {
                v.Add("owner", Validation.Text("UnknownId", req.Owner));
            }
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await items.UpdateAsync(id, new ActionItemChange(req.Title, req.Description, req.Kind, ownerId, req.DueOn, req.Status,
            incidentIds, runbooks, req.Resolution, req.Version), ct);
        return result.Error switch
        {
            null => TypedResults.Ok(ActionItemDto.From(result.Value!, items.Today, await items.VisibleIncidentsAsync([result.Value!], Caller.From(user), ct))),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<(List<Guid>? Incidents, List<string>? Runbooks)> ValidateLinksAsync(
        Validation v, string[]? incidents, string[]? runbooks, Caller caller, ActionItemService items, CancellationToken ct)
    {
        v.Count("incidents", incidents, ActionItemLimits.Incidents).Count("runbooks", runbooks, ActionItemLimits.Runbooks);
        List<string>? books = null;
        if (runbooks is not null)
        {
            books = [.. runbooks.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).Distinct()];
            foreach (var r in books.Where(r => r.Length > ActionItemLimits.RunbookRef))
            {
                v.Add("runbooks", Validation.Text("MaxLength", ActionItemLimits.RunbookRef, r.Length));
            }
        }
        if (incidents is null || !v.IsValid)
        {
            return (null, books);
        }
        var refs = incidents.Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => r.Trim()).ToList();
        foreach (var r in refs.Where(r => r.Length > 100))
        {
            v.Add("incidents", Validation.Text("UnknownId", r[..40]));
        }
        if (!v.IsValid)
        {
            return (null, books);
        }
        var (ids, unknown) = await items.ResolveIncidentsAsync(refs, caller, ct);
        foreach (var u in unknown)
        {
            v.Add("incidents", Validation.Text("UnknownId", u));
        }
        return (ids, books);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
