using Fukkyu.Server.Alerts;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Reports;

public sealed record SubmitReport(DateTime? OccurredAt, string What, string? ImpactSeen, string ReporterName, string? ReporterContact,
    ReporterChannel Channel, string? CustomerReference, string? Component);

public sealed record DeclareFromReport(string? Title, ComponentCategory? Category, ImpactScope ImpactScope, int? ExpectedRecoveryMinutes, bool Security);

public static class ReportTimelineKinds
{
    public const string Linked = "report_linked";
}

/// <summary>
/// Reports intake for the API and the forms alike: takes a report, suggests the open incidents
/// it may be about, links it to one or declares one from it, and raises an alert when several
/// reports about one component arrive within the window.
/// </summary>
public sealed class ReportService(FukkyuDb db, IncidentService incidents, AlertIngest ingest, IOptions<ReportOptions> options, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private static readonly IncidentStatus[] OpenStatuses =
        [IncidentStatus.Detected, IncidentStatus.Triaging, IncidentStatus.Investigating, IncidentStatus.Recovering, IncidentStatus.Verifying];

    public static Validation Validate(SubmitReport r)
    {
        var v = new Validation();
        v.Text("what", r.What, ReportLimits.What, required: true)
         .Text("impactSeen", r.ImpactSeen, ReportLimits.Impact)
         .Text("reporterName", r.ReporterName, ReportLimits.Name, required: true)
         .Text("reporterContact", r.ReporterContact, ReportLimits.Contact)
         .Text("customerReference", r.CustomerReference, ReportLimits.Reference)
         .MaxLength("componentId", r.Component, 100);
        if (r.Channel == ReporterChannel.Monitoring)
        {
            v.Add("channel", Validation.Text("UnknownValue", "monitoring", "support, internal"));
        }
        return v;
    }

    public async Task<OpResult<Report>> SubmitAsync(SubmitReport r, Actor actor, CancellationToken ct)
    {
        var v = Validate(r);
        Component? component = null;
        if (r.Component is { Length: > 0 } key)
        {
            component = await CatalogApi.Find(db.Components.AsNoTracking(), key, ct);
            if (component is null)
            {
                v.Add("componentId", Validation.Text("UnknownId", key));
            }
        }
        var now = Now;
        if (r.OccurredAt > now.AddMinutes(5))
        {
            v.Add("occurredAt", ReportStrings.T("InTheFuture"));
        }
        if (!v.IsValid)
        {
            return new InvalidError(v.Errors);
        }
        var report = new Report
        {
            OccurredAt = r.OccurredAt?.ToUniversalTime(),
            What = r.What.Trim(),
            ImpactSeen = Clean(r.ImpactSeen),
            ReporterName = r.ReporterName.Trim(),
            ReporterContact = Clean(r.ReporterContact),
            Channel = r.Channel,
            CustomerReference = Clean(r.CustomerReference),
            ComponentId = component?.Id,
            CreatedAt = now,
            CreatedById = actor.UserId,
            CreatedBy = actor.Name,
        };
        db.Reports.Add(report);
        await db.SaveChangesAsync(ct);
        report.Component = component;
        if (component is not null)
        {
            await RaiseAlertWhenManyAsync(report, component, ct);
        }
        return report;
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>N reports about one component within the window: an alert, routed like any other.</summary>
    private async Task RaiseAlertWhenManyAsync(Report report, Component component, CancellationToken ct)
    {
        var o = options.Value;
        var since = report.CreatedAt.AddMinutes(-o.WindowMinutes);
        var count = await db.Reports.CountAsync(r => r.ComponentId == component.Id && r.CreatedAt >= since, ct);
        if (count < o.AlertThreshold)
        {
            return;
        }
        var name = component.Name(Texts.Japanese);
        await ingest.SubmitAsync(new AlertEvent(
            Sender(component), AlertAction.Trigger, DedupKey, Now,
            Summary: ReportStrings.T("AlertSummary", count, name, o.WindowMinutes),
            Severity: o.AlertSeverity,
            Source: ReportStrings.T("SourceName"),
            Details: System.Text.Json.JsonSerializer.Serialize(new { reports = count, windowMinutes = o.WindowMinutes, latest = report.What }),
            Client: "Fukkyu reports intake",
            OccurredAt: report.OccurredAt ?? report.CreatedAt));
    }

    public const string DedupKey = "reports";

    public static AlertSender Sender(Component component) =>
        new(AlertOrigin.Reports, component.Id, $"{ReportStrings.T("SourceName")}: {component.Key}", component.Id);

    public async Task<IReadOnlyList<Suggestion>> SuggestAsync(Report report, Caller caller, CancellationToken ct)
    {
        var open = await IncidentService.Visible(incidents.WithDetails(tracking: false), caller)
            .Where(i => OpenStatuses.Contains(i.Status)).OrderByDescending(i => i.DetectedAt).Take(200).ToListAsync(ct);
        var component = report.Component ?? (report.ComponentId is { } cid ? await db.Components.AsNoTracking().FirstOrDefaultAsync(c => c.Id == cid, ct) : null);
        return ReportMatcher.Suggest(report, component, open, options.Value.MaxSuggestions);
    }

    public async Task<OpResult<Report>> LinkAsync(Guid reportId, string incidentIdOrNumber, Caller caller, CancellationToken ct)
    {
        var report = await db.Reports.FirstOrDefaultAsync(r => r.Id == reportId, ct);
        if (report is null)
        {
            return NotFoundError.Instance;
        }
        var incident = await incidents.FindAsync(incidentIdOrNumber, caller, tracking: true, ct);
        if (incident is null)
        {
            return new InvalidError(new() { ["incidentId"] = [Validation.Text("UnknownId", incidentIdOrNumber)] });
        }
        if (incident.Status == IncidentStatus.Closed)
        {
            return new ConflictError("closed", IncidentStrings.T("Closed"));
        }
        if (report.IncidentId == incident.Id)
        {
            return report;
        }
        var now = Now;
        report.IncidentId = incident.Id;
        report.LinkedAt = now;
        report.LinkedBy = caller.Actor.Name;
        // The timeline is permanent: it gets what was reported, not who reported it (the report keeps that).
        Timeline.Append(db, incident, caller.Actor, now, ReportTimelineKinds.Linked, report.What, new
        {
            reportId = report.Id,
            channel = WireEnum.Name(report.Channel),
            occurredAt = report.OccurredAt,
            impactSeen = report.ImpactSeen,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new ConflictError("concurrency", Validation.Text("Conflict"));
        }
        return report;
    }

    public async Task<OpResult<Incident>> DeclareAsync(Guid reportId, DeclareFromReport d, Caller caller, CancellationToken ct)
    {
        var report = await db.Reports.AsNoTracking().Include(r => r.Component).FirstOrDefaultAsync(r => r.Id == reportId, ct);
        if (report is null)
        {
            return NotFoundError.Instance;
        }
        var category = d.Category ?? report.Component?.Category;
        if (category is null)
        {
            return new InvalidError(new() { ["category"] = [Validation.Text("Required")] });
        }
        var title = string.IsNullOrWhiteSpace(d.Title) ? Cut(report.What.ReplaceLineEndings(" "), IncidentLimits.Title) : d.Title.Trim();
        var description = report.ImpactSeen is null ? report.What : $"{report.What}\n\n{ReportStrings.T("ImpactSeen")}: {report.ImpactSeen}";
        var declared = await incidents.DeclareAsync(new DeclareIncident(
            title, category.Value, d.ImpactScope, d.ExpectedRecoveryMinutes,
            report.ComponentId is { } cid ? [new ComponentRef(cid.ToString(), null)] : [],
            Cut(description, IncidentLimits.Description),
            new Reporter { Name = report.ReporterName, Contact = report.ReporterContact, Channel = report.Channel },
            d.Security || category == ComponentCategory.Security,
            StartedAt: report.OccurredAt,
            DetectedAt: report.CreatedAt), caller, ct);
        if (declared.Value is not { } incident)
        {
            return declared;
        }
        db.ChangeTracker.Clear();
        var linked = await LinkAsync(reportId, incident.Id.ToString(), caller, ct);
        return linked.Error is { } error ? error : incident;
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..max];
}
