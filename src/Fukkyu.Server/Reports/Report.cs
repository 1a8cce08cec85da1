using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Reports;

/// <summary>
/// A failure reported by a customer (through support) or by staff — the manual's 2.1: when it
/// happened, what, the impact as seen, and who reported it with a contact.
/// </summary>
public sealed class Report : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>When it happened, as the reporter says.</summary>
    public DateTime? OccurredAt { get; set; }
    public required string What { get; set; }
    public string? ImpactSeen { get; set; }
    public required string ReporterName { get; set; }
    public string? ReporterContact { get; set; }
    /// <summary>Support (a customer, through support) or internal (staff).</summary>
    public ReporterChannel Channel { get; set; } = ReporterChannel.Support;
    /// <summary>The customer's own reference (an inquiry or account number), when there is one.</summary>
    public string? CustomerReference { get; set; }
    public Guid? ComponentId { get; set; }
    public Component? Component { get; set; }
    public Guid? IncidentId { get; set; }
    public DateTime? LinkedAt { get; set; }
    public string? LinkedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid? CreatedById { get; set; }
    public required string CreatedBy { get; set; }
    public int Version { get; set; }
}

public static class ReportLimits
{
    public const int What = 4000;
    public const int Impact = 2000;
    public const int Name = 200;
    public const int Contact = 320;
    public const int Reference = 100;
}

public static class ReportModel
{
    public static void ConfigureReports(this ModelBuilder b)
    {
        b.Entity<Report>(e =>
        {
            e.ToTable("reports");
            e.HasIndex(r => new { r.ComponentId, r.CreatedAt });
            e.HasIndex(r => r.CreatedAt);
            e.HasIndex(r => r.IncidentId);
            e.Property(r => r.What).HasMaxLength(ReportLimits.What);
            e.Property(r => r.ImpactSeen).HasMaxLength(ReportLimits.Impact);
            e.Property(r => r.ReporterName).HasMaxLength(ReportLimits.Name);
            e.Property(r => r.ReporterContact).HasMaxLength(ReportLimits.Contact);
            e.Property(r => r.CustomerReference).HasMaxLength(ReportLimits.Reference);
            e.Property(r => r.LinkedBy).HasMaxLength(200);
            e.Property(r => r.CreatedBy).HasMaxLength(200);
            e.Property(r => r.Version).IsConcurrencyToken();
            e.HasOne(r => r.Component).WithMany().HasForeignKey(r => r.ComponentId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne<Incident>().WithMany().HasForeignKey(r => r.IncidentId).OnDelete(DeleteBehavior.SetNull);
        });
    }
}

public sealed class ReportOptions
{
    public const string Section = "Fukkyu:Reports";

    /// <summary>This many reports about one component within the window raise an alert.</summary>
    public int AlertThreshold { get; set; } = 3;
    public int WindowMinutes { get; set; } = 15;
    public Alerts.AlertSeverity AlertSeverity { get; set; } = Alerts.AlertSeverity.Error;
    /// <summary>Open incidents suggested for a report, best first.</summary>
    public int MaxSuggestions { get; set; } = 5;
}
