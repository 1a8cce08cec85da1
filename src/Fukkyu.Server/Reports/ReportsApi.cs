using System.Security.Claims;
using Fukkyu.Server.Alerts;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Reports;

public sealed record ReportRequest(DateTime? OccurredAt, string? What, string? ImpactSeen, string? ReporterName, string? ReporterContact,
    ReporterChannel? Channel, string? CustomerReference, string? ComponentId);

public sealed record LinkRequest(string? IncidentId);

public sealed record DeclareFromReportRequest(string? Title, ComponentCategory? Category, ImpactScope? ImpactScope, int? ExpectedRecoveryMinutes, bool? Security);

public sealed record ReportDto(Guid Id, DateTime? OccurredAt, string What, string? ImpactSeen, string ReporterName, string? ReporterContact,
    ReporterChannel Channel, string? CustomerReference, Guid? ComponentId, string? ComponentKey, Guid? IncidentId, string? IncidentNumber,
    DateTime? LinkedAt, string? LinkedBy, DateTime CreatedAt, string CreatedBy, Suggestion[]? Suggestions)
{
    public static ReportDto From(Report r, string? incidentNumber, IReadOnlyList<Suggestion>? suggestions) => new(
        r.Id, r.OccurredAt, r.What, r.ImpactSeen, r.ReporterName, r.ReporterContact, r.Channel, r.CustomerReference, r.ComponentId, r.Component?.Key,
        r.IncidentId, incidentNumber, r.LinkedAt, r.LinkedBy, r.CreatedAt, r.CreatedBy, suggestions?.ToArray());
}

public static class ReportsApi
{
    public static IHostApplicationBuilder AddReports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReportOptions>().BindConfiguration(ReportOptions.Section)
            .Validate(o => o.AlertThreshold >= 1 && o.WindowMinutes >= 1 && o.MaxSuggestions >= 1, "Fukkyu:Reports threshold, window and suggestions must be positive.")
            .ValidateOnStart();
        builder.Services.AddNavItem(new NavItem(34, "/ops/reports", () => UiText.T("NavReports"), Policies.Annotate));
        builder.Services.AddScoped<ReportService>();
        builder.Services.AddHostedService<ReportAlertSweeper>();
        builder.Services.AddSingleton<ITimelineDescriber, ReportTimelineDescriber>();
        return builder;
    }

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        // Reports carry customers' names and contacts: only the roles that handle them (annotate) read them.
        var api = app.MapGroup("/api/v1/reports").WithTags("Reports");
        api.MapPost("/", Submit).RequireAuthorization(Policies.Annotate).WithName("SubmitReport")
            .WithSummary("Record a failure reported by a customer (support) or staff; answers with matching open incidents.");
        api.MapGet("/", List).RequireAuthorization(Policies.Annotate).WithName("ListReports");
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Annotate).WithName("GetReport");
        api.MapPost("/{id:guid}/link", Link).RequireAuthorization(Policies.Annotate).WithName("LinkReport")
            .WithSummary("Link the report to an open incident; it goes on the incident's timeline.");
        api.MapPost("/{id:guid}/declare", Declare).RequireAuthorization(Policies.Respond).WithName("DeclareFromReport")
            .WithSummary("Declare an incident from the report (reporter, times and component carried over) and link it.");
        return app;
    }

    private static async Task<Results<Created<ReportDto>, ValidationProblem>> Submit(
        ReportRequest req, ClaimsPrincipal user, ReportService reports, CancellationToken ct)
    {
        var result = await reports.SubmitAsync(new SubmitReport(req.OccurredAt, req.What ?? "", req.ImpactSeen, req.ReporterName ?? "", req.ReporterContact,
            req.Channel ?? ReporterChannel.Support, req.CustomerReference, req.ComponentId), Actor.From(user), ct);
        if (result.Error is InvalidError e)
        {
            return TypedResults.ValidationProblem(e.Errors);
        }
        var report = result.Value!;
        var suggestions = await reports.SuggestAsync(report, Caller.From(user), ct);
        return TypedResults.Created($"/api/v1/reports/{report.Id}", ReportDto.From(report, null, suggestions));
    }

    private static async Task<Results<Ok<ReportDto[]>, ValidationProblem>> List(
        FukkyuDb db, string? component, bool? linked, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 500).MaxLength("component", component, 100);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var query = db.Reports.AsNoTracking().Include(r => r.Component).AsQueryable();
        if (component is not null)
        {
            var c = await CatalogApi.Find(db.Components.AsNoTracking(), component, ct);
            var cid = c?.Id ?? Guid.Empty;
            query = query.Where(r => r.ComponentId == cid);
        }
        if (linked is { } l)
        {
            query = l ? query.Where(r => r.IncidentId != null) : query.Where(r => r.IncidentId == null);
        }
        var rows = await query.OrderByDescending(r => r.CreatedAt).Take(limit ?? 100).ToListAsync(ct);
        var numbers = await NumbersAsync(db, rows, ct);
        return TypedResults.Ok(rows.Select(r => ReportDto.From(r, r.IncidentId is { } i ? numbers.GetValueOrDefault(i) : null, null)).ToArray());
    }

    internal static async Task<Dictionary<Guid, string>> NumbersAsync(FukkyuDb db, List<Report> rows, CancellationToken ct)
    {
        var ids = rows.Where(r => r.IncidentId is not null).Select(r => r.IncidentId!.Value).Distinct().ToList();
        return ids.Count == 0 ? [] : await db.Incidents.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Number, ct);
    }

    private static async Task<Results<Ok<ReportDto>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, FukkyuDb db, ReportService reports, CancellationToken ct)
    {
        var report = await db.Reports.AsNoTracking().Include(r => r.Component).FirstOrDefaultAsync(r => r.Id == id, ct);
        if (report is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var numbers = await NumbersAsync(db, [report], ct);
        var suggestions = report.IncidentId is null ? await reports.SuggestAsync(report, Caller.From(user), ct) : null;
        return TypedResults.Ok(ReportDto.From(report, report.IncidentId is { } i ? numbers.GetValueOrDefault(i) : null, suggestions));
    }

    private static async Task<Results<Ok<ReportDto>, ValidationProblem, ProblemHttpResult>> Link(
        Guid id, LinkRequest req, ClaimsPrincipal user, FukkyuDb db, ReportService reports, CancellationToken ct)
    {
        var v = new Validation().Text("incidentId", req.IncidentId, 100, required: true);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await reports.LinkAsync(id, req.IncidentId!, Caller.From(user), ct);
        return result.Error switch
        {
            null => TypedResults.Ok(ReportDto.From(result.Value!, (await NumbersAsync(db, [result.Value!], ct)).Values.FirstOrDefault(), null)),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Created<IncidentDto>, ValidationProblem, ProblemHttpResult>> Declare(
        Guid id, DeclareFromReportRequest req, ClaimsPrincipal user, ReportService reports, CancellationToken ct)
    {
        var v = new Validation().Text("title", req.Title, IncidentLimits.Title).Required("impactScope", req.ImpactScope)
            .Range("expectedRecoveryMinutes", req.ExpectedRecoveryMinutes, 0, IncidentsApi.MaxExpectedRecoveryMinutes);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await reports.DeclareAsync(id, new DeclareFromReport(req.Title, req.Category, req.ImpactScope!.Value, req.ExpectedRecoveryMinutes, req.Security ?? false),
            Caller.From(user), ct);
        return result.Error switch
        {
            null => TypedResults.Created($"/api/v1/incidents/{result.Value!.Id}", IncidentDto.From(result.Value)),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }
}

/// <summary>Resolves a reports alert once its component has had no report for a whole window.</summary>
public sealed class ReportAlertSweeper(IServiceScopeFactory scopes, AlertIngest ingest, IOptions<ReportOptions> options, TimeProvider time, ILogger<ReportAlertSweeper> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Sweeping report alerts failed; retrying in a minute.");
            }
            await Task.Delay(every, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
    }

    public async Task SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        var now = time.GetUtcNow().UtcDateTime;
        var since = now.AddMinutes(-options.Value.WindowMinutes);
        var open = await db.Alerts.AsNoTracking().Where(a => a.Origin == AlertOrigin.Reports && a.Status != AlertStatus.Resolved)
            .Select(a => new { a.SourceId, a.SourceName }).ToListAsync(ct);
        var quiet = new List<AlertEvent>();
        foreach (var a in open)
        {
            if (!await db.Reports.AnyAsync(r => r.ComponentId == a.SourceId && r.CreatedAt >= since, ct))
            {
                quiet.Add(new AlertEvent(new AlertSender(AlertOrigin.Reports, a.SourceId, a.SourceName, a.SourceId), AlertAction.Resolve, ReportService.DedupKey, now));
            }
        }
        await ingest.SubmitAsync(quiet);
    }
}

internal sealed class ReportTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry e, System.Text.Json.JsonElement d) => e.Kind == ReportTimelineKinds.Linked
        ? ReportStrings.T("TlLinked", d.ValueKind == System.Text.Json.JsonValueKind.Object && d.TryGetProperty("channel", out var c)
            ? ReportStrings.T("Channel_" + c.GetString()) : "")
        : null;
}
