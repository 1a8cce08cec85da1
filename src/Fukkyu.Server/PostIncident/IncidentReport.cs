using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.PostIncident;

/// <summary>draft → in_review → approved → published; changes requested send it back to draft.</summary>
public enum ReportStatus
{
    Draft,
    InReview,
    Approved,
    Published,
}

/// <summary>The manual's 4.1, in its order, plus the summary that may go public as the postmortem.</summary>
public enum ReportSectionKey
{
    Occurrence,
    Summary,
    Impact,
    Cause,
    Response,
    Recovery,
    Prevention,
    PublicSummary,
}

/// <summary>
/// The incident report (障害報告書). While it is a draft, sections nobody edited are drafted afresh
/// from the incident, its timeline and its action items every time it is read; submitting it for
/// review freezes every section, so what is approved is exactly what was reviewed.
/// </summary>
public sealed class IncidentReport : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IncidentId { get; set; }
    public ReportStatus Status { get; set; } = ReportStatus.Draft;
    public Guid? SubmittedById { get; set; }
    public string? SubmittedByName { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public Guid? ApprovedById { get; set; }
    public string? ApprovedByName { get; set; }
    public DateTime? ApprovedAt { get; set; }
    public string? PublishedByName { get; set; }
    public DateTime? PublishedAt { get; set; }
    /// <summary>The reviewer's last word: why changes were requested, or the approval note.</summary>
    public string? ReviewComment { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<ReportSection> Sections { get; set; } = [];
    public int Version { get; set; }
}

/// <summary>One section in one language, as stored: edited by a person, or frozen for review.</summary>
public sealed class ReportSection
{
    public Guid ReportId { get; set; }
    public ReportSectionKey Key { get; set; }
    public required string Language { get; set; }
    public required string Body { get; set; }
    /// <summary>A person wrote it; false for a frozen draft.</summary>
    public bool Edited { get; set; }
    public Guid? EditedById { get; set; }
    public string? EditedByName { get; set; }
    public DateTime? EditedAt { get; set; }
}

public static class ReportLimits
{
    public const int Section = 20_000;
    public const int Comment = 2_000;
}

public static class ReportModel
{
    public static void ConfigurePostIncident(this ModelBuilder b)
    {
        b.Entity<IncidentReport>(e =>
        {
            e.ToTable("incident_reports");
            e.HasIndex(r => r.IncidentId).IsUnique();
            e.HasIndex(r => r.Status);
            e.Property(r => r.SubmittedByName).HasMaxLength(200);
            e.Property(r => r.ApprovedByName).HasMaxLength(200);
            e.Property(r => r.PublishedByName).HasMaxLength(200);
            e.Property(r => r.ReviewComment).HasMaxLength(ReportLimits.Comment);
            e.Property(r => r.Version).IsConcurrencyToken();
            e.HasOne<Incidents.Incident>().WithMany().HasForeignKey(r => r.IncidentId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(r => r.Sections).WithOne().HasForeignKey(s => s.ReportId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ReportSection>(e =>
        {
            e.ToTable("incident_report_sections");
            e.HasKey(s => new { s.ReportId, s.Key, s.Language });
            e.Property(s => s.Language).HasMaxLength(8);
            e.Property(s => s.Body).HasMaxLength(ReportLimits.Section);
            e.Property(s => s.EditedByName).HasMaxLength(200);
        });
    }
}
