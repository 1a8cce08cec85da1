using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Fukkyu.Server.PostIncident;

public sealed record ReportTextDto(string Text, bool Edited, string? EditedBy, DateTime? EditedAt);

public sealed record ReportSectionDto(ReportSectionKey Key, string Title, ReportTextDto Ja, ReportTextDto En);

public sealed record ReportTimesDto(
    DateTime? StartedAt, DateTime DetectedAt, DateTime? AcknowledgedAt, DateTime? RecoveryStartedAt, DateTime? RecoveredAt, DateTime? ResolvedAt,
    double? TimeToDetectSeconds, double? TimeToAcknowledgeSeconds, double? TimeToRecoverSeconds, double? TimeToResolveSeconds)
{
    public static ReportTimesDto From(IncidentTimes t) => new(t.StartedAt, t.DetectedAt, t.AcknowledgedAt, t.RecoveryStartedAt, t.RecoveredAt, t.ResolvedAt,
        t.TimeToDetect?.TotalSeconds, t.TimeToAcknowledge?.TotalSeconds, t.TimeToRecover?.TotalSeconds, t.TimeToResolve?.TotalSeconds);
}

public sealed record ReportDto(
    Guid IncidentId, string Number, string Title, bool Drill, ReportStatus Status, bool Frozen,
    string? SubmittedBy, DateTime? SubmittedAt, string? ApprovedBy, DateTime? ApprovedAt, DateTime? PublishedAt, string? ReviewComment,
    ReportTimesDto Times, ReportSectionDto[] Sections, int Version)
{
    public static ReportDto From(ReportView v) => new(
        v.Incident.Id, v.Incident.Number, v.Incident.Title, v.Incident.Drill, v.Status, v.Frozen,
        v.Report?.SubmittedByName, v.Report?.SubmittedAt, v.Report?.ApprovedByName, v.Report?.ApprovedAt, v.Report?.PublishedAt, v.Report?.ReviewComment,
        ReportTimesDto.From(v.Times),
        [.. ReportService.Keys.Select(k => new ReportSectionDto(k, PostIncidentStrings.T("Section_" + WireEnum.Name(k)), Text(v.Section(k, Lang.Ja)), Text(v.Section(k, Lang.En))))],
        v.Report?.Version ?? 0);

    private static ReportTextDto Text(SectionView s) => new(s.Body, s.Edited, s.EditedByName, s.EditedAt);
}

public sealed record SectionEditRequest(string? Lang, string? Text);

public sealed record ReviewRequest(string? Comment);

public static class ReportsApi
{
    public static IHostApplicationBuilder AddPostIncident(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ReportOptions>().BindConfiguration(ReportOptions.Section)
            .Validate(o => o.PdfTimeoutSeconds is > 0 and <= 600 && o.MaxConcurrentPdfs is > 0 and <= 16, "Fukkyu:Reports: PdfTimeoutSeconds 1–600, MaxConcurrentPdfs 1–16.")
            .ValidateOnStart();
        services.AddScoped<ReportDrafter>();
        services.AddScoped<ReportService>();
        services.AddScoped<DocumentRenderer>();
        services.AddSingleton<ChromiumPdf>();
        services.AddScoped<IPostmortemSource, PostmortemSource>();
        services.AddScoped<StatusPage.IPublicReportSource, PublicReportSource>();
        services.AddSingleton<ITimelineDescriber, ReportTimelineDescriber>();
        services.AddUiPanel<Pages.ReportPanel>(UiPanels.Incident, 20);
        return builder;
    }

    public static IEndpointRouteBuilder MapPostIncident(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/incidents/{id}/report").WithTags("Incident reports");
        api.MapGet("/", Get).RequireAuthorization(Policies.Read).WithName("GetIncidentReport")
            .WithSummary("The incident report: JSON, or format=markdown|html|pdf in lang=ja|en. Drafted from the incident until submitted.");
        api.MapPut("/sections/{key}", EditSection).RequireAuthorization(Policies.Respond).WithName("EditIncidentReportSection")
            .WithSummary("Replace one section in one language (drafts only).");
        api.MapDelete("/sections/{key}", RevertSection).RequireAuthorization(Policies.Respond).WithName("RevertIncidentReportSection")
            .WithSummary("Drop an edit: the section follows the incident again.");
        api.MapPost("/submit", Submit).RequireAuthorization(Policies.Respond).WithName("SubmitIncidentReport")
            .WithSummary("Freeze the draft and ask for review.");
        api.MapPost("/approve", Approve).RequireAuthorization(Policies.Command).WithName("ApproveIncidentReport")
            .WithSummary("Approve a report in review; not by the person who submitted it.");
        api.MapPost("/request-changes", RequestChanges).RequireAuthorization(Policies.Command).WithName("RequestIncidentReportChanges")
            .WithSummary("Send a report in review (or approved) back to draft, saying why.");
        api.MapPost("/publish", Publish).RequireAuthorization(Policies.Command).WithName("PublishIncidentReport")
            .WithSummary("Publish the approved public summary: the incident shows as postmortem on the status page.");

        // The same document for signed-in operators (cookie), e.g. the PDF link on the report page.
        app.MapGet("/ops/incidents/{id}/report/export", Get).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        return app;
    }

    internal static async Task<Results<Ok<ReportDto>, ContentHttpResult, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Get(
        string id, string? format, string? lang, HttpContext http, ClaimsPrincipal user, ReportService reports, DocumentRenderer renderer,
        ChromiumPdf pdf, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var fmt = DocumentFormats.Parse(v, format);
        var language = ParseLang(v, lang);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var view = await reports.ViewAsync(id, Caller.From(user), ct);
        if (view is null)
        {
            return AuthApi.NotFoundProblem();
        }
        if (fmt == DocumentFormat.Json)
        {
            return TypedResults.Ok(ReportDto.From(view));
        }
        var model = ReportDocument.Build(view, language, time.GetUtcNow().UtcDateTime);
        return (await DocumentFormats.RespondAsync(fmt, model, $"{view.Incident.Number}-report-{language}", http, renderer, pdf, ct)).Result switch
        {
            ContentHttpResult c => c,
            FileContentHttpResult f => f,
            ProblemHttpResult p => p,
            _ => throw new InvalidOperationException("Unexpected document result."),
        };
    }

    internal static string ParseLang(Validation v, string? lang)
    {
        if (lang is null)
        {
            return Lang.Current;
        }
        if (!Lang.IsKnown(lang))
        {
            v.Add("lang", Validation.Text("UnknownValue", lang, "ja, en"));
        }
        return lang;
    }

    private static bool TryKey(Validation v, string key, out ReportSectionKey parsed)
    {
        if (!WireEnum.TryParse(key, out parsed))
        {
            v.Add("key", Validation.Text("UnknownValue", key.Length > 40 ? key[..40] : key, WireEnum.Accepted<ReportSectionKey>()));
            return false;
        }
        return true;
    }

    private static async Task<Results<Ok<ReportDto>, ValidationProblem, ProblemHttpResult>> EditSection(
        string id, string key, SectionEditRequest req, ClaimsPrincipal user, ReportService reports, CancellationToken ct)
    {
        var v = new Validation();
        TryKey(v, key, out var parsed);
        v.Required("lang", req.Lang).Text("text", req.Text, ReportLimits.Section, required: true);
        if (req.Lang is not null && !Lang.IsKnown(req.Lang))
        {
            v.Add("lang", Validation.Text("UnknownValue", req.Lang, "ja, en"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        return ToResult(await reports.EditSectionAsync(id, parsed, req.Lang!, req.Text!.Trim(), Caller.From(user), ct));
    }

    private static async Task<Results<Ok<ReportDto>, ValidationProblem, ProblemHttpResult>> RevertSection(
        string id, string key, string? lang, ClaimsPrincipal user, ReportService reports, CancellationToken ct)
    {
        var v = new Validation();
        TryKey(v, key, out var parsed);
        v.Required("lang", lang);
        if (lang is not null && !Lang.IsKnown(lang))
        {
            v.Add("lang", Validation.Text("UnknownValue", lang, "ja, en"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        return ToResult(await reports.EditSectionAsync(id, parsed, lang!, null, Caller.From(user), ct));
    }

    private static async Task<Results<Ok<ReportDto>, ValidationProblem, ProblemHttpResult>> Submit(
        string id, ReviewRequest? req, ClaimsPrincipal user, ReportService reports, CancellationToken ct)
    {
        var v = new Validation().Text("comment", req?.Comment, ReportLimits.Comment);
        return v.IsValid ? ToResult(await reports.SubmitAsync(id, Blank(req?.Comment), Caller.From(user), ct)) : TypedResults.ValidationProblem(v.Errors);
    }

    private static async Task<Results<Ok<ReportDto>, ValidationProblem, ProblemHttpResult>> Approve(
        string id, ReviewRequest? req, ClaimsPrincipal user, ReportService reports, CancellationToken ct)
    {
        var v = new Validation().Text("comment", req?.Comment, ReportLimits.Comment);
        return v.IsValid ? ToResult(await reports.ApproveAsync(id, Blank(req?.Comment), Caller.From(user), ct)) : TypedResults.ValidationProblem(v.Errors);
    }

    private static async Task<Results<Ok<ReportDto>, ValidationProblem, ProblemHttpResult>> RequestChanges(
        string id, ReviewRequest? req, ClaimsPrincipal user, ReportService reports, CancellationToken ct)
    {
        var v = new Validation().Text("comment", req?.Comment, ReportLimits.Comment, required: true);
        return v.IsValid ? ToResult(await reports.RequestChangesAsync(id, req!.Comment!.Trim(), Caller.From(user), ct)) : TypedResults.ValidationProblem(v.Errors);
    }

    private static async Task<Results<Ok<ReportDto>, ValidationProblem, ProblemHttpResult>> Publish(
        string id, ClaimsPrincipal user, ReportService reports, CancellationToken ct) =>
        ToResult(await reports.PublishAsync(id, Caller.From(user), ct));

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static Results<Ok<ReportDto>, ValidationProblem, ProblemHttpResult> ToResult(OpResult<ReportView> result) => result.Error switch
    {
        null => TypedResults.Ok(ReportDto.From(result.Value!)),
        InvalidError e => TypedResults.ValidationProblem(e.Errors),
        ConflictError c => OpResults.Conflict(c),
        _ => AuthApi.NotFoundProblem(),
    };
}

public enum DocumentFormat
{
    Json,
    Markdown,
    Html,
    Pdf,
}

/// <summary>The <c>format</c> query of every document endpoint, and the answers for each.</summary>
public static class DocumentFormats
{
    public static DocumentFormat Parse(Validation v, string? format)
    {
        switch (format?.ToLowerInvariant())
        {
            case null or "" or "json":
                return DocumentFormat.Json;
            case "markdown" or "md":
                return DocumentFormat.Markdown;
            case "html":
                return DocumentFormat.Html;
            case "pdf":
                return DocumentFormat.Pdf;
            default:
                v.Add("format", Validation.Text("UnknownValue", format.Length > 40 ? format[..40] : format, "json, markdown, html, pdf"));
                return DocumentFormat.Json;
        }
    }

    /// <summary>Markdown, hardened HTML, or a PDF (501 when Chromium is not installed); never JSON.</summary>
    public static async Task<Results<ContentHttpResult, FileContentHttpResult, ProblemHttpResult>> RespondAsync(
        DocumentFormat format, DocumentModel model, string fileName, HttpContext http, DocumentRenderer renderer, ChromiumPdf pdf, CancellationToken ct)
    {
        switch (format)
        {
            case DocumentFormat.Markdown:
                return TypedResults.Text(DocumentRenderer.Markdown(model), "text/markdown; charset=utf-8");
            case DocumentFormat.Html:
                DocumentRenderer.Harden(http.Response);
                return TypedResults.Text(await renderer.HtmlAsync(model), "text/html; charset=utf-8");
            default:
                if (!pdf.Available)
                {
                    return TypedResults.Problem(new ProblemDetails { Status = StatusCodes.Status501NotImplemented, Detail = PostIncidentStrings.T("NoChromium") });
                }
                var bytes = await pdf.PrintAsync(await renderer.HtmlAsync(model), ct);
                return bytes is null
                    ? TypedResults.Problem(new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Detail = PostIncidentStrings.T("PdfFailed") })
                    : TypedResults.File(bytes, "application/pdf", fileName + ".pdf");
        }
    }
}
