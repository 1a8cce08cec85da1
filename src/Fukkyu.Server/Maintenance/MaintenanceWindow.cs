using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Maintenance;

/// <summary>Statuspage's maintenance statuses, plus <c>cancelled</c> (announced, then hidden).</summary>
public enum MaintenanceStatus
{
    Scheduled,
    InProgress,
    Verifying,
    Completed,
    Cancelled,
}

/// <summary>
/// A scheduled maintenance: a window, the components it takes down, and what users should know.
/// Notices go out when it is scheduled, before it starts, at the start and at the end; during the
/// window its components are <c>under_maintenance</c>. Start and end are durable jobs.
/// </summary>
public sealed class MaintenanceWindow : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string TitleJa { get; set; }
    public required string TitleEn { get; set; }
    public required string WhatJa { get; set; }
    public required string WhatEn { get; set; }
    public required string ImpactJa { get; set; }
    public required string ImpactEn { get; set; }
    public required string AlternativesJa { get; set; }
    public required string AlternativesEn { get; set; }
    public DateTime ScheduledFor { get; set; }
    public DateTime ScheduledUntil { get; set; }
    public MaintenanceStatus Status { get; set; } = MaintenanceStatus.Scheduled;
    /// <summary>Start and complete by the clock; off means a person moves it.</summary>
    public bool AutoTransitions { get; set; } = true;
    /// <summary>A reminder notice this many minutes before the start; 0 for none.</summary>
    public int RemindMinutesBefore { get; set; } = 60;
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public DateTime? CancelledAt { get; set; }
    public Guid? CreatedById { get; set; }
    public required string CreatedByName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<MaintenanceComponent> Components { get; set; } = [];
    public int Version { get; set; }

    public string Title(bool japanese) => japanese ? TitleJa : TitleEn;

    public bool IsOver => Status is MaintenanceStatus.Completed or MaintenanceStatus.Cancelled;
}

public sealed class MaintenanceComponent
{
    public Guid MaintenanceId { get; set; }
    public Guid ComponentId { get; set; }
    public Component? Component { get; set; }
    /// <summary>The status before the window, restored at the end if nothing else changed it meanwhile.</summary>
    public ComponentStatus? StatusBefore { get; set; }
}

public static class MaintenanceModel
{
    public static void ConfigureMaintenance(this ModelBuilder b)
    {
        b.Entity<MaintenanceWindow>(e =>
        {
            e.ToTable("maintenances");
            e.HasIndex(m => new { m.Status, m.ScheduledFor });
            e.Property(m => m.TitleJa).HasMaxLength(Notices.NoticeLimits.Title);
            e.Property(m => m.TitleEn).HasMaxLength(Notices.NoticeLimits.Title);
            foreach (var p in new[] { nameof(MaintenanceWindow.WhatJa), nameof(MaintenanceWindow.WhatEn), nameof(MaintenanceWindow.ImpactJa),
                nameof(MaintenanceWindow.ImpactEn), nameof(MaintenanceWindow.AlternativesJa), nameof(MaintenanceWindow.AlternativesEn) })
            {
                e.Property(p).HasMaxLength(Notices.NoticeLimits.Field);
            }
            e.Property(m => m.CreatedByName).HasMaxLength(200);
            e.Property(m => m.Version).IsConcurrencyToken();
            e.HasMany(m => m.Components).WithOne().HasForeignKey(c => c.MaintenanceId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<MaintenanceComponent>(e =>
        {
            e.ToTable("maintenance_components");
            e.HasKey(x => new { x.MaintenanceId, x.ComponentId });
            e.HasOne(x => x.Component).WithMany().HasForeignKey(x => x.ComponentId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => x.ComponentId);
        });
    }
}
