using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Briefings;

/// <summary>The manual's 3.1: who inside the company is told what.</summary>
public enum BriefingAudience
{
    /// <summary>The response team: status and next steps.</summary>
    Team,
    /// <summary>Management: status, impact, recovery outlook and the worst case.</summary>
    Management,
    /// <summary>Customer support: what to tell customers, the identity check, the FAQ.</summary>
    Support,
    /// <summary>PR: the approved public wording.</summary>
    Pr,
}

/// <summary>A briefing as it was sent: generated from the incident, edited by a person, delivered to its audience.</summary>
public sealed class Briefing
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid IncidentId { get; set; }
    public BriefingAudience Audience { get; set; }
    public required string SubjectJa { get; set; }
    public required string SubjectEn { get; set; }
    public required string BodyJa { get; set; }
    public required string BodyEn { get; set; }
    public Guid? SentById { get; set; }
    public required string SentByName { get; set; }
    public DateTime SentAt { get; set; }
    public int Recipients { get; set; }
}

public static class BriefingLimits
{
    public const int Subject = 300;
    public const int Body = 20_000;
}

public static class BriefingModel
{
    public static void ConfigureBriefings(this ModelBuilder b) => b.Entity<Briefing>(e =>
    {
        e.ToTable("briefings");
        e.HasIndex(x => new { x.IncidentId, x.SentAt });
        e.Property(x => x.SubjectJa).HasMaxLength(BriefingLimits.Subject);
        e.Property(x => x.SubjectEn).HasMaxLength(BriefingLimits.Subject);
        e.Property(x => x.BodyJa).HasMaxLength(BriefingLimits.Body);
        e.Property(x => x.BodyEn).HasMaxLength(BriefingLimits.Body);
        e.Property(x => x.SentByName).HasMaxLength(200);
        e.HasOne<Incidents.Incident>().WithMany().HasForeignKey(x => x.IncidentId).OnDelete(DeleteBehavior.Cascade);
    });
}
