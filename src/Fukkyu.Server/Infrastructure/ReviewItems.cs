namespace Fukkyu.Server.Infrastructure;

/// <summary>
/// Something that must be reviewed by a date (manual 4.3): a runbook, a procedure. Features that
/// own such things implement <see cref="IReviewItemSource"/>; the review dashboard lists them all.
/// </summary>
public sealed record ReviewItem(string Kind, string Title, Guid? OwnerId, string? OwnerName, DateOnly ReviewBy, string Url);

public interface IReviewItemSource
{
    /// <summary>Items whose review is due on or before <paramref name="until"/> (overdue ones included).</summary>
    Task<IReadOnlyList<ReviewItem>> DueAsync(DateOnly until, CancellationToken ct);
}
