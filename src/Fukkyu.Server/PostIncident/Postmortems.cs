using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.PostIncident;

/// <summary>A published report's public summary: the incident's postmortem on the status page.</summary>
public sealed record Postmortem(Guid IncidentId, string BodyJa, string BodyEn, DateTime PublishedAt);

/// <summary>
/// For the status page: which incidents have a published report, and what it says. An incident
/// in post_incident or closed shows as <c>postmortem</c> exactly when it is listed here
/// (<see cref="Lifecycle.PublicStatus"/> with reportPublished). Never lists a drill.
/// </summary>
public interface IPostmortemSource
{
    Task<IReadOnlyList<Postmortem>> PublishedAsync(IReadOnlyCollection<Guid> incidentIds, CancellationToken ct);
}

internal sealed class PostmortemSource(FukkyuDb db) : IPostmortemSource
{
    public async Task<IReadOnlyList<Postmortem>> PublishedAsync(IReadOnlyCollection<Guid> incidentIds, CancellationToken ct)
    {
        var ids = incidentIds.ToList();
        var rows = await db.Set<IncidentReport>().AsNoTracking()
            .Where(r => ids.Contains(r.IncidentId) && r.Status == ReportStatus.Published && r.PublishedAt != null)
            .Join(db.Incidents.Where(i => !i.Drill), r => r.IncidentId, i => i.Id, (r, i) => new
            {
                r.IncidentId,
                PublishedAt = r.PublishedAt!.Value,
                Sections = r.Sections.Where(s => s.Key == ReportSectionKey.PublicSummary).Select(s => new { s.Language, s.Body }).ToList(),
            })
            .ToListAsync(ct);
        return [.. rows.Select(r => new Postmortem(r.IncidentId,
            r.Sections.FirstOrDefault(s => s.Language == Lang.Ja)?.Body ?? "",
            r.Sections.FirstOrDefault(s => s.Language == Lang.En)?.Body ?? "",
            r.PublishedAt))];
    }
}

/// <summary>The status page's view of published reports (its <see cref="StatusPage.IPublicReportSource"/>), from the same rows.</summary>
internal sealed class PublicReportSource(IPostmortemSource postmortems) : StatusPage.IPublicReportSource
{
    public async Task<IReadOnlyList<StatusPage.PublicReport>> PublishedAsync(IReadOnlyCollection<Guid> incidentIds, CancellationToken ct) =>
        [.. (await postmortems.PublishedAsync(incidentIds, ct)).Select(p => new StatusPage.PublicReport(p.IncidentId, p.PublishedAt,
            p.BodyJa.Length > 0 ? p.BodyJa : null, p.BodyEn.Length > 0 ? p.BodyEn : null, Url: null))];
}
