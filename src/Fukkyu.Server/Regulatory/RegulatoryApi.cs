using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Regulatory;

public sealed record FilingDto(
    Guid Id, Guid IncidentId, string IncidentNumber, string IncidentTitle, FilingKind Kind, string Title, FilingStatus Status,
    DateTime? DueAt, bool Overdue, string? WaitingFor, string? Draft, bool DraftEdited, string? DraftEditedBy, DateTime? DraftEditedAt,
    DateTime? SubmittedAt, string? SubmittedBy, string? Reference, string? Note, string? NotRequiredReason, int Version)
{
    public static FilingDto From(RegulatoryFiling f, Incident i, DateTime now, string? draft) => new(
        f.Id, i.Id, i.Number, i.Title, f.Kind, RegulatoryStrings.T("Kind_" + WireEnum.Name(f.Kind)), f.Status,
        f.DueAt, f.Status == FilingStatus.Pending && f.DueAt < now,
        f.Status == FilingStatus.Pending && f.DueAt is null ? RegulatoryStrings.T("Trigger_" + WireEnum.Name(f.Kind)) : null,
        draft, f.Draft is not null, f.DraftEditedByName, f.DraftEditedAt,
        f.SubmittedAt, f.SubmittedByName, f.SubmissionReference, f.SubmissionNote, f.NotRequiredReason, f.Version);
}

public sealed record RegulatoryTrackDto(
    Guid IncidentId, string Number, bool Drill, bool Reportable, bool Manual, string Rule, string Reason, string ReasonJa, string ReasonEn,
    string? DecidedBy, DateTime? DecidedAt, DateTime? CauseFoundAt, FilingDto[] Filings);

public sealed record DecisionRequest(bool? Reportable, string? Reason, bool? Automatic);

public sealed record DraftRequest(string? Text);

public sealed record SubmitFilingRequest(DateTime? SubmittedAt, string? Reference, string? Note);

public static class RegulatoryApi
{
    public static IHostApplicationBuilder AddRegulatory(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RegulatoryOptions>().BindConfiguration(RegulatoryOptions.Section)
            .Validate(o => o.ImmediateReportMinutes is > 0 and <= 7 * 24 * 60 && o.RestorationReportHours is > 0 and <= 24 * 90
                && o.CauseReportHours is > 0 and <= 24 * 90 && o.StatusReportMonths is > 0 and <= 12 && o.OverdueRepeatMinutes > 0
                && o.MinutesBefore.All(m => m is > 0 and <= 60 * 24 * 30),
                "Fukkyu:Regulatory: deadlines must be positive and bounded (immediate ≤ 7 days, restoration/cause ≤ 90 days, status ≤ 12 months).")
            .ValidateOnStart();
        // The regulatory policy (Auth/Roles.cs) is registered here, where it is used.
        services.AddAuthorizationBuilder().AddPolicy(Policies.Regulatory, p => p.RequireRole(Policies.RolesFor[Policies.Regulatory]));
        services.AddScoped<RegulatoryService>();
        services.AddScoped<FilingDrafter>();
        services.AddScoped<FilingViews>();
        services.AddScoped<IIncidentListener, RegulatoryListener>();
        services.AddSingleton<IJobHandler, FilingReminderHandler>();
        services.AddSingleton<IJobHandler, RegulatorySyncJobHandler>();
        services.AddSingleton<ITimelineDescriber, RegulatoryTimelineDescriber>();
        services.AddNavItem(new NavItem(65, "/ops/filings", () => RegulatoryStrings.T("FilingsTitle")));
        services.AddUiPanel<Pages.RegulatoryPanel>(UiPanels.Incident, 25);
        services.AddUiPanel<Pages.OverdueFilingsPanel>(UiPanels.Dashboard, 30);
        return builder;
    }

    public static IEndpointRouteBuilder MapRegulatory(this IEndpointRouteBuilder app)
    {
        var track = app.MapGroup("/api/v1/incidents/{id}/regulatory").WithTags("Regulatory");
        track.MapGet("/", GetTrack).RequireAuthorization(Policies.Read).WithName("GetRegulatoryTrack")
            .WithSummary("Whether the incident is reportable and why, and its filings with deadlines and drafts.");
        track.MapPut("/", Decide).RequireAuthorization(Policies.Regulatory).WithName("DecideReportable")
            .WithSummary("Decide reportability with a reason, or {\"automatic\":true} to hand it back to the rule.");

        var filings = app.MapGroup("/api/v1/filings").WithTags("Regulatory");
        filings.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListFilings")
            .WithSummary("Filings across incidents; overdue=true lists missed deadlines.");
        filings.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read).WithName("GetFiling")
            .WithSummary("One filing: JSON, or its 障害発生等報告書 as format=markdown|html|pdf (lang=en for a reference translation).");
        filings.MapPut("/{id:guid}/draft", EditDraft).RequireAuthorization(Policies.Regulatory).WithName("EditFilingDraft");
        filings.MapDelete("/{id:guid}/draft", RevertDraft).RequireAuthorization(Policies.Regulatory).WithName("RevertFilingDraft");
        filings.MapPost("/{id:guid}/submit", Submit).RequireAuthorization(Policies.Regulatory).WithName("SubmitFiling")
            .WithSummary("Mark the filing submitted (when, by whom, reference); reminders stop.");

        app.MapGet("/ops/filings/{id:guid}/export", Export).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<RegulatoryTrackDto>, ProblemHttpResult>> GetTrack(string id, ClaimsPrincipal user, FilingViews views, CancellationToken ct)
    {
        var dto = await views.TrackAsync(id, Caller.From(user), withDrafts: true, ct);
        return dto is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<RegulatoryTrackDto>, ValidationProblem, ProblemHttpResult>> Decide(
        string id, DecisionRequest req, ClaimsPrincipal user, IncidentService incidents, RegulatoryService regulatory, FilingViews views, CancellationToken ct)
    {
        var v = new Validation().Text("reason", req.Reason, RegulatoryLimits.Reason);
        if (req.Automatic != true)
        {
            v.Required("reportable", req.Reportable).Required("reason", req.Reason);
        }
        else if (req.Reportable is not null)
        {
            v.Add("reportable", RegulatoryStrings.T("AutomaticOrDecide"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var caller = Caller.From(user);
        var incident = await incidents.FindAsync(id, caller, tracking: false, ct);
        if (incident is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var result = await regulatory.DecideAsync(incident, req.Automatic == true ? null : req.Reportable, req.Reason?.Trim(), caller.Actor, ct);
        return result.Error switch
        {
            null => TypedResults.Ok((await views.TrackAsync(incident.Id.ToString(), caller, withDrafts: true, ct))!),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Ok<FilingDto[]>, ValidationProblem>> List(
        ClaimsPrincipal user, FukkyuDb db, TimeProvider time, string? status, bool? overdue, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 1000);
        FilingStatus parsed = default;
        if (status is not null && !WireEnum.TryParse(status, out parsed))
        {
            v.Add("status", Validation.Text("UnknownValue", status, WireEnum.Accepted<FilingStatus>()));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var now = time.GetUtcNow().UtcDateTime;
        var rows = await FilingViews.Query(db, Caller.From(user), status is null ? null : parsed, overdue, now).Take(limit ?? 200).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(r => FilingDto.From(r.Filing, r.Incident, now, null)).ToArray());
    }

    private static async Task<Results<Ok<FilingDto>, ContentHttpResult, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Get(
        Guid id, string? format, string? lang, HttpContext http, ClaimsPrincipal user, FilingViews views, DocumentRenderer renderer, ChromiumPdf pdf,
        TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var fmt = DocumentFormats.Parse(v, format);
        var language = lang is null ? Lang.Ja : ReportsApi.ParseLang(v, lang);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var view = await views.FilingAsync(id, Caller.From(user), ct);
        if (view is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (fmt == DocumentFormat.Json)
        {
            return TypedResults.Ok(FilingDto.From(view.Filing, view.Incident, now, view.Text(Lang.Ja)));
        }
        var model = views.Document(view, language, now);
        return (await DocumentFormats.RespondAsync(fmt, model, $"{view.Incident.Number}-{WireEnum.Name(view.Filing.Kind)}-{language}", http, renderer, pdf, ct)).Result switch
        {
            ContentHttpResult c => c,
            FileContentHttpResult f => f,
            ProblemHttpResult p => p,
            _ => throw new InvalidOperationException("Unexpected document result."),
        };
    }

    private static async Task<Results<ContentHttpResult, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Export(
        Guid id, string? format, string? lang, HttpContext http, ClaimsPrincipal user, FilingViews views, DocumentRenderer renderer, ChromiumPdf pdf,
        TimeProvider time, CancellationToken ct)
    {
        var result = await Get(id, format ?? "html", lang, http, user, views, renderer, pdf, time, ct);
        return result.Result switch
        {
            ContentHttpResult c => c,
            FileContentHttpResult f => f,
            ValidationProblem vp => vp,
            ProblemHttpResult p => p,
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Ok<FilingDto>, ValidationProblem, ProblemHttpResult>> EditDraft(
        Guid id, DraftRequest req, ClaimsPrincipal user, FilingViews views, RegulatoryService regulatory, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation().Text("text", req.Text, RegulatoryLimits.Draft, required: true);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        return await ChangeAsync(id, user, views, time, ct, () => regulatory.EditDraftAsync(id, req.Text!.Trim(), Actor.From(user), ct));
    }

    private static Task<Results<Ok<FilingDto>, ValidationProblem, ProblemHttpResult>> RevertDraft(
        Guid id, ClaimsPrincipal user, FilingViews views, RegulatoryService regulatory, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(id, user, views, time, ct, () => regulatory.EditDraftAsync(id, null, Actor.From(user), ct));

    private static async Task<Results<Ok<FilingDto>, ValidationProblem, ProblemHttpResult>> Submit(
        Guid id, SubmitFilingRequest req, ClaimsPrincipal user, FilingViews views, RegulatoryService regulatory, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation().Text("reference", req.Reference, RegulatoryLimits.Reference).Text("note", req.Note, RegulatoryLimits.Note);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var view = await views.FilingAsync(id, Caller.From(user), ct);
        if (view is null)
        {
            return AuthApi.NotFoundProblem();
        }
        return await ChangeAsync(id, user, views, time, ct, () => regulatory.SubmitAsync(id, req.SubmittedAt, Blank(req.Reference), Blank(req.Note),
            view.Text(Lang.Ja), Actor.From(user), ct));
    }

    private static async Task<Results<Ok<FilingDto>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        Guid id, ClaimsPrincipal user, FilingViews views, TimeProvider time, CancellationToken ct, Func<Task<OpResult<RegulatoryFiling>>> change)
    {
        var caller = Caller.From(user);
        if (await views.FilingAsync(id, caller, ct) is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var result = await change();
        if (result.Error is not null)
        {
            return result.Error switch
            {
                InvalidError e => TypedResults.ValidationProblem(e.Errors),
                ConflictError c => OpResults.Conflict(c),
                _ => AuthApi.NotFoundProblem(),
            };
        }
        var view = (await views.FilingAsync(id, caller, ct))!;
        return TypedResults.Ok(FilingDto.From(view.Filing, view.Incident, time.GetUtcNow().UtcDateTime, view.Text(Lang.Ja)));
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>One filing with what its draft is made from.</summary>
public sealed record FilingView(RegulatoryFiling Filing, RegulatoryTrack Track, Incident Incident, ReportSource Source, FilingDrafter Drafter, DateTime Now)
{
    /// <summary>What would be (or was) filed: the submitted text, the officer's draft, or a fresh draft.</summary>
    public string Text(string lang) => lang == Lang.Ja
        ? Filing.SubmittedText ?? Filing.Draft ?? Drafter.Draft(Filing, Track, Source, Lang.Ja, Now)
        : Drafter.Draft(Filing, Track, Source, lang, Now);
}

/// <summary>Reads tracks and filings as the caller may see them (security incidents stay restricted).</summary>
public sealed class FilingViews(FukkyuDb db, IncidentService incidents, ReportService reports, FilingDrafter drafter, TimeProvider time)
{
    /// <summary>Member-initialised (not positional) so that EF can still filter and sort through it.</summary>
    public sealed class Row
    {
        public required RegulatoryFiling Filing { get; init; }
        public required Incident Incident { get; init; }
    }

    public static IQueryable<Row> Query(FukkyuDb db, Caller caller, FilingStatus? status, bool? overdue, DateTime now)
    {
        var q = db.Set<RegulatoryFiling>().AsNoTracking()
            .Join(IncidentService.Visible(db.Incidents.AsNoTracking(), caller).Where(i => !i.Drill), f => f.IncidentId, i => i.Id, (f, i) => new Row { Filing = f, Incident = i });
        if (status is { } s)
        {
            q = q.Where(r => r.Filing.Status == s);
        }
        if (overdue is { } o)
        {
            q = o
                ? q.Where(r => r.Filing.Status == FilingStatus.Pending && r.Filing.DueAt != null && r.Filing.DueAt < now)
                : q.Where(r => !(r.Filing.Status == FilingStatus.Pending && r.Filing.DueAt != null && r.Filing.DueAt < now));
        }
        return q.OrderBy(r => r.Filing.DueAt == null).ThenBy(r => r.Filing.DueAt).ThenBy(r => r.Incident.Number);
    }

    public async Task<RegulatoryTrackDto?> TrackAsync(string incidentIdOrNumber, Caller caller, bool withDrafts, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(incidentIdOrNumber, caller, tracking: false, ct);
        if (incident is null)
        {
            return null;
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (incident.Drill)
        {
            string drill = RegulatoryStrings.T("DrillNeverReported");
            return new RegulatoryTrackDto(incident.Id, incident.Number, true, false, false, "drill", drill,
                RegulatoryStrings.In(Lang.Ja, "DrillNeverReported"), RegulatoryStrings.In(Lang.En, "DrillNeverReported"), null, null, null, []);
        }
        var track = await db.Set<RegulatoryTrack>().AsNoTracking().Include(t => t.Filings).FirstOrDefaultAsync(t => t.IncidentId == incident.Id, ct);
        if (track is null)
        {
            // Declared before this feature existed: show what the rule says; a decision creates the track.
            var d = ReportableRule.Decide(incident);
            return new RegulatoryTrackDto(incident.Id, incident.Number, false, d.Reportable, false, d.Rule, Texts.Japanese ? d.ReasonJa : d.ReasonEn,
                d.ReasonJa, d.ReasonEn, null, null, null, []);
        }
        var source = withDrafts ? await reports.SourceAsync(incident, ct) : null;
        var filings = track.Filings.OrderBy(f => f.Kind)
            .Select(f => FilingDto.From(f, incident, now, source is null ? null : new FilingView(f, track, incident, source, drafter, now).Text(Lang.Ja)))
            .ToArray();
        return new RegulatoryTrackDto(incident.Id, incident.Number, false, track.Reportable, track.Manual, track.Rule,
            Texts.Japanese ? track.ReasonJa : track.ReasonEn, track.ReasonJa, track.ReasonEn, track.DecidedByName, track.DecidedAt, track.CauseFoundAt, filings);
    }

    public async Task<FilingView?> FilingAsync(Guid id, Caller caller, CancellationToken ct)
    {
        var filing = await db.Set<RegulatoryFiling>().AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct);
        if (filing is null)
        {
            return null;
        }
        var incident = await incidents.FindAsync(filing.IncidentId.ToString(), caller, tracking: false, ct);
        if (incident is null || incident.Drill)
        {
            return null;
        }
        var track = await db.Set<RegulatoryTrack>().AsNoTracking().Include(t => t.Filings).FirstAsync(t => t.IncidentId == incident.Id, ct);
        return new FilingView(filing, track, incident, await reports.SourceAsync(incident, ct), drafter, time.GetUtcNow().UtcDateTime);
    }

    public DocumentModel Document(FilingView view, string lang, DateTime now)
    {
        var f = view.Filing;
        string T(string key, params object?[] args) => RegulatoryStrings.In(lang, key, args);
        var facts = new List<(string, string)>
        {
            (T("F_Kind"), T("Kind_" + WireEnum.Name(f.Kind))),
            (T("F_Incident"), $"{view.Incident.Number} {view.Incident.Title}"),
            (T("F_Due"), f.DueAt is { } due ? Tokyo.Format(due) : T("Trigger_" + WireEnum.Name(f.Kind))),
            (T("F_Status"), T("Status_" + WireEnum.Name(f.Status)) + (f.SubmittedAt is { } at ? $" — {f.SubmittedByName}, {Tokyo.Format(at)}" : "")),
        };
        if (lang != Lang.Ja)
        {
            facts.Add((T("F_Reference"), T("ReferenceTranslation")));
        }
        return new DocumentModel(lang, $"{view.Incident.Number} {T("Kind_" + WireEnum.Name(f.Kind))}", T("FD_Title", T("Kind_" + WireEnum.Name(f.Kind))),
            "", facts, [("", view.Text(lang))], DocumentRenderer.Stamp(now, lang));
    }
}
