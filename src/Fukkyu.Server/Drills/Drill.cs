using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Drills;

public enum DrillStatus
{
    Running,
    Ended,
}

/// <summary>
/// One run of a scenario: its drill incident (flagged, never public, never reported, paging only
/// its members — the participants), the fault injected and cleared. Its report is written from
/// this row and the incident's hash-chained timeline up to the end, so it reads the same every time.
/// </summary>
public sealed class Drill : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string ScenarioKey { get; set; }
    /// <summary>The scenario as it was when the drill started.</summary>
    public required string Scenario { get; set; }
    public Guid IncidentId { get; set; }
    public DrillStatus Status { get; set; }
    public Guid? StartedById { get; set; }
    public string? StartedByName { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? InjectedAt { get; set; }
    /// <summary>HTTP status of the injection, or null when there was none or it never answered.</summary>
    public int? InjectStatus { get; set; }
    public string? InjectError { get; set; }
    public DateTime? ClearedAt { get; set; }
    public int? ClearStatus { get; set; }
    public string? ClearError { get; set; }
    public DateTime? EndedAt { get; set; }
    public string? EndedByName { get; set; }
    /// <summary>What the team learnt, written by the participants.</summary>
    public string? Findings { get; set; }
    public int Version { get; set; }
}

public static class DrillModel
{
    public const int Findings = 20_000;

    public static void ConfigureDrills(this ModelBuilder b)
    {
        b.Entity<Drill>(e =>
        {
            e.ToTable("drills");
            e.HasIndex(d => d.IncidentId).IsUnique();
            e.HasIndex(d => new { d.Status, d.StartedAt });
            e.Property(d => d.ScenarioKey).HasMaxLength(60);
            e.Property(d => d.Scenario).HasMaxLength(64_000);
            e.Property(d => d.StartedByName).HasMaxLength(200);
            e.Property(d => d.EndedByName).HasMaxLength(200);
            e.Property(d => d.InjectError).HasMaxLength(2000);
            e.Property(d => d.ClearError).HasMaxLength(2000);
            e.Property(d => d.Findings).HasMaxLength(Findings);
            e.Property(d => d.Version).IsConcurrencyToken();
            e.HasOne<Incident>().WithOne().HasForeignKey<Drill>(d => d.IncidentId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<DrillScenarioRow>(e =>
        {
            e.ToTable("drill_scenarios");
            e.HasKey(s => s.Key);
            e.Property(s => s.Key).HasMaxLength(60);
            e.Property(s => s.Definition).HasMaxLength(64_000);
            e.Property(s => s.UpdatedByName).HasMaxLength(200);
            e.Property(s => s.Version).IsConcurrencyToken();
        });
    }
}
