using System.Globalization;
using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.OnCall;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Runbooks;

public sealed record RunbookStepDto(RunbookPhase Phase, string TextJa, string TextEn, bool Required);

public sealed record RunbookVersionDto(int Number, DateTime CreatedAt, string CreatedBy, string? ChangeNote);

public sealed record RunbookDto(Guid Id, string Key, ComponentCategory? Category, int MinLevel, string Title, string TitleJa, string TitleEn,
    PersonRefDto? Owner, string ReviewBy, int ReviewIntervalDays, bool ReviewOverdue, DateTime? LastReviewedAt, string? LastReviewedBy, bool Archived,
    int Version, RunbookStepDto[] Steps, RunbookVersionDto[] Versions);

public sealed record RunbookStepRequest(RunbookPhase? Phase, string? TextJa, string? TextEn, bool? Required);

/// <param name="Category">Null: the runbook applies to every category.</param>
/// <param name="ReviewBy">yyyy-MM-dd; defaults to today plus the review interval.</param>
public sealed record RunbookRequest(ComponentCategory? Category, int? MinLevel, string? TitleJa, string? TitleEn, string? Owner, string? ReviewBy,
    int? ReviewIntervalDays, bool? Archived, string? ChangeNote, RunbookStepRequest[]? Steps);

public sealed record ReviewedRequest(string? NextReviewBy);

public sealed record ChecklistItemDto(Guid Id, RunbookPhase Phase, string Text, string TextJa, string TextEn, bool Required, DateTime? DoneAt, string? DoneBy, string? Note)
{
    public static ChecklistItemDto From(ChecklistItem i) =>
        new(i.Id, i.Phase, i.Text(Texts.Japanese), i.TextJa, i.TextEn, i.Required, i.DoneAt, i.DoneByName, i.Note);
}

public sealed record ChecklistDto(Guid Id, string Runbook, int Version, string Title, int Level, DateTime AttachedAt, ChecklistItemDto[] Items);

public sealed record ChecklistMarkRequest(bool? Done, string? Note);

public static class RunbooksApi
{
    public static IHostApplicationBuilder AddRunbooks(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RunbookOptions>().BindConfiguration(RunbookOptions.Section)
            .Validate(o => o.RemindDaysBefore is >= 0 and <= 365 && o.RemindHourJst is >= 0 and <= 23, "Fukkyu:Runbooks: RemindDaysBefore 0–365, RemindHourJst 0–23.")
            .ValidateOnStart();
        services.AddScoped<RunbookService>();
        services.AddScoped<IIncidentListener, RunbookAttacher>();
        services.AddScoped<IReviewItemSource, RunbookReviewItems>();
        services.AddSingleton<IJobHandler, RunbookReviewJobHandler>();
        services.AddSingleton<IJobHandler, RunbookAttachJobHandler>();
        services.AddSingleton<ITimelineDescriber, RunbookTimelineDescriber>();
        services.AddNavItem(new NavItem(46, "/ops/runbooks", () => RunbookStrings.T("RunbooksTitle")));
        services.AddUiPanel<Pages.ChecklistPanel>(UiPanels.Incident, 20);
        return builder;
    }

    public static IEndpointRouteBuilder MapRunbooks(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/runbooks").WithTags("Runbooks");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{key}", Get).RequireAuthorization(Policies.Read);
        api.MapGet("/{key}/versions/{number}", GetVersion).RequireAuthorization(Policies.Read);
        api.MapPut("/{key}", Put).RequireAuthorization(Policies.Respond)
            .WithSummary("Create or update a runbook; changed steps or titles make a new version.");
        api.MapPost("/{key}/reviewed", Reviewed).RequireAuthorization(Policies.Respond)
            .WithSummary("Mark the runbook reviewed (manual 4.3): the next review-by date follows its interval.");
        var incidents = app.MapGroup("/api/v1/incidents/{id}/checklist").WithTags("Runbooks");
        incidents.MapGet("/", Checklist).RequireAuthorization(Policies.Read).WithSummary("The runbook checklists attached to the incident.");
        incidents.MapPost("/{itemId:guid}", Mark).RequireAuthorization(Policies.Respond)
            .WithSummary("Tick or untick a checklist step; recorded on the timeline with who and when.");
        return app;
    }

    internal static async Task<RunbookDto> ToDtoAsync(FukkyuDb db, Runbook r, DateOnly today, CancellationToken ct)
    {
        var versions = await db.Set<RunbookVersion>().AsNoTracking().Include(v => v.Steps).Where(v => v.RunbookId == r.Id).OrderBy(v => v.Number).ToListAsync(ct);
        var current = versions.FirstOrDefault(v => v.Number == r.CurrentVersion);
        var owner = r.OwnerId is { } oid ? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == oid, ct) : null;
        return new RunbookDto(r.Id, r.Key, r.Category, r.MinLevel, r.Title(Texts.Japanese), r.TitleJa, r.TitleEn,
            owner is null ? null : PersonRefDto.From(owner), r.ReviewBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.ReviewIntervalDays,
            !r.Archived && r.ReviewBy < today, r.LastReviewedAt, r.LastReviewedBy, r.Archived, r.CurrentVersion,
            [.. (current?.Steps ?? []).OrderBy(s => s.Position).Select(s => new RunbookStepDto(s.Phase, s.TextJa, s.TextEn, s.Required))],
            [.. versions.Select(v => new RunbookVersionDto(v.Number, v.CreatedAt, v.CreatedByName, v.ChangeNote))]);
    }

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(Tokyo.FromUtc(time.GetUtcNow().UtcDateTime));

    private static async Task<Ok<RunbookDto[]>> List(FukkyuDb db, TimeProvider time, ComponentCategory? category, bool? archived, CancellationToken ct)
    {
        var q = db.Set<Runbook>().AsNoTracking().Where(r => r.Archived == (archived ?? false));
        if (category is { } c)
        {
            q = q.Where(r => r.Category == c || r.Category == null);
        }
        var rows = await q.OrderBy(r => r.Category).ThenBy(r => r.MinLevel).ThenBy(r => r.Key).ToListAsync(ct);
        var today = Today(time);
        var result = new List<RunbookDto>();
        foreach (var r in rows)
        {
            result.Add(await ToDtoAsync(db, r, today, ct));
        }
        return TypedResults.Ok(result.ToArray());
    }

    private static async Task<Results<Ok<RunbookDto>, ProblemHttpResult>> Get(string key, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var r = await db.Set<Runbook>().AsNoTracking().FirstOrDefaultAsync(x => x.Key == key, ct);
        return r is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(await ToDtoAsync(db, r, Today(time), ct));
    }

    private static async Task<Results<Ok<RunbookStepDto[]>, ProblemHttpResult>> GetVersion(string key, string number, FukkyuDb db, CancellationToken ct)
    {
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return AuthApi.NotFoundProblem();
        }
        var v = await db.Set<RunbookVersion>().AsNoTracking().Include(x => x.Steps)
            .Where(x => x.Number == n && db.Set<Runbook>().Any(r => r.Id == x.RunbookId && r.Key == key)).FirstOrDefaultAsync(ct);
        return v is null ? AuthApi.NotFoundProblem()
            : TypedResults.Ok(v.Steps.OrderBy(s => s.Position).Select(s => new RunbookStepDto(s.Phase, s.TextJa, s.TextEn, s.Required)).ToArray());
    }

    /// <summary>Checks a runbook request; shared by the API and the edit page.</summary>
    internal static async Task<(Validation Validation, RunbookInput? Input)> ValidateAsync(FukkyuDb db, string key, RunbookRequest req, CancellationToken ct)
    {
        var v = new Validation();
        TeamsApi.ValidateKey(v, key);
        v.Text("titleJa", req.TitleJa, RunbookLimits.Title, required: true).Text("titleEn", req.TitleEn, RunbookLimits.Title, required: true)
         .Range("minLevel", req.MinLevel, 1, 3).Range("reviewIntervalDays", req.ReviewIntervalDays, 7, 3650)
         .Text("changeNote", req.ChangeNote, RunbookLimits.Note).Text("owner", req.Owner, 100).Count("steps", req.Steps, RunbookLimits.Steps);
        if (req.Steps is null or { Length: 0 })
        {
            v.Add("steps", Validation.Text("Required"));
        }
        for (var i = 0; i < (req.Steps?.Length ?? 0); i++)
        {
            var s = req.Steps![i];
            v.Required($"steps[{i}].phase", s.Phase)
             .Text($"steps[{i}].textJa", s.TextJa, RunbookLimits.StepText, required: true)
             .Text($"steps[{i}].textEn", s.TextEn, RunbookLimits.StepText, required: true);
        }
        DateOnly? reviewBy = null;
        if (req.ReviewBy is not null)
        {
            if (DateOnly.TryParseExact(req.ReviewBy, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                reviewBy = d;
            }
            else
            {
                v.Add("reviewBy", RunbookStrings.T("DateFormat"));
            }
        }
        var owner = req.Owner is null ? [] : await References.UsersAsync(db, v, "owner", [req.Owner], ct);
        if (!v.IsValid)
        {
            return (v, null);
        }
        return (v, new RunbookInput(req.Category, req.MinLevel ?? 1, req.TitleJa!.Trim(), req.TitleEn!.Trim(), owner.Count > 0 ? owner[0] : null, reviewBy,
            req.ReviewIntervalDays, req.Archived ?? false, req.ChangeNote?.Trim(),
            [.. req.Steps!.Select(s => new StepInput(s.Phase!.Value, s.TextJa!.Trim(), s.TextEn!.Trim(), s.Required ?? true))]));
    }

    private static async Task<Results<Ok<RunbookDto>, Created<RunbookDto>, ValidationProblem>> Put(
        string key, RunbookRequest req, ClaimsPrincipal user, FukkyuDb db, RunbookService runbooks, TimeProvider time, CancellationToken ct)
    {
        var (v, input) = await ValidateAsync(db, key, req, ct);
        if (input is null)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var (runbook, created, _) = await runbooks.SaveAsync(key, input, Actor.From(user), ct);
        var dto = await ToDtoAsync(db, runbook, Today(time), ct);
        return created ? TypedResults.Created($"/api/v1/runbooks/{key}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<RunbookDto>, ValidationProblem, ProblemHttpResult>> Reviewed(
        string key, ReviewedRequest? req, ClaimsPrincipal user, FukkyuDb db, RunbookService runbooks, TimeProvider time, CancellationToken ct)
    {
        DateOnly? next = null;
        if (req?.NextReviewBy is { } s)
        {
            if (!DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) || d <= Today(time))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["nextReviewBy"] = [RunbookStrings.T("FutureDate")] });
            }
            next = d;
        }
        var r = await runbooks.ReviewedAsync(key, next, Actor.From(user), ct);
        return r is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(await ToDtoAsync(db, r, Today(time), ct));
    }

    internal static async Task<List<ChecklistDto>> ChecklistsAsync(FukkyuDb db, Guid incidentId, CancellationToken ct) =>
        [.. (await db.Set<IncidentChecklist>().AsNoTracking().Include(c => c.Items).Where(c => c.IncidentId == incidentId).OrderBy(c => c.AttachedAt).ThenBy(c => c.RunbookKey).ToListAsync(ct))
            .Select(c => new ChecklistDto(c.Id, c.RunbookKey, c.RunbookVersion, Texts.Japanese ? c.TitleJa : c.TitleEn, c.Level, c.AttachedAt,
                [.. c.Items.OrderBy(i => i.Phase).ThenBy(i => i.Position).Select(ChecklistItemDto.From)]))];

    private static async Task<Results<Ok<ChecklistDto[]>, ProblemHttpResult>> Checklist(string id, ClaimsPrincipal user, IncidentService incidents, FukkyuDb db, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(id, Caller.From(user), tracking: false, ct);
        return incident is null ? AuthApi.NotFoundProblem() : TypedResults.Ok((await ChecklistsAsync(db, incident.Id, ct)).ToArray());
    }

    private static async Task<Results<Ok<ChecklistItemDto>, ValidationProblem, ProblemHttpResult>> Mark(
        string id, Guid itemId, ChecklistMarkRequest req, ClaimsPrincipal user, RunbookService runbooks, CancellationToken ct)
    {
        var v = new Validation().Text("note", req.Note, RunbookLimits.Note);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await runbooks.MarkAsync(id, itemId, req.Done ?? true, req.Note, Caller.From(user), ct);
        return result.Error switch
        {
            null => TypedResults.Ok(ChecklistItemDto.From(result.Value!)),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }
}
