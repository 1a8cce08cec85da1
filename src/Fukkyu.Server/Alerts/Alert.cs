using System.Text.Json.Serialization;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Alerts;

/// <summary>The wire names are the issue's: <c>events-v2</c>, <c>alertmanager</c>, <c>generic</c>.</summary>
public enum IntegrationType
{
    [JsonStringEnumMemberName("events-v2")]
    EventsV2,
    Alertmanager,
    Generic,
}

/// <summary>Where an alert came from: an integration, one of our monitors, or the reports intake.</summary>
public enum AlertOrigin
{
    Integration,
    Monitor,
    Reports,
}

/// <summary>PagerDuty's alert states.</summary>
public enum AlertStatus
{
    Triggered,
    Acknowledged,
    Resolved,
}

/// <summary>PagerDuty's severities, most severe first (the order is used for "at least").</summary>
public enum AlertSeverity
{
    Critical,
    Error,
    Warning,
    Info,
}

public enum AlertAction
{
    Trigger,
    Acknowledge,
    Resolve,
}

/// <summary>What routing did with an alert.</summary>
public enum RoutingOutcome
{
    /// <summary>Recorded only: a rule said so, or no rule matched and the default records.</summary>
    Recorded,
    /// <summary>Opened a new incident.</summary>
    Opened,
    /// <summary>Attached to the open incident of its component.</summary>
    Attached,
    /// <summary>The rule wanted an incident but the alert names no known component.</summary>
    NoComponent,
    /// <summary>The rule wanted to attach but the component has no open incident.</summary>
    NoOpenIncident,
    /// <summary>Resolved before it was routed: nothing to open.</summary>
    ResolvedBeforeRouting,
}

/// <summary>
/// A source of alerts with its own secret key: a PagerDuty Events v2 sender, an Alertmanager
/// receiver or a generic JSON sender. Only a SHA-256 of the key is stored.
/// </summary>
public sealed class Integration : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public IntegrationType Type { get; set; }
    /// <summary>The component an alert concerns when it names none itself.</summary>
    public Guid? ComponentId { get; set; }
    public Component? Component { get; set; }
    public required string KeyHash { get; set; }
    /// <summary>The first characters of the key, to recognise it in lists.</summary>
    public required string KeyPrefix { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    /// <summary>A disabled integration's key is answered exactly like an unknown key.</summary>
    public DateTime? DisabledAt { get; set; }
    public int Version { get; set; }
}

/// <summary>
/// One alert: all events with the same dedup key from the same source while it is open. A
/// trigger after a resolve opens a new alert (PagerDuty's rule) unless the key is flapping,
/// in which case the last alert is reopened and routing stays quiet until it settles.
/// </summary>
public sealed class Alert : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public AlertOrigin Origin { get; set; }
    /// <summary>The integration, monitor or component (reports) the alert came from.</summary>
    public Guid SourceId { get; set; }
    /// <summary>Name of the source when the alert was opened, for lists.</summary>
    public required string SourceName { get; set; }
    public required string DedupKey { get; set; }
    public AlertStatus Status { get; set; } = AlertStatus.Triggered;
    public AlertSeverity Severity { get; set; } = AlertSeverity.Error;
    public required string Summary { get; set; }
    /// <summary>PagerDuty's <c>source</c>: the affected system (host, service).</summary>
    public string? Source { get; set; }
    /// <summary>The component as the sender named it.</summary>
    public string? ComponentName { get; set; }
    /// <summary>The catalog component it resolved to (by key), or the integration's component.</summary>
    public Guid? ComponentId { get; set; }
    public string? Group { get; set; }
    public string? Class { get; set; }
    /// <summary>Labels as a JSON object of strings (Alertmanager labels, generic labels).</summary>
    public string? Labels { get; set; }
    /// <summary>Details as JSON (custom_details, annotations).</summary>
    public string? Details { get; set; }
    /// <summary>Links as a JSON array of <c>{href,text}</c>, images of <c>{src,href,alt}</c>.</summary>
    public string? Links { get; set; }
    public string? Images { get; set; }
    public string? Client { get; set; }
    public string? ClientUrl { get; set; }

    /// <summary>When the failure began, as the sender reported it (startsAt, payload.timestamp).</summary>
    public DateTime? StartedAt { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSeenAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
    /// <summary>Events folded into this alert (triggers, acknowledgements, the resolve).</summary>
    public int Count { get; set; }

    /// <summary>Firing/resolved changes of this dedup key since <see cref="WindowStartedAt"/>.</summary>
    public int StateChanges { get; set; }
    public DateTime WindowStartedAt { get; set; }
    public DateTime LastChangeAt { get; set; }
    public bool Flapping { get; set; }

    /// <summary>Set when the status changed and routing has not acted on it yet.</summary>
    public bool NeedsRouting { get; set; }
    /// <summary>
    /// Bumped on every status change (not on duplicates): routing writes its outcome only if this
    /// is still what it read, so a change in between is never lost and duplicates never get in the way.
    /// </summary>
    public int StateSeq { get; set; }
    /// <summary>The status routing last acted on: triggered (opened/attached) or resolved (posted).</summary>
    public AlertStatus? RoutedStatus { get; set; }
    public RoutingOutcome? Outcome { get; set; }
    public Guid? RuleId { get; set; }
    public Guid? IncidentId { get; set; }
    public int Version { get; set; }

    public bool IsOpen => Status != AlertStatus.Resolved;

    /// <summary>A shallow copy (every property is a value or an immutable string).</summary>
    internal Alert Copy() => (Alert)MemberwiseClone();

    /// <summary>Failure time for an incident: what the sender reported, else when we first heard.</summary>
    public DateTime FirstFailureAt => StartedAt is { } s && s < FirstSeenAt ? s : FirstSeenAt;
}

/// <summary>A PagerDuty change event (a deploy, a config change): recorded for context, never alerting.</summary>
public sealed class ChangeEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IntegrationId { get; set; }
    public required string Summary { get; set; }
    public string? Source { get; set; }
    public DateTime? Timestamp { get; set; }
    public DateTime ReceivedAt { get; set; }
    public string? Details { get; set; }
    public string? Links { get; set; }
}

public static class AlertLimits
{
    public const int DedupKey = 255;
    public const int Summary = 1024;
    public const int Field = 1024;
    public const int Name = 200;
    public const int Json = 64 * 1024;
    public const int Labels = 16 * 1024;
    public const int Links = 50;
    /// <summary>PagerDuty's payload limit.</summary>
    public const int EventBytes = 512 * 1024;
}

public static class AlertModel
{
    public static void ConfigureAlerts(this ModelBuilder b)
    {
        b.Entity<Integration>(e =>
        {
            e.ToTable("integrations");
            e.HasIndex(i => i.KeyHash).IsUnique();
            e.Property(i => i.Name).HasMaxLength(AlertLimits.Name);
            e.Property(i => i.KeyHash).HasMaxLength(64);
            e.Property(i => i.KeyPrefix).HasMaxLength(16);
            e.Property(i => i.CreatedBy).HasMaxLength(200);
            e.Property(i => i.Version).IsConcurrencyToken();
            e.HasOne(i => i.Component).WithMany().HasForeignKey(i => i.ComponentId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<Alert>(e =>
        {
            e.ToTable("alerts");
            // PagerDuty's dedup: at most one open alert per source and key. Both providers
            // understand this filter, so the migrations stay one model.
            e.HasIndex(a => new { a.SourceId, a.DedupKey }).IsUnique().HasFilter("resolved_at IS NULL");
            e.HasIndex(a => new { a.SourceId, a.DedupKey, a.ResolvedAt });
            e.HasIndex(a => a.NeedsRouting).HasFilter("needs_routing");
            e.HasIndex(a => a.LastSeenAt);
            e.HasIndex(a => a.IncidentId);
            e.HasIndex(a => new { a.Status, a.LastSeenAt });
            e.Property(a => a.SourceName).HasMaxLength(AlertLimits.Name);
            e.Property(a => a.DedupKey).HasMaxLength(AlertLimits.DedupKey);
            e.Property(a => a.Summary).HasMaxLength(AlertLimits.Summary);
            e.Property(a => a.Source).HasMaxLength(AlertLimits.Field);
            e.Property(a => a.ComponentName).HasMaxLength(AlertLimits.Field);
            e.Property(a => a.Group).HasMaxLength(AlertLimits.Field);
            e.Property(a => a.Class).HasMaxLength(AlertLimits.Field);
            e.Property(a => a.Labels).HasMaxLength(AlertLimits.Labels);
            e.Property(a => a.Details).HasMaxLength(AlertLimits.EventBytes);
            e.Property(a => a.Links).HasMaxLength(AlertLimits.Json);
            e.Property(a => a.Images).HasMaxLength(AlertLimits.Json);
            e.Property(a => a.Client).HasMaxLength(AlertLimits.Field);
            e.Property(a => a.ClientUrl).HasMaxLength(AlertLimits.Field);
            e.Property(a => a.Version).IsConcurrencyToken();
            e.HasOne<Component>().WithMany().HasForeignKey(a => a.ComponentId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Incident>().WithMany().HasForeignKey(a => a.IncidentId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<ChangeEvent>(e =>
        {
            e.ToTable("change_events");
            e.HasIndex(c => c.ReceivedAt);
            e.HasIndex(c => c.IntegrationId);
            e.Property(c => c.Summary).HasMaxLength(AlertLimits.Summary);
            e.Property(c => c.Source).HasMaxLength(AlertLimits.Field);
            e.Property(c => c.Details).HasMaxLength(AlertLimits.EventBytes);
            e.Property(c => c.Links).HasMaxLength(AlertLimits.Json);
        });
        b.Entity<RoutingRule>(e =>
        {
            e.ToTable("routing_rules");
            e.HasIndex(r => r.Position);
            e.Property(r => r.Name).HasMaxLength(AlertLimits.Name);
            e.Property(r => r.Labels).HasMaxLength(AlertLimits.Labels);
            e.Property(r => r.Version).IsConcurrencyToken();
        });
    }
}
