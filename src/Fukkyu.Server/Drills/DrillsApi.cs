using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Drills;

public sealed record ScenarioDto(string Key, string Name, DrillScenarioDef Definition, bool Template, bool Overridden, bool Injects);

public sealed record MilestoneDto(string Key, string Name, DateTime? At, double? ElapsedSeconds, int? TargetMinutes, bool? Met);

public sealed record DrillDto(
    Guid Id, string ScenarioKey, string ScenarioName, Guid IncidentId, string IncidentNumber, IncidentStatus IncidentStatus, DrillStatus Status,
    string? StartedBy, DateTime StartedAt, DateTime? InjectedAt, int? InjectStatus, string? InjectError, DateTime? ClearedAt, int? ClearStatus,
    string? ClearError, DateTime? EndedAt, PersonDto[] Participants, MilestoneDto[] Milestones, string? Findings, int Version);

public sealed record StartDrillRequest(string? Scenario, string[]? Participants, string? Commander);

public sealed record EndDrillRequest(string? Findings);

public sealed record FindingsRequest(string? Text);

public static class DrillsApi
{
    public static IHostApplicationBuilder AddDrills(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DrillOptions>().BindConfiguration(DrillOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.SimulatorBaseUrl) || Uri.TryCreate(o.SimulatorBaseUrl, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps),
                "Fukkyu:Drills:SimulatorBaseUrl must be an http(s) URL.")
            .Validate(o => o.TimeoutSeconds is > 0 and <= 120, "Fukkyu:Drills:TimeoutSeconds 1–120.")
            .ValidateOnStart();
        services.AddHttpClient(FaultInjector.HttpClientName);
        services.AddScoped<FaultInjector>();
        services.AddScoped<DrillService>();
        services.AddScoped<DrillViews>();
        services.AddSingleton<ITimelineDescriber, DrillTimelineDescriber>();
        services.AddNavItem(new NavItem(80, "/ops/drills", () => DrillStrings.T("DrillsTitle")));
        return builder;
    }

    public static IEndpointRouteBuilder MapDrills(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/drills").WithTags("Drills");
        api.MapGet("/scenarios", Scenarios).RequireAuthorization(Policies.Read).WithName("ListDrillScenarios")
            .WithSummary("The shipped scenario templates and the stored scenarios (a stored one overrides its template).");
        api.MapPut("/scenarios/{key}", PutScenario).RequireAuthorization(Policies.Admin).WithName("PutDrillScenario")
            .WithSummary("Store a scenario, or override a template — e.g. to match your simulator's fault API.");
        api.MapDelete("/scenarios/{key}", DeleteScenario).RequireAuthorization(Policies.Admin).WithName("DeleteDrillScenario");
        api.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListDrills");
        api.MapPost("/", Start).RequireAuthorization(Policies.Command).WithName("StartDrill")
            .WithSummary("Start a drill: declares a drill incident with the participants as members, and injects the fault.");
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read).WithName("GetDrill")
            .WithSummary("A drill with its milestones; format=markdown|html|pdf (lang=ja|en) gives the drill report.");
        api.MapPost("/{id:guid}/clear", Clear).RequireAuthorization(Policies.Respond).WithName("ClearDrillFault");
        api.MapPut("/{id:guid}/findings", Findings).RequireAuthorization(Policies.Respond).WithName("SetDrillFindings");
        api.MapPost("/{id:guid}/end", End).RequireAuthorization(Policies.Command).WithName("EndDrill")
            .WithSummary("End the drill: clears the fault if still in force and closes its report.");
        app.MapGet("/ops/drills/{id:guid}/export", Get).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        return app;
    }

    private static async Task<Ok<ScenarioDto[]>> Scenarios(FukkyuDb db, CancellationToken ct) =>
        TypedResults.Ok((await DrillScenarios.AllAsync(db, ct))
            .Select(s => new ScenarioDto(s.Scenario.Key!, s.Scenario.Name(Texts.Japanese), s.Scenario, s.Template, s.Overridden, s.Scenario.Inject is not null)).ToArray());

    private static async Task<Results<Ok<ScenarioDto>, ValidationProblem>> PutScenario(
        string key, DrillScenarioDef req, ClaimsPrincipal user, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var components = await db.Components.Select(c => c.Key).ToListAsync(ct);
        var v = DrillScenarios.Validate(req with { Key = req.Key ?? key }, components);
        if (req.Key is not null && req.Key != key)
        {
            v.Add("key", DrillStrings.T("KeyMismatch"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var def = req with { Key = key };
        var row = await db.Set<DrillScenarioRow>().FirstOrDefaultAsync(s => s.Key == key, ct);
        if (row is null)
        {
            row = new DrillScenarioRow { Key = key, Definition = "" };
            db.Add(row);
        }
        row.Definition = JsonSerializer.Serialize(def, DrillScenarios.Json);
        row.UpdatedByName = Actor.From(user).Name;
        row.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        var template = DrillScenarios.Templates.Any(t => t.Key == key);
        return TypedResults.Ok(new ScenarioDto(key, def.Name(Texts.Japanese), def, template, template, def.Inject is not null));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteScenario(string key, FukkyuDb db, CancellationToken ct)
    {
        var n = await db.Set<DrillScenarioRow>().Where(s => s.Key == key).ExecuteDeleteAsync(ct);
        return n == 0 ? AuthApi.NotFoundProblem() : TypedResults.NoContent();
    }

    private static async Task<Ok<DrillDto[]>> List(ClaimsPrincipal user, DrillViews views, bool? running, CancellationToken ct) =>
        TypedResults.Ok(await views.ListAsync(Caller.From(user), running, ct));

    private static async Task<Results<Created<DrillDto>, ValidationProblem, ProblemHttpResult>> Start(
        StartDrillRequest req, ClaimsPrincipal user, DrillService drills, DrillViews views, CancellationToken ct)
    {
        var v = new Validation().Text("scenario", req.Scenario, 60, required: true).Count("participants", req.Participants, 200).Text("commander", req.Commander, 100);
        if ((req.Participants ?? []).Where(p => !string.IsNullOrWhiteSpace(p)).Count() == 0 && string.IsNullOrWhiteSpace(req.Commander))
        {
            v.Add("participants", DrillStrings.T("NeedParticipants"));
        }
        foreach (var p in (req.Participants ?? []).Where(p => p is { Length: > 100 }))
        {
            v.Add("participants", Validation.Text("MaxLength", 100, p.Length));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var caller = Caller.From(user);
        var result = await drills.StartAsync(new StartDrill(req.Scenario!, [.. (req.Participants ?? []).Where(p => !string.IsNullOrWhiteSpace(p))], req.Commander), caller, ct);
        return result.Error switch
        {
            null => TypedResults.Created($"/api/v1/drills/{result.Value!.Id}", (await views.DtoAsync(result.Value, ct))!),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Ok<DrillDto>, ContentHttpResult, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Get(
        Guid id, string? format, string? lang, HttpContext http, ClaimsPrincipal user, DrillViews views, DocumentRenderer renderer, ChromiumPdf pdf,
        TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var fmt = DocumentFormats.Parse(v, format);
        var language = ReportsApi.ParseLang(v, lang);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var view = await views.ViewAsync(id, Caller.From(user), ct);
        if (view is null)
        {
            return AuthApi.NotFoundProblem();
        }
        if (fmt == DocumentFormat.Json)
        {
            return TypedResults.Ok(views.Dto(view));
        }
        var model = views.Document(view, language, time.GetUtcNow().UtcDateTime);
        return (await DocumentFormats.RespondAsync(fmt, model, $"{view.Incident.Number}-drill-{language}", http, renderer, pdf, ct)).Result switch
        {
            ContentHttpResult c => c,
            FileContentHttpResult f => f,
            ProblemHttpResult p => p,
            _ => throw new InvalidOperationException("Unexpected document result."),
        };
    }

    private static async Task<Results<Ok<DrillDto>, ProblemHttpResult>> Clear(Guid id, ClaimsPrincipal user, DrillService drills, DrillViews views, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if (await views.ViewAsync(id, caller, ct) is null)
        {
            return AuthApi.NotFoundProblem();
        }
        return await ToResultAsync(await drills.ClearAsync(id, caller, ct), views, caller, ct);
    }

    private static async Task<Results<Ok<DrillDto>, ValidationProblem, ProblemHttpResult>> Findings(
        Guid id, FindingsRequest req, ClaimsPrincipal user, DrillService drills, DrillViews views, CancellationToken ct)
    {
        var v = new Validation().Text("text", req.Text, DrillModel.Findings, required: true);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var caller = Caller.From(user);
        if (await views.ViewAsync(id, caller, ct) is null)
        {
            return AuthApi.NotFoundProblem();
        }
        return (await ToResultAsync(await drills.FindingsAsync(id, req.Text!.Trim(), ct), views, caller, ct)).Result switch
        {
            Ok<DrillDto> ok => ok,
            ProblemHttpResult p => p,
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Ok<DrillDto>, ValidationProblem, ProblemHttpResult>> End(
        Guid id, EndDrillRequest? req, ClaimsPrincipal user, DrillService drills, DrillViews views, CancellationToken ct)
    {
        var v = new Validation().Text("findings", req?.Findings, DrillModel.Findings);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var caller = Caller.From(user);
        if (await views.ViewAsync(id, caller, ct) is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var findings = string.IsNullOrWhiteSpace(req?.Findings) ? null : req.Findings.Trim();
        return (await ToResultAsync(await drills.EndAsync(id, findings, caller, ct), views, caller, ct)).Result switch
        {
            Ok<DrillDto> ok => ok,
            ProblemHttpResult p => p,
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Ok<DrillDto>, ProblemHttpResult>> ToResultAsync(OpResult<Drill> result, DrillViews views, Caller caller, CancellationToken ct)
    {
        if (result.Error is not null)
        {
            return result.Error is ConflictError c ? OpResults.Conflict(c) : AuthApi.NotFoundProblem();
        }
        var view = await views.ViewAsync(result.Value!.Id, caller, ct);
        return view is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(views.Dto(view));
    }
}

/// <summary>A drill with its incident, timeline and scenario, as the caller may see it.</summary>
public sealed record DrillView(Drill Drill, DrillScenarioDef Scenario, Incident Incident, ReportSource Source, IReadOnlyList<Milestone> Milestones);

public sealed class DrillViews(FukkyuDb db, IncidentService incidents, ReportService reports, ReportDrafter drafter, TimeProvider time)
{
    public async Task<DrillView?> ViewAsync(Guid id, Caller caller, CancellationToken ct)
    {
        var drill = await db.Set<Drill>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (drill is null)
        {
            return null;
        }
        var incident = await incidents.FindAsync(drill.IncidentId.ToString(), caller, tracking: false, ct);
        if (incident is null)
        {
            return null;
        }
        var scenario = JsonSerializer.Deserialize<DrillScenarioDef>(drill.Scenario, DrillScenarios.Json)!;
        var source = await reports.SourceAsync(incident, ct);
        // The report covers the drill as it was run: the timeline up to its end.
        if (drill.EndedAt is { } ended)
        {
            source = source with { Timeline = [.. source.Timeline.Where(e => e.At <= ended)] };
        }
        return new DrillView(drill, scenario, incident, source, DrillService.Milestones(drill, scenario, source.Times, time.GetUtcNow().UtcDateTime));
    }

    public async Task<DrillDto?> DtoAsync(Drill drill, CancellationToken ct)
    {
        var view = await ViewAsync(drill.Id, Caller.System("drill"), ct);
        return view is null ? null : Dto(view);
    }

    public async Task<DrillDto[]> ListAsync(Caller caller, bool? running, CancellationToken ct)
    {
        var visible = IncidentService.Visible(db.Incidents, caller);
        var q = db.Set<Drill>().AsNoTracking().Where(d => visible.Any(i => i.Id == d.IncidentId));
        if (running is { } r)
        {
            q = r ? q.Where(d => d.Status == DrillStatus.Running) : q.Where(d => d.Status != DrillStatus.Running);
        }
        var list = new List<DrillDto>();
        foreach (var d in await q.OrderByDescending(d => d.StartedAt).Take(200).ToListAsync(ct))
        {
            if (await ViewAsync(d.Id, caller, ct) is { } view)
            {
                list.Add(Dto(view));
            }
        }
        return [.. list];
    }

    public DrillDto Dto(DrillView v)
    {
        var d = v.Drill;
        return new DrillDto(d.Id, d.ScenarioKey, v.Scenario.Name(Texts.Japanese), v.Incident.Id, v.Incident.Number, v.Incident.Status, d.Status,
            d.StartedByName, d.StartedAt, d.InjectedAt, d.InjectStatus, d.InjectError, d.ClearedAt, d.ClearStatus, d.ClearError, d.EndedAt,
            [.. v.Incident.Members.OrderBy(m => m.AddedAt).Select(m => new PersonDto(m.UserId, m.User?.UserName ?? "", m.User?.DisplayName ?? ""))],
            [.. v.Milestones.Select(m => new MilestoneDto(m.Key, DrillStrings.T("Milestone_" + m.Key), m.At, m.ElapsedSeconds, m.TargetMinutes, m.Met))],
            d.Findings, d.Version);
    }

    /// <summary>The drill report: scenario, participants, each milestone against its target, the response steps, the findings.</summary>
    public DocumentModel Document(DrillView v, string lang, DateTime now)
    {
        var d = v.Drill;
        string T(string key, params object?[] args) => DrillStrings.In(lang, key, args);
        var name = v.Scenario.Name(lang == Lang.Ja);
        var facts = new List<(string, string)>
        {
            (T("F_Scenario"), name),
            (T("F_Incident"), $"{v.Incident.Number} ({Lang.In(lang, () => IncidentStrings.T("Status_" + WireEnum.Name(v.Incident.Status)))})"),
            (T("F_StartedBy"), $"{d.StartedByName} — {Tokyo.Format(d.StartedAt)}"),
            (T("F_Ended"), d.EndedAt is { } e ? $"{d.EndedByName} — {Tokyo.Format(e)}" : T("Running")),
            (T("F_Participants"), string.Join(lang == Lang.Ja ? "、" : ", ", v.Incident.Members.OrderBy(m => m.AddedAt).Select(m => m.User?.DisplayName))),
            (T("F_Fault"), d.InjectedAt is { } at ? T("Injected", Tokyo.Format(at)) : d.InjectError is { } err ? T("InjectFailed", err) : T("Tabletop")),
        };
        var milestones = string.Join('\n', v.Milestones.Select(m =>
        {
            var line = $"- {T("Milestone_" + m.Key)}: {(m.At is { } a ? Tokyo.Format(a) : T("NotReached"))}";
            if (m.ElapsedSeconds is { } s && m.Key is not ("injected" or "started"))
            {
                line += $" (+{Lang.Duration(TimeSpan.FromSeconds(s), lang)})";
            }
            if (m.TargetMinutes is { } target)
            {
                line += " — " + T(m.Met switch { true => "TargetMet", false => "TargetMissed", null => "TargetPending" }, Lang.Duration(TimeSpan.FromMinutes(target), lang));
            }
            return line;
        }));
        var sections = new List<(string, string)>
        {
            (T("S_Scenario"), (lang == Lang.Ja ? v.Scenario.DescriptionJa : v.Scenario.DescriptionEn) ?? ""),
            (T("S_Milestones"), milestones),
            (T("S_Steps"), drafter.Draft(ReportSectionKey.Response, lang, v.Source)),
            (T("S_Findings"), string.IsNullOrWhiteSpace(d.Findings) ? T("NoFindings") : d.Findings),
        };
        return new DocumentModel(lang, $"{v.Incident.Number} {T("ReportTitle")}", T("ReportHeading", name), v.Incident.Number, facts,
            [.. sections.Select((s, i) => ($"{i + 1}. {s.Item1}", s.Item2))], DocumentRenderer.Stamp(now, lang));
    }
}
