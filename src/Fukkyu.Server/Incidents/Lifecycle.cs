namespace Fukkyu.Server.Incidents;

/// <summary>Statuspage's incident vocabulary, which public consumers already understand.</summary>
public enum PublicIncidentStatus
{
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Postmortem,
}

/// <summary>
/// DESIGN §3: detected → triaging → investigating → recovering → verifying → resolved →
/// post_incident → closed, with the relapses recovering → investigating and verifying → recovering.
/// </summary>
public static class Lifecycle
{
    private static readonly Dictionary<IncidentStatus, IncidentStatus[]> Next = new()
    {
        [IncidentStatus.Detected] = [IncidentStatus.Triaging],
        [IncidentStatus.Triaging] = [IncidentStatus.Investigating],
        [IncidentStatus.Investigating] = [IncidentStatus.Recovering],
        [IncidentStatus.Recovering] = [IncidentStatus.Verifying, IncidentStatus.Investigating],
        [IncidentStatus.Verifying] = [IncidentStatus.Resolved, IncidentStatus.Recovering],
        [IncidentStatus.Resolved] = [IncidentStatus.PostIncident],
        [IncidentStatus.PostIncident] = [IncidentStatus.Closed],
        [IncidentStatus.Closed] = [],
    };

    /// <summary>
    /// Statuses of an incident not yet resolved. Use this set in queries — never compare statuses
    /// with &lt; or &gt;: they are stored by name, and names do not sort in lifecycle order.
    /// </summary>
    public static readonly IncidentStatus[] Open =
        [IncidentStatus.Detected, IncidentStatus.Triaging, IncidentStatus.Investigating, IncidentStatus.Recovering, IncidentStatus.Verifying];

    public static readonly IncidentStatus[] Ended = [IncidentStatus.Resolved, IncidentStatus.PostIncident, IncidentStatus.Closed];

    public static IReadOnlyList<IncidentStatus> AllowedFrom(IncidentStatus from) => Next[from];

    public static bool IsAllowed(IncidentStatus from, IncidentStatus to) => Next[from].Contains(to);

    /// <summary>
    /// The public face of an internal status. <paramref name="reportPublished"/> decides whether
    /// post_incident and closed show as <c>postmortem</c> or stay <c>resolved</c>.
    /// </summary>
    public static PublicIncidentStatus? PublicStatus(IncidentStatus status, bool reportPublished = false) => status switch
    {
        IncidentStatus.Detected => null, // not yet confirmed: nothing public
        IncidentStatus.Triaging or IncidentStatus.Investigating => PublicIncidentStatus.Investigating,
        IncidentStatus.Recovering => PublicIncidentStatus.Identified,
        IncidentStatus.Verifying => PublicIncidentStatus.Monitoring,
        IncidentStatus.Resolved => PublicIncidentStatus.Resolved,
        IncidentStatus.PostIncident or IncidentStatus.Closed => reportPublished ? PublicIncidentStatus.Postmortem : PublicIncidentStatus.Resolved,
        _ => null,
    };
}
