namespace Fukkyu.Server.StatusPage;

/// <summary>A published post-incident report, as far as the public sees it.</summary>
/// <param name="Url">Where the full report lives, when it is published elsewhere.</param>
public sealed record PublicReport(Guid IncidentId, DateTime PublishedAt, string? SummaryJa, string? SummaryEn, string? Url);

/// <summary>
/// How the post-incident feature tells the status page that an incident's report is published.
/// Once it is, <c>post_incident</c> and <c>closed</c> incidents show as <c>postmortem</c>
/// (<see cref="Incidents.Lifecycle.PublicStatus"/> with <c>reportPublished: true</c>) and the summary
/// is shown on the incident's public page. Register one implementation in DI and raise
/// <see cref="Infrastructure.ChangeSignal"/> (<c>incidents</c>) after publishing so the page is
/// rebuilt at once. Without an implementation no incident shows a postmortem.
/// </summary>
public interface IPublicReportSource
{
    Task<IReadOnlyList<PublicReport>> PublishedAsync(IReadOnlyCollection<Guid> incidentIds, CancellationToken ct);
}
