using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.ActionItems;

/// <summary>The manual's 4.2: what kind of prevention it is.</summary>
public enum ActionItemKind
{
    SystemImprovement,
    Monitoring,
    Procedure,
    Training,
}

public enum ActionItemStatus
{
    Open,
    InProgress,
    Done,
    Cancelled,
}

/// <summary>
/// A prevention measure (再発防止策) with an owner and a due date, linked to the incidents it
/// prevents and the runbooks it changes. Due dates are Japan-time calendar days.
/// </summary>
public sealed class ActionItem : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Title { get; set; }
    public string? Description { get; set; }
    public ActionItemKind Kind { get; set; }
    public ActionItemStatus Status { get; set; } = ActionItemStatus.Open;
    public Guid OwnerId { get; set; }
    public User? Owner { get; set; }
    public DateOnly DueOn { get; set; }
    /// <summary>Runbooks (or other procedures) by key or URL; the runbook feature owns what they point to.</summary>
    public List<string> Runbooks { get; set; } = [];
    public List<ActionItemIncident> Incidents { get; set; } = [];
    public Guid? CreatedById { get; set; }
    public string? CreatedByName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    /// <summary>What was done, or why it was cancelled.</summary>
    public string? Resolution { get; set; }
    public int Version { get; set; }

    public bool IsOpen => Status is ActionItemStatus.Open or ActionItemStatus.InProgress;

    public bool IsOverdue(DateOnly today) => IsOpen && DueOn < today;
}

public sealed class ActionItemIncident
{
    public Guid ActionItemId { get; set; }
    public Guid IncidentId { get; set; }
    public Incident? Incident { get; set; }
}

public static class ActionItemLimits
{
    public const int Title = 200;
    public const int Description = 10_000;
    public const int Runbooks = 20;
    public const int RunbookRef = 500;
    public const int Incidents = 20;
}

public static class ActionItemModel
{
    public static void ConfigureActionItems(this ModelBuilder b)
    {
        b.Entity<ActionItem>(e =>
        {
            e.ToTable("action_items");
            e.HasIndex(a => new { a.Status, a.DueOn });
            e.HasIndex(a => a.OwnerId);
            e.Property(a => a.Title).HasMaxLength(ActionItemLimits.Title);
            e.Property(a => a.Description).HasMaxLength(ActionItemLimits.Description);
            e.Property(a => a.Resolution).HasMaxLength(ActionItemLimits.Description);
            e.Property(a => a.CreatedByName).HasMaxLength(200);
            e.Property(a => a.Version).IsConcurrencyToken();
            e.HasOne(a => a.Owner).WithMany().HasForeignKey(a => a.OwnerId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(a => a.Incidents).WithOne().HasForeignKey(x => x.ActionItemId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ActionItemIncident>(e =>
        {
            e.ToTable("action_item_incidents");
            e.HasKey(x => new { x.ActionItemId, x.IncidentId });
            e.HasIndex(x => x.IncidentId);
            e.HasOne(x => x.Incident).WithMany().HasForeignKey(x => x.IncidentId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
