using System.Text.Json;
using Fukkyu.Server.Incidents;

namespace Fukkyu.Server.PostIncident;

/// <summary>
/// The milestones of an incident as the timeline recorded them: detection → acknowledgement →
/// recovery work → recovered (service restored, being watched) → resolved.
/// </summary>
public sealed record IncidentTimes(
    DateTime? StartedAt,
    DateTime DetectedAt,
    DateTime? AcknowledgedAt,
    DateTime? RecoveryStartedAt,
    DateTime? RecoveredAt,
    DateTime? ResolvedAt)
{
    /// <summary>Started → detected; only when the start is known and not after detection.</summary>
    public TimeSpan? TimeToDetect => StartedAt is { } s && s <= DetectedAt ? DetectedAt - s : null;

    public TimeSpan? TimeToAcknowledge => AcknowledgedAt - DetectedAt;

    public TimeSpan? TimeToRecover => RecoveredAt - DetectedAt;

    public TimeSpan? TimeToResolve => ResolvedAt - DetectedAt;

    /// <summary>When users were affected: from the start (or detection) to recovery (or resolution).</summary>
    public DateTime ImpactFrom => StartedAt is { } s && s <= DetectedAt ? s : DetectedAt;

    public DateTime? ImpactUntil => RecoveredAt ?? ResolvedAt;

    /// <summary>
    /// Reads the status changes of the timeline. Relapses count: recovery starts at the first move
    /// to recovering, and the service counts as recovered at the last move to verifying.
    /// </summary>
    public static IncidentTimes From(Incident incident, IEnumerable<TimelineEntry> timeline)
    {
        DateTime? ack = null, recovering = null, verifying = null, resolved = null;
        foreach (var e in timeline.Where(e => e.Kind == TimelineKinds.Status).OrderBy(e => e.Seq))
        {
            switch (StatusTo(e))
            {
                case "triaging":
                    ack ??= e.At;
                    break;
                case "recovering":
                    recovering ??= e.At;
                    break;
                case "verifying":
                    verifying = e.At;
                    break;
                case "resolved":
                    resolved ??= e.At;
                    break;
            }
        }
        ack ??= incident.AcknowledgedAt;
        recovering ??= incident.IdentifiedAt;
        resolved ??= incident.ResolvedAt;
        verifying ??= incident.MonitoringAt ?? resolved;
        return new IncidentTimes(incident.StartedAt, incident.DetectedAt, ack, recovering, verifying, resolved);
    }

    private static string? StatusTo(TimelineEntry e)
    {
        if (e.Data is not { Length: > 0 } json)
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("to", out var to) && to.ValueKind == JsonValueKind.String
                ? to.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
