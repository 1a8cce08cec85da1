using System.Globalization;
using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fukkyu.Server.Register;

public sealed record RegisterComponentDto(string Key, string Name, ComponentImpact Impact);

public sealed record RegisterRowDto(
    Guid IncidentId, string Number, string Title, ComponentCategory Category, int Level, IncidentStatus Status, bool Security, bool Drill,
    DateTime? StartedAt, DateTime DetectedAt, DateTime? AcknowledgedAt, DateTime? ResolvedAt, double? ImpactMinutes,
    RegisterComponentDto[] Components, ImpactScope ImpactScope, int? AffectedUsersEstimate, string? Cause, CauseClass CauseClass, string? Remarks,
    bool? Reportable, int FilingsSubmitted, int FilingsRequired, int ActionItems, int ActionItemsDone, ReportStatus? ReportStatus, string? Commander)
{
    public static RegisterRowDto From(RegisterRow r)
    {
        var i = r.Incident;
        return new(i.Id, i.Number, i.Title, i.Category, i.Level, i.Status, i.Security, i.Drill, i.StartedAt, i.DetectedAt, i.AcknowledgedAt, i.ResolvedAt,
            r.ImpactMinutes, [.. r.Components.Select(c => new RegisterComponentDto(c.Component.Key, c.Component.Name(Texts.Japanese), c.Impact))],
            i.ImpactScope, i.AffectedUsersEstimate, i.Cause, r.CauseClass, r.Remarks, r.Reportable, r.FilingsSubmitted, r.FilingsRequired,
            r.ActionItems, r.ActionItemsDone, r.ReportStatus, i.Commander?.DisplayName);
    }
}

public sealed record ClassifyRequest(CauseClass? CauseClass, string? Remarks);

public sealed record RegisterEntryDto(Guid IncidentId, CauseClass CauseClass, string? Remarks, string? UpdatedBy, DateTime UpdatedAt);

public static class RegisterApi
{
    public static IHostApplicationBuilder AddRegister(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<FailureRegister>();
        builder.Services.AddNavItem(new NavItem(70, "/ops/register", () => RegisterStrings.T("RegisterTitle")));
        builder.Services.AddUiPanel<Pages.RegisterPanel>(UiPanels.Incident, 40);
        return builder;
    }

    public static IEndpointRouteBuilder MapRegister(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/register").WithTags("Failure register");
        api.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("GetFailureRegister")
            .WithSummary("The failure register (システム障害記録台帳); format=csv gives UTF-8 CSV with BOM for Excel (lang=ja|en headers).");
        api.MapGet("/trends", Trends).RequireAuthorization(Policies.Read).WithName("GetRegisterTrends")
            .WithSummary("Counts and impact minutes by month, category, component, cause class and level.");
        api.MapPut("/{id}", Classify).RequireAuthorization(Policies.Respond).WithName("ClassifyIncident")
            .WithSummary("Set an incident's cause class and register remarks.");
        app.MapGet("/ops/register/export", List).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        return app;
    }

    internal static (Validation, RegisterFilter) ParseFilter(string? from, string? to, int? level, string? category, string? component,
        string? causeClass, string? status, bool? reportable, bool? drills, int? limit)
    {
        var v = new Validation().Range("level", level, 1, 3).Range("limit", limit, 1, FailureRegister.MaxRows).Text("component", component, 100);
        DateOnly? F(string field, string? s) => ParseDate(v, field, s);
        T? E<T>(string field, string? s) where T : struct, Enum
        {
            if (s is null)
            {
                return null;
            }
            if (WireEnum.TryParse<T>(s, out var e))
            {
                return e;
            }
            v.Add(field, Validation.Text("UnknownValue", s.Length > 40 ? s[..40] : s, WireEnum.Accepted<T>()));
            return null;
        }
        var filter = new RegisterFilter(F("from", from), F("to", to), level, E<ComponentCategory>("category", category), component,
            E<CauseClass>("causeClass", causeClass), E<IncidentStatus>("status", status), reportable, drills ?? false, limit ?? FailureRegister.MaxRows);
        if (filter.From > filter.To)
        {
            v.Add("to", RegisterStrings.T("ToBeforeFrom"));
        }
        return (v, filter);
    }

    /// <summary>A Japan-time calendar day in a query (<c>2026-11-20</c>), or a field error.</summary>
    internal static DateOnly? ParseDate(Validation v, string field, string? s)
    {
        if (s is null)
        {
            return null;
        }
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }
        v.Add(field, RegisterStrings.T("BadDate"));
        return null;
    }

    private static async Task<Results<Ok<RegisterRowDto[]>, FileContentHttpResult, ValidationProblem>> List(
        ClaimsPrincipal user, FailureRegister register, TimeProvider time, string? format, string? lang, string? from, string? to, int? level, string? category,
        string? component, string? causeClass, string? status, bool? reportable, bool? drills, int? limit, CancellationToken ct)
    {
        var (v, filter) = ParseFilter(from, to, level, category, component, causeClass, status, reportable, drills, limit);
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (!csv && format is { Length: > 0 } && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            v.Add("format", Validation.Text("UnknownValue", format.Length > 40 ? format[..40] : format, "json, csv"));
        }
        var language = lang is null ? Lang.Current : ReportsApi.ParseLang(v, lang);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var rows = await register.RowsAsync(filter, Caller.From(user), ct);
        if (!csv)
        {
            return TypedResults.Ok(rows.Select(RegisterRowDto.From).ToArray());
        }
        var today = Tokyo.FromUtc(time.GetUtcNow().UtcDateTime).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return TypedResults.File(RegisterCsv.Write(rows, language), "text/csv; charset=utf-8", $"failure-register-{today}.csv");
    }

    private static async Task<Results<Ok<TrendsDto>, ValidationProblem>> Trends(
        ClaimsPrincipal user, FailureRegister register, string? from, string? to, int? level, string? category, string? component,
        string? causeClass, bool? reportable, bool? drills, CancellationToken ct)
    {
        var (v, filter) = ParseFilter(from, to, level, category, component, causeClass, null, reportable, drills, null);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var rows = await register.RowsAsync(filter, Caller.From(user), ct);
        return TypedResults.Ok(RegisterTrends.Compute(rows, filter.From, filter.To));
    }

    private static async Task<Results<Ok<RegisterEntryDto>, ValidationProblem, ProblemHttpResult>> Classify(
        string id, ClassifyRequest req, ClaimsPrincipal user, IncidentService incidents, FailureRegister register, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation().Required("causeClass", req.CauseClass).Text("remarks", req.Remarks, RegisterModel.Remarks);
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
        var result = await register.ClassifyAsync(incident.Id, req.CauseClass!.Value, string.IsNullOrWhiteSpace(req.Remarks) ? null : req.Remarks.Trim(),
            caller.Actor, time.GetUtcNow().UtcDateTime, ct);
        return result.Value is { } e
            ? TypedResults.Ok(new RegisterEntryDto(e.IncidentId, e.CauseClass, e.Remarks, e.UpdatedByName, e.UpdatedAt))
            : OpResults.Conflict((ConflictError)result.Error!);
    }
}
