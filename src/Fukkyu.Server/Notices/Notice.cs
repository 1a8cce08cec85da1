using System.Text.Json.Serialization;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Notices;

/// <summary>What a notice is about: an incident, or a scheduled maintenance.</summary>
public enum NoticeKind
{
    Incident,
    Maintenance,
}

public enum NoticeState
{
    /// <summary>Written, waiting for a comms or commander role (level 2 and up, and every security incident).</summary>
    PendingApproval,
    Published,
    Rejected,
}

/// <summary>
/// The Statuspage vocabulary of an update: incident statuses, then maintenance statuses.
/// <c>cancelled</c> is ours: a maintenance called off is announced, then leaves the public lists.
/// </summary>
public enum NoticeStatus
{
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Postmortem,
    Scheduled,
    InProgress,
    Verifying,
    Completed,
    Cancelled,
}

/// <summary>
/// A public update (お知らせ): the manual's 3.2 content — when it happened, what happened, the
/// impact, the recovery outlook and the alternatives — in Japanese and English. Written by a
/// person (or by the maintenance schedule), approved where policy says so, then published to the
/// status page, its feeds and the subscribers. Published notices are never edited: a correction is
/// the next notice.
/// </summary>
public sealed class Notice : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public NoticeKind Kind { get; set; }
    public Guid? IncidentId { get; set; }
    public Guid? MaintenanceId { get; set; }
    public NoticeStatus Status { get; set; }
    public NoticeState State { get; set; }
    /// <summary>Copied from the incident: a drill's notices are practised but never leave the building.</summary>
    public bool Drill { get; set; }
    /// <summary>1, 2, 3… among the published notices of the same incident or maintenance (the SNS thread order).</summary>
    public int Seq { get; set; }

    public required string TitleJa { get; set; }
    public required string TitleEn { get; set; }
    public DateTime OccurredAt { get; set; }
    public required string WhatJa { get; set; }
    public required string WhatEn { get; set; }
    public required string ImpactJa { get; set; }
    public required string ImpactEn { get; set; }
    public required string OutlookJa { get; set; }
    public required string OutlookEn { get; set; }
    public required string AlternativesJa { get; set; }
    public required string AlternativesEn { get; set; }
    /// <summary>Statuspage's <c>deliver_notifications</c>: false publishes on the page and feeds only.</summary>
    public bool DeliverNotifications { get; set; } = true;

    /// <summary>JSON <see cref="AffectedComponent"/>[] of component statuses that changed since the previous notice.</summary>
    public string? AffectedComponents { get; set; }
    /// <summary>JSON object component id → status at publication, the base of the next notice's comparison.</summary>
    public string? ComponentStates { get; set; }

    public Guid? AuthorId { get; set; }
    public required string AuthorName { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid? ReviewerId { get; set; }
    public string? ReviewerName { get; set; }
    public DateTime? ReviewedAt { get; set; }
    public string? RejectReason { get; set; }
    public DateTime? PublishedAt { get; set; }
    public int Version { get; set; }

    public string Title(bool japanese) => japanese ? TitleJa : TitleEn;

    public Guid SubjectId => IncidentId ?? MaintenanceId ?? Guid.Empty;
}

/// <summary>Statuspage's <c>affected_components</c> entry, with the name in both languages.</summary>
public sealed record AffectedComponent(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("nameJa")] string NameJa,
    [property: JsonPropertyName("nameEn")] string NameEn,
    [property: JsonPropertyName("old")] string OldStatus,
    [property: JsonPropertyName("new")] string NewStatus);

public static class NoticeLimits
{
    public const int Title = 200;
    public const int Field = 2000;
    public const int Reason = 2000;
}

public static class NoticeModel
{
    public static void ConfigureNotices(this ModelBuilder b)
    {
        b.Entity<Notice>(e =>
        {
            e.ToTable("notices");
            e.HasIndex(n => new { n.IncidentId, n.State });
            e.HasIndex(n => new { n.MaintenanceId, n.State });
            e.HasIndex(n => new { n.State, n.PublishedAt });
            e.Property(n => n.TitleJa).HasMaxLength(NoticeLimits.Title);
            e.Property(n => n.TitleEn).HasMaxLength(NoticeLimits.Title);
            foreach (var p in new[] { nameof(Notice.WhatJa), nameof(Notice.WhatEn), nameof(Notice.ImpactJa), nameof(Notice.ImpactEn),
                nameof(Notice.OutlookJa), nameof(Notice.OutlookEn), nameof(Notice.AlternativesJa), nameof(Notice.AlternativesEn) })
            {
                e.Property(p).HasMaxLength(NoticeLimits.Field);
            }
            e.Property(n => n.AuthorName).HasMaxLength(200);
            e.Property(n => n.ReviewerName).HasMaxLength(200);
            e.Property(n => n.RejectReason).HasMaxLength(NoticeLimits.Reason);
            e.Property(n => n.Version).IsConcurrencyToken();
            e.HasOne<Incidents.Incident>().WithMany().HasForeignKey(n => n.IncidentId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Maintenance.MaintenanceWindow>().WithMany().HasForeignKey(n => n.MaintenanceId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
