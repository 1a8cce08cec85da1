namespace Fukkyu.Server.Alerts;

/// <summary>Who sent an event: an integration, a monitor, or the reports intake.</summary>
public sealed record AlertSender(AlertOrigin Origin, Guid Id, string Name, Guid? ComponentId);

/// <summary>
/// One inbound event, already validated and normalised from whichever format it came in
/// (Events v2, Alertmanager, generic JSON, a monitor's state change, the reports threshold).
/// </summary>
public sealed record AlertEvent(
    AlertSender Sender,
    AlertAction Action,
    string DedupKey,
    DateTime ReceivedAt,
    string? Summary = null,
    AlertSeverity? Severity = null,
    string? Source = null,
    string? Component = null,
    string? Group = null,
    string? Class = null,
    string? Labels = null,
    string? Details = null,
    string? Links = null,
    string? Images = null,
    string? Client = null,
    string? ClientUrl = null,
    DateTime? OccurredAt = null);

/// <summary>A change event to record (PagerDuty <c>/v2/change/enqueue</c>).</summary>
public sealed record ChangeEventInput(Guid IntegrationId, string Summary, string? Source, DateTime? Timestamp, DateTime ReceivedAt, string? Details, string? Links);

public sealed class AlertOptions
{
    public const string Section = "Fukkyu:Alerts";

    /// <summary>Most events committed in one transaction.</summary>
    public int MaxBatchEvents { get; set; } = 5000;
    /// <summary>
    /// How long acknowledged events wait in the alert log at least before they are folded into
    /// alerts (and routed). Under load the wait grows so that folding takes at most
    /// <see cref="FoldTimeSharePercent"/> of the committer's time, up to <see cref="MaxFoldDelayMilliseconds"/>:
    /// a longer wait folds more duplicates into one write. Readers of the alerts API never wait for it.
    /// </summary>
    public int FoldDelayMilliseconds { get; set; } = 20;
    public int MaxFoldDelayMilliseconds { get; set; } = 1000;
    public int FoldTimeSharePercent { get; set; } = 10;
    /// <summary>Most events folded in one transaction; a backlog this big is folded at once.</summary>
    public int MaxFoldEvents { get; set; } = 20_000;
    /// <summary>Log rows this old that no node holds (another node crashed) are adopted and folded.</summary>
    public int OrphanLogSeconds { get; set; } = 30;
    /// <summary>Requests waiting for a commit before senders are told to slow down (429).</summary>
    public int QueueCapacity { get; set; } = 50_000;
    /// <summary>Firing/resolved changes counted within this window to detect flapping.</summary>
    public int FlapWindowSeconds { get; set; } = 600;
    /// <summary>This many firing/resolved changes within the window make a key flapping.</summary>
    public int FlapThreshold { get; set; } = 4;
    /// <summary>A flapping alert settles after this long without a change; routing then acts once.</summary>
    public int FlapQuietSeconds { get; set; } = 300;
    /// <summary>What an alert does when no rule matches and it is at least <see cref="DefaultMinSeverity"/>.</summary>
    public RoutingAction DefaultAction { get; set; } = RoutingAction.OpenIncident;
    /// <summary>Below this severity an unmatched alert is only recorded.</summary>
    public AlertSeverity DefaultMinSeverity { get; set; } = AlertSeverity.Error;
    /// <summary>How often a node re-reads integration keys changed on other nodes.</summary>
    public int KeyRefreshSeconds { get; set; } = 10;
    /// <summary>How often the router looks even without a signal (other nodes' commits, flap settling).</summary>
    public int RouterSweepSeconds { get; set; } = 5;
}
