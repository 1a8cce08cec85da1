using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Incidents;

/// <summary>DESIGN §3. Only the transitions in <see cref="Lifecycle"/> are allowed.</summary>
public enum IncidentStatus
{
    Detected,
    Triaging,
    Investigating,
    Recovering,
    Verifying,
    Resolved,
    PostIncident,
    Closed,
}

/// <summary>How many users are affected (manual 1.2).</summary>
public enum ImpactScope
{
    Some,
    Many,
    All,
}

/// <summary>How the failure became known (manual 2.1).</summary>
public enum ReporterChannel
{
    Monitoring,
    Support,
    Internal,
}

/// <summary>Statuspage-compatible impact of an incident on one component.</summary>
public enum ComponentImpact
{
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
}

public enum MemberRole
{
    Commander,
    Responder,
    Observer,
}

public sealed class Reporter
{
    public string? Name { get; set; }
    public string? Contact { get; set; }
    public ReporterChannel Channel { get; set; }
}

public sealed class Incident : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary><c>INC-2026-0001</c>: year of detection in Japan time, then a per-year sequence.</summary>
    public required string Number { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public ComponentCategory Category { get; set; }
    public ImpactScope ImpactScope { get; set; }
    public bool MainFunction { get; set; }
    public int? ExpectedRecoveryMinutes { get; set; }
    public int? AffectedUsersEstimate { get; set; }
    public string? Cause { get; set; }

    public int Level { get; set; }
    /// <summary>Which rule set the level: policy codes such as <c>scope-all</c>, or <c>manual</c>, <c>auto-escalation</c>.</summary>
    public required string LevelRule { get; set; }
    public required string LevelReasonJa { get; set; }
    public required string LevelReasonEn { get; set; }
    /// <summary>Auto-escalation counts from detection or from the last manual level change, whichever is later.</summary>
    public DateTime? LevelSetManuallyAt { get; set; }

    public IncidentStatus Status { get; set; } = IncidentStatus.Detected;
    public bool Security { get; set; }
    public bool Drill { get; set; }

    public Reporter Reporter { get; set; } = new();
    public Guid? CommanderId { get; set; }
    public User? Commander { get; set; }
    public Guid? DeclaredById { get; set; }

    public DateTime? StartedAt { get; set; }
    public DateTime DetectedAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    /// <summary>First time in <c>recovering</c>: the cause was identified and recovery began.</summary>
    public DateTime? IdentifiedAt { get; set; }
    public DateTime? MonitoringAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>Number of timeline entries and the hash of the last: a deleted tail is detectable.</summary>
    public int TimelineCount { get; set; }
    public string TimelineHead { get; set; } = TimelineHash.Genesis;

    public List<IncidentComponent> Components { get; set; } = [];
    public List<IncidentMember> Members { get; set; } = [];
    public int Version { get; set; }

    public bool IsOpen => Lifecycle.Open.Contains(Status);
}

public sealed class IncidentComponent
{
    public Guid IncidentId { get; set; }
    public Guid ComponentId { get; set; }
    public Component? Component { get; set; }
    public ComponentImpact Impact { get; set; } = ComponentImpact.MajorOutage;
}

public sealed class IncidentMember
{
    public Guid IncidentId { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public MemberRole Role { get; set; }
    public DateTime AddedAt { get; set; }
}

/// <summary>The last incident number used in a year; incremented inside the creating transaction.</summary>
public sealed class IncidentCounter
{
    public int Year { get; set; }
    public int Last { get; set; }
}

public static class IncidentModel
{
    public static void ConfigureIncidents(this ModelBuilder b)
    {
        b.Entity<Incident>(e =>
        {
            e.ToTable("incidents");
            e.HasIndex(i => i.Number).IsUnique();
            e.HasIndex(i => new { i.Status, i.Level });
            e.HasIndex(i => i.DetectedAt);
            e.Property(i => i.Number).HasMaxLength(20);
            e.Property(i => i.Title).HasMaxLength(IncidentLimits.Title);
            e.Property(i => i.Description).HasMaxLength(IncidentLimits.Description);
            e.Property(i => i.Cause).HasMaxLength(IncidentLimits.Description);
            e.Property(i => i.LevelRule).HasMaxLength(100);
            e.Property(i => i.LevelReasonJa).HasMaxLength(2000);
            e.Property(i => i.LevelReasonEn).HasMaxLength(2000);
            e.Property(i => i.TimelineHead).HasMaxLength(64);
            e.Property(i => i.Version).IsConcurrencyToken();
            e.OwnsOne(i => i.Reporter, r =>
            {
                r.Property(x => x.Name).HasColumnName("reporter_name").HasMaxLength(200);
                r.Property(x => x.Contact).HasColumnName("reporter_contact").HasMaxLength(320);
                r.Property(x => x.Channel).HasColumnName("reporter_channel");
            });
            e.Navigation(i => i.Reporter).IsRequired();
            e.HasOne(i => i.Commander).WithMany().HasForeignKey(i => i.CommanderId).OnDelete(DeleteBehavior.SetNull);
            e.HasMany(i => i.Components).WithOne().HasForeignKey(c => c.IncidentId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(i => i.Members).WithOne().HasForeignKey(m => m.IncidentId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<IncidentComponent>(e =>
        {
            e.ToTable("incident_components");
            e.HasKey(x => new { x.IncidentId, x.ComponentId });
            e.HasOne(x => x.Component).WithMany().HasForeignKey(x => x.ComponentId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => x.ComponentId);
        });
        b.Entity<IncidentMember>(e =>
        {
            e.ToTable("incident_members");
            e.HasKey(x => new { x.IncidentId, x.UserId });
            e.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => x.UserId);
        });
        b.Entity<IncidentCounter>(e =>
        {
            e.ToTable("incident_counters");
            e.HasKey(x => x.Year);
            e.Property(x => x.Year).ValueGeneratedNever();
        });
        b.Entity<TimelineEntry>(e =>
        {
            e.ToTable("timeline_entries");
            e.HasIndex(x => new { x.IncidentId, x.Seq }).IsUnique();
            e.Property(x => x.ActorName).HasMaxLength(200);
            e.Property(x => x.Kind).HasMaxLength(40);
            e.Property(x => x.Body).HasMaxLength(IncidentLimits.Note);
            e.Property(x => x.Data).HasMaxLength(16_000);
            e.Property(x => x.PrevHash).HasMaxLength(64);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

public static class IncidentLimits
{
    public const int Title = 200;
    public const int Description = 10_000;
    public const int Note = 10_000;
    public const int Reason = 2_000;
    public const int Components = 200;
}
