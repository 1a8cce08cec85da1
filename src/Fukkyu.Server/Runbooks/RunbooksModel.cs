using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Runbooks;

/// <summary>The manual's response phases a checklist step belongs to.</summary>
public enum RunbookPhase
{
    /// <summary>2.2: confirm, find the impact, convene, gather, first aid (restart, cache clear).</summary>
    InitialResponse,
    /// <summary>2.3: root cause, recovery, limit the impact, share information.</summary>
    TeamWork,
    /// <summary>2.4: test, monitor for a while, restart the service, tell users. The recovery gate requires these.</summary>
    Verification,
}

/// <summary>
/// A versioned checklist for a category (or every category) from a level up, attached to incidents
/// when they open or reach that level. Reviewed by a date (manual 4.3).
/// </summary>
public sealed class Runbook : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Key { get; set; }
    /// <summary>Null: applies to every category.</summary>
    public ComponentCategory? Category { get; set; }
    /// <summary>Attached to incidents at this level or higher.</summary>
    public int MinLevel { get; set; } = 1;
    public required string TitleJa { get; set; }
    public required string TitleEn { get; set; }
    public Guid? OwnerId { get; set; }
    public User? Owner { get; set; }
    public DateOnly ReviewBy { get; set; }
    public int ReviewIntervalDays { get; set; } = 180;
    public DateTime? LastReviewedAt { get; set; }
    public string? LastReviewedBy { get; set; }
    public int CurrentVersion { get; set; }
    public bool Archived { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }

    public string Title(bool japanese) => japanese ? TitleJa : TitleEn;
}

public sealed class RunbookVersion
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid RunbookId { get; set; }
    public int Number { get; set; }
    public string? ChangeNote { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string CreatedByName { get; set; }
    public List<RunbookStep> Steps { get; set; } = [];
}

public sealed class RunbookStep
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid VersionId { get; set; }
    public int Position { get; set; }
    public RunbookPhase Phase { get; set; }
    public required string TextJa { get; set; }
    public required string TextEn { get; set; }
    public bool Required { get; set; } = true;
}

/// <summary>A runbook version as attached to one incident; its items are ticked off there.</summary>
public sealed class IncidentChecklist
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IncidentId { get; set; }
    public Guid RunbookId { get; set; }
    public required string RunbookKey { get; set; }
    public int RunbookVersion { get; set; }
    public required string TitleJa { get; set; }
    public required string TitleEn { get; set; }
    /// <summary>The incident's level when it was attached.</summary>
    public int Level { get; set; }
    public DateTime AttachedAt { get; set; }
    public List<ChecklistItem> Items { get; set; } = [];
}

public sealed class ChecklistItem
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ChecklistId { get; set; }
    public Guid IncidentId { get; set; }
    public int Position { get; set; }
    public RunbookPhase Phase { get; set; }
    public required string TextJa { get; set; }
    public required string TextEn { get; set; }
    public bool Required { get; set; }
    public DateTime? DoneAt { get; set; }
    public Guid? DoneById { get; set; }
    public string? DoneByName { get; set; }
    public string? Note { get; set; }

    public string Text(bool japanese) => japanese ? TextJa : TextEn;
}

public static class RunbookLimits
{
    public const int Key = 100;
    public const int Title = 200;
    public const int StepText = 1000;
    public const int Steps = 100;
    public const int Note = 2000;
}

public static class RunbooksModel
{
    public static void ConfigureRunbooks(this ModelBuilder b)
    {
        b.Entity<Runbook>(e =>
        {
            e.ToTable("runbooks");
            e.HasIndex(r => r.Key).IsUnique();
            e.HasIndex(r => new { r.Category, r.MinLevel });
            e.Property(r => r.Key).HasMaxLength(RunbookLimits.Key);
            e.Property(r => r.TitleJa).HasMaxLength(RunbookLimits.Title);
            e.Property(r => r.TitleEn).HasMaxLength(RunbookLimits.Title);
            e.Property(r => r.LastReviewedBy).HasMaxLength(200);
            e.Property(r => r.Version).IsConcurrencyToken();
            e.HasOne(r => r.Owner).WithMany().HasForeignKey(r => r.OwnerId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<RunbookVersion>(e =>
        {
            e.ToTable("runbook_versions");
            e.HasIndex(v => new { v.RunbookId, v.Number }).IsUnique();
            e.Property(v => v.ChangeNote).HasMaxLength(RunbookLimits.Note);
            e.Property(v => v.CreatedByName).HasMaxLength(200);
            e.HasOne<Runbook>().WithMany().HasForeignKey(v => v.RunbookId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(v => v.Steps).WithOne().HasForeignKey(s => s.VersionId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<RunbookStep>(e =>
        {
            e.ToTable("runbook_steps");
            e.HasIndex(s => s.VersionId);
            e.Property(s => s.TextJa).HasMaxLength(RunbookLimits.StepText);
            e.Property(s => s.TextEn).HasMaxLength(RunbookLimits.StepText);
        });
        b.Entity<IncidentChecklist>(e =>
        {
            e.ToTable("incident_checklists");
            e.HasIndex(c => new { c.IncidentId, c.RunbookId }).IsUnique();
            e.Property(c => c.RunbookKey).HasMaxLength(RunbookLimits.Key);
            e.Property(c => c.TitleJa).HasMaxLength(RunbookLimits.Title);
            e.Property(c => c.TitleEn).HasMaxLength(RunbookLimits.Title);
            e.HasOne<Incident>().WithMany().HasForeignKey(c => c.IncidentId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(c => c.Items).WithOne().HasForeignKey(i => i.ChecklistId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ChecklistItem>(e =>
        {
            e.ToTable("incident_checklist_items");
            e.HasIndex(i => new { i.IncidentId, i.Phase });
            e.Property(i => i.TextJa).HasMaxLength(RunbookLimits.StepText);
            e.Property(i => i.TextEn).HasMaxLength(RunbookLimits.StepText);
            e.Property(i => i.DoneByName).HasMaxLength(200);
            e.Property(i => i.Note).HasMaxLength(RunbookLimits.Note);
        });
    }
}
