using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

/// <summary>Why a page was sent: to respond, or asking someone to take command (manual 1.2).</summary>
public enum PagePurpose
{
    Respond,
    Command,
}

public enum PageState
{
    /// <summary>Escalating until someone acknowledges.</summary>
    Triggered,
    Acknowledged,
    /// <summary>Every step and repeat ran without an acknowledgement.</summary>
    Exhausted,
    /// <summary>The incident was resolved first.</summary>
    Resolved,
}

public enum AckVia
{
    Ui,
    Api,
    Cli,
    Link,
}

/// <summary>
/// One group of people paged for an incident (the owning team, the emergency response team, the
/// executives, a manual page…) and its escalation run. The steps are a snapshot taken when the
/// page started, so editing a policy mid-incident never changes a run silently.
/// </summary>
public sealed class Page : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IncidentId { get; set; }
    /// <summary>Unique per incident: <c>team:exchange-sre</c>, <c>ert</c>, <c>command</c>, <c>executives</c>, <c>leads</c>, <c>drill</c>, <c>manual:…</c>.</summary>
    public required string GroupKey { get; set; }
    public required string GroupName { get; set; }
    public PagePurpose Purpose { get; set; }
    /// <summary>The incident's level when the page started.</summary>
    public int Level { get; set; }
    public PageState State { get; set; }
    /// <summary>JSON of <see cref="PlannedStep"/>[].</summary>
    public required string Steps { get; set; }
    public int Repeat { get; set; }
    /// <summary>The step that fired last (0-based) and in which run of the chain.</summary>
    public int Step { get; set; }
    public int Cycle { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>When the next step is due, while triggered.</summary>
    public DateTime? NextAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public Guid? AcknowledgedById { get; set; }
    public string? AcknowledgedByName { get; set; }
    public AckVia? AcknowledgedVia { get; set; }
    public DateTime? EndedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>One person notified on one channel by one step of a page: who was paged, when, how.</summary>
public sealed class PageNotification
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PageId { get; set; }
    public Guid IncidentId { get; set; }
    public Guid UserId { get; set; }
    public required string UserName { get; set; }
    public int Step { get; set; }
    public int Cycle { get; set; }
    public ContactKind Channel { get; set; }
    public Guid? ContactMethodId { get; set; }
    /// <summary>Where it went, safe to show (Slack URLs masked).</summary>
    public required string Recipient { get; set; }
    /// <summary>The outbox message that carries it; its state says whether it was delivered.</summary>
    public Guid? OutboxMessageId { get; set; }
    /// <summary>When it was sent, or when it will be if the contact method waits for an acknowledgement first.</summary>
    public DateTime At { get; set; }
    /// <summary>Waiting for the contact method's delay; becomes false when sent, stays true if the page was acknowledged first.</summary>
    public bool Deferred { get; set; }
}

/// <summary>
/// The acknowledgement link in a page: signed, expiring, single-use. The row makes it single-use;
/// the signature lets a forged or tampered token be refused without touching the database.
/// </summary>
public sealed class AckToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PageId { get; set; }
    public Guid UserId { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A server secret shared by all nodes, encrypted at rest with Data Protection.</summary>
public sealed class ServerSecret
{
    public required string Name { get; set; }
    public required string ProtectedValue { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A step as planned when the page started: wait, then page these.</summary>
public sealed record PlannedStep(int DelayMinutes, PlannedTarget[] Targets);

public sealed record PlannedTarget(TargetKind Kind, Guid Id, string Name);

public static class PagingModel
{
    public static void ConfigurePaging(this ModelBuilder b)
    {
        b.Entity<Page>(e =>
        {
            e.ToTable("pages");
            e.HasIndex(p => new { p.IncidentId, p.GroupKey }).IsUnique();
            e.HasIndex(p => p.State);
            e.Property(p => p.GroupKey).HasMaxLength(200);
            e.Property(p => p.GroupName).HasMaxLength(300);
            e.Property(p => p.Steps).HasMaxLength(64_000);
            e.Property(p => p.AcknowledgedByName).HasMaxLength(200);
            e.Property(p => p.Version).IsConcurrencyToken();
            e.HasOne<Incident>().WithMany().HasForeignKey(p => p.IncidentId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<PageNotification>(e =>
        {
            e.ToTable("page_notifications");
            e.HasIndex(n => n.PageId);
            e.HasIndex(n => new { n.IncidentId, n.UserId });
            e.Property(n => n.UserName).HasMaxLength(200);
            e.Property(n => n.Recipient).HasMaxLength(2000);
            e.HasOne<Page>().WithMany().HasForeignKey(n => n.PageId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<AckToken>(e =>
        {
            e.ToTable("ack_tokens");
            e.HasIndex(t => t.PageId);
            e.HasOne<Page>().WithMany().HasForeignKey(t => t.PageId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ServerSecret>(e =>
        {
            e.ToTable("server_secrets");
            e.HasKey(s => s.Name);
            e.Property(s => s.Name).HasMaxLength(100);
            e.Property(s => s.ProtectedValue).HasMaxLength(4000);
        });
    }
}
