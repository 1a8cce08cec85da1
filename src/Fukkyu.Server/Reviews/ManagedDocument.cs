using System.Resources;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Reviews;

/// <summary>
/// A procedure or document the manual's 4.3 asks to review regularly: the failure manual itself,
/// the contact roster, the BCP, the regulator-reporting procedure… Runbooks have their own
/// review dates in the runbook feature.
/// </summary>
public sealed class ManagedDocument : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Title { get; set; }
    public string? Description { get; set; }
    /// <summary>Where the document lives: a URL or a path in the document system.</summary>
    public string? Location { get; set; }
    public Guid OwnerId { get; set; }
    public User? Owner { get; set; }
    public int ReviewIntervalMonths { get; set; } = 12;
    public DateOnly ReviewBy { get; set; }
    public DateOnly? LastReviewedOn { get; set; }
    public string? LastReviewedByName { get; set; }
    public string? LastReviewNote { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

public static class ManagedDocumentModel
{
    public const int Title = 200;
    public const int Text = 4_000;
    public const int Location = 1_000;

    public static void ConfigureReviews(this ModelBuilder b) => b.Entity<ManagedDocument>(e =>
    {
        e.ToTable("managed_documents");
        e.HasIndex(d => d.ReviewBy);
        e.Property(d => d.Title).HasMaxLength(Title);
        e.Property(d => d.Description).HasMaxLength(Text);
        e.Property(d => d.Location).HasMaxLength(Location);
        e.Property(d => d.LastReviewedByName).HasMaxLength(200);
        e.Property(d => d.LastReviewNote).HasMaxLength(Text);
        e.Property(d => d.Version).IsConcurrencyToken();
        e.HasOne(d => d.Owner).WithMany().HasForeignKey(d => d.OwnerId).OnDelete(DeleteBehavior.Restrict);
    });
}

/// <summary>Texts of the manual review (ReviewStrings.resx, ReviewStrings.ja.resx).</summary>
public sealed class ReviewStrings
{
    internal static readonly ResourceManager Resources = new(typeof(ReviewStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    public static string In(string lang, string key, params object?[] args) => Texts.Format(Resources, key, lang, args);
}

/// <summary>Managed documents on the review dashboard, beside every other feature's items.</summary>
internal sealed class DocumentReviewSource(FukkyuDb db) : IReviewItemSource
{
    public async Task<IReadOnlyList<ReviewItem>> DueAsync(DateOnly until, CancellationToken ct) =>
        [.. (await db.Set<ManagedDocument>().AsNoTracking().Include(d => d.Owner).Where(d => d.ReviewBy <= until).OrderBy(d => d.ReviewBy).ToListAsync(ct))
            .Select(d => new ReviewItem(ReviewStrings.T("KindDocument"), d.Title, d.OwnerId, d.Owner?.DisplayName, d.ReviewBy, $"/ops/reviews#doc-{d.Id}"))];
}
