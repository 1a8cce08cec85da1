using System.Resources;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Regulatory;

/// <summary>The reports the FSA expects (REFERENCE.md §5), in order.</summary>
public enum FilingKind
{
    /// <summary>直ちに: minutes after the failure is recognised.</summary>
    Immediate,
    /// <summary>On restoration.</summary>
    Restoration,
    /// <summary>When the cause is found.</summary>
    CauseFound,
    /// <summary>Within one month of detection while the cause is still unknown.</summary>
    StatusReport,
}

public enum FilingStatus
{
    /// <summary>To be filed; its deadline may still be waiting for its event (restoration, cause found).</summary>
    Pending,
    Submitted,
    /// <summary>Not needed: the incident is not reportable, or the cause was found within the month.</summary>
    NotRequired,
}

/// <summary>
/// Whether an incident must be reported to the regulator, and why: decided by the rule while
/// nobody has decided, by a compliance officer (with a reason) once they have.
/// </summary>
public sealed class RegulatoryTrack : IVersioned
{
    public Guid IncidentId { get; set; }
    public bool Reportable { get; set; }
    /// <summary>A person decided; the rule no longer changes it.</summary>
    public bool Manual { get; set; }
    /// <summary>The rule that decided (<c>function-affected</c>, <c>security</c>, <c>no-function</c>) or <c>manual</c>.</summary>
    public required string Rule { get; set; }
    public required string ReasonJa { get; set; }
    public required string ReasonEn { get; set; }
    public string? DecidedByName { get; set; }
    public DateTime DecidedAt { get; set; }
    /// <summary>First time the incident's cause was recorded.</summary>
    public DateTime? CauseFoundAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<RegulatoryFiling> Filings { get; set; } = [];
    public int Version { get; set; }
}

/// <summary>One report to the regulator (障害発生等報告書) with its deadline, its Japanese draft and its submission.</summary>
public sealed class RegulatoryFiling : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IncidentId { get; set; }
    public FilingKind Kind { get; set; }
    public FilingStatus Status { get; set; } = FilingStatus.Pending;
    /// <summary>Null while the event that starts its clock has not happened.</summary>
    public DateTime? DueAt { get; set; }
    /// <summary>A compliance officer's version of the draft; null means the draft follows the incident.</summary>
    public string? Draft { get; set; }
    public string? DraftEditedByName { get; set; }
    public DateTime? DraftEditedAt { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public Guid? SubmittedById { get; set; }
    public string? SubmittedByName { get; set; }
    /// <summary>The authority's reference or the channel used, as the officer recorded it.</summary>
    public string? SubmissionReference { get; set; }
    public string? SubmissionNote { get; set; }
    /// <summary>The text as submitted, frozen.</summary>
    public string? SubmittedText { get; set; }
    /// <summary><c>not-reportable</c> or <c>cause-found</c>.</summary>
    public string? NotRequiredReason { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

public static class RegulatoryLimits
{
    public const int Draft = 50_000;
    public const int Reason = 2_000;
    public const int Reference = 200;
    public const int Note = 2_000;
}

public static class RegulatoryModel
{
    public static void ConfigureRegulatory(this ModelBuilder b)
    {
        b.Entity<RegulatoryTrack>(e =>
        {
            e.ToTable("regulatory_tracks");
            e.HasKey(t => t.IncidentId);
            e.Property(t => t.Rule).HasMaxLength(60);
            e.Property(t => t.ReasonJa).HasMaxLength(RegulatoryLimits.Reason);
            e.Property(t => t.ReasonEn).HasMaxLength(RegulatoryLimits.Reason);
            e.Property(t => t.DecidedByName).HasMaxLength(200);
            e.Property(t => t.Version).IsConcurrencyToken();
            e.HasOne<Incident>().WithOne().HasForeignKey<RegulatoryTrack>(t => t.IncidentId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(t => t.Filings).WithOne().HasForeignKey(f => f.IncidentId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<RegulatoryFiling>(e =>
        {
            e.ToTable("regulatory_filings");
            e.HasIndex(f => new { f.IncidentId, f.Kind }).IsUnique();
            e.HasIndex(f => new { f.Status, f.DueAt });
            e.Property(f => f.Draft).HasMaxLength(RegulatoryLimits.Draft);
            e.Property(f => f.SubmittedText).HasMaxLength(RegulatoryLimits.Draft);
            e.Property(f => f.DraftEditedByName).HasMaxLength(200);
            e.Property(f => f.SubmittedByName).HasMaxLength(200);
            e.Property(f => f.SubmissionReference).HasMaxLength(RegulatoryLimits.Reference);
            e.Property(f => f.SubmissionNote).HasMaxLength(RegulatoryLimits.Note);
            e.Property(f => f.NotRequiredReason).HasMaxLength(60);
            e.Property(f => f.Version).IsConcurrencyToken();
        });
    }
}

/// <summary>Texts of the regulatory track (RegulatoryStrings.resx, RegulatoryStrings.ja.resx).</summary>
public sealed class RegulatoryStrings
{
    internal static readonly ResourceManager Resources = new(typeof(RegulatoryStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    public static string In(string lang, string key, params object?[] args) => Texts.Format(Resources, key, lang, args);
}
