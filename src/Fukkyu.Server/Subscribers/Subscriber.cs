using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Subscribers;

public enum SubscriberKind
{
    Email,
    Webhook,
    Push,
}

public enum SubscriberState
{
    /// <summary>Email only: waiting for the address's owner to confirm (double opt-in).</summary>
    Pending,
    Active,
    Unsubscribed,
}

/// <summary>
/// Someone who wants notices: an email address (double opt-in), a webhook URL or an app's push
/// device token. <see cref="ComponentIds"/> empty means every component.
/// </summary>
public sealed class Subscriber : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public SubscriberKind Kind { get; set; }
    /// <summary>Normalised email address, webhook URL or device token.</summary>
    public required string Address { get; set; }
    /// <summary><c>ja</c> or <c>en</c>.</summary>
    public string Language { get; set; } = "ja";
    public List<Guid> ComponentIds { get; set; } = [];
    public SubscriberState State { get; set; }

    /// <summary>SHA-256 of the single-use confirmation token; the token itself is only in the email.</summary>
    public string? ConfirmTokenHash { get; set; }
    public DateTime? ConfirmExpiresAt { get; set; }
    /// <summary>Preferences asked for by the last subscribe request, applied when it is confirmed.</summary>
    public string? PendingLanguage { get; set; }
    public List<Guid>? PendingComponentIds { get; set; }
    /// <summary>Confirmation emails sent in the current window: the per-address cap against mail bombing.</summary>
    public int ConfirmSends { get; set; }
    public DateTime? ConfirmWindowStartedAt { get; set; }
    /// <summary>Part of every unsubscribe token; changing it voids the links already sent.</summary>
    public string TokenStamp { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>Webhook signing secret, encrypted with <see cref="Notifications.WebhookSecrets"/>.</summary>
    public string? SigningSecret { get; set; }
    /// <summary>Who registered it, for operators (e.g. the app's backend).</summary>
    public string? Label { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? ConfirmedAt { get; set; }
    public DateTime? UnsubscribedAt { get; set; }
    public int Version { get; set; }

    public bool Wants(IReadOnlyCollection<Guid> components) =>
        ComponentIds.Count == 0 || components.Count == 0 || ComponentIds.Any(components.Contains);
}

/// <summary>
/// Progress of one notice's fan-out on one channel: subscribers are enqueued in batches ordered
/// by id, and <see cref="Cursor"/> moves in the same transaction as each batch — so a crash
/// mid-way resumes after the last committed batch, skipping nobody and queueing nobody twice.
/// The rendered content (per language) is stored once here and read by the senders.
/// </summary>
public sealed class NoticeDelivery : IVersioned
{
    public Guid NoticeId { get; set; }
    public required string Channel { get; set; }
    public Guid? Cursor { get; set; }
    public int Queued { get; set; }
    public bool Done { get; set; }
    public string? ContentJa { get; set; }
    public string? ContentEn { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>The SNS thread of one incident or maintenance: each post replies to the one before.</summary>
public sealed class SnsThread
{
    public Guid SubjectId { get; set; }
    public int LastSeq { get; set; }
    public string? LastPostId { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class SubscriberModel
{
    public static void ConfigureSubscribers(this ModelBuilder b)
    {
        b.Entity<Subscriber>(e =>
        {
            e.ToTable("subscribers");
            e.HasIndex(s => new { s.Kind, s.Address }).IsUnique();
            e.HasIndex(s => new { s.Kind, s.State, s.Id });
            e.HasIndex(s => s.ConfirmTokenHash);
            e.Property(s => s.Address).HasMaxLength(SubscriberLimits.Address);
            e.Property(s => s.Language).HasMaxLength(8);
            e.Property(s => s.PendingLanguage).HasMaxLength(8);
            e.Property(s => s.ConfirmTokenHash).HasMaxLength(64);
            e.Property(s => s.TokenStamp).HasMaxLength(64);
            e.Property(s => s.SigningSecret).HasMaxLength(2000);
            e.Property(s => s.Label).HasMaxLength(200);
            e.Property(s => s.Version).IsConcurrencyToken();
        });
        b.Entity<NoticeDelivery>(e =>
        {
            e.ToTable("notice_deliveries");
            e.HasKey(d => new { d.NoticeId, d.Channel });
            e.Property(d => d.Channel).HasMaxLength(40);
            e.Property(d => d.Version).IsConcurrencyToken();
            e.HasOne<Notices.Notice>().WithMany().HasForeignKey(d => d.NoticeId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<SnsThread>(e =>
        {
            e.ToTable("sns_threads");
            e.HasKey(t => t.SubjectId);
            e.Property(t => t.SubjectId).ValueGeneratedNever();
            e.Property(t => t.LastPostId).HasMaxLength(100);
        });
    }
}

public static class SubscriberLimits
{
    public const int Address = 2000;
    public const int Email = 320;
    public const int Components = 500;
}
