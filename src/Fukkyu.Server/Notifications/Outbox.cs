using System.Text.Json;
using System.Text.Json.Nodes;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Notifications;

public enum OutboxState
{
    Pending,
    Claimed,
    Delivered,
    Failed,
    Cancelled,
}

/// <summary>
/// One outgoing message to one recipient: a page, a briefing, a notice, a subscriber email, a
/// webhook, a push, an SNS post. Written in the same transaction as the change that causes it and
/// delivered by <see cref="OutboxDispatcher"/>; a crash loses none.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>Which sender delivers it: <c>email</c>, <c>webhook</c>, and whatever features add.</summary>
    public required string Channel { get; set; }
    /// <summary>Email address, URL, phone number, device token… as the channel understands it.</summary>
    public required string Recipient { get; set; }
    /// <summary>
    /// Unique per (message, recipient): enqueueing the same key twice stores one message, and the
    /// key travels with the delivery (Message-ID, Idempotency-Key) so receivers can drop a repeat.
    /// </summary>
    public required string IdempotencyKey { get; set; }
    /// <summary>What the message is for: <c>page</c>, <c>briefing</c>, <c>notice</c>…; features filter by it.</summary>
    public required string Purpose { get; set; }
    public string? Subject { get; set; }
    public required string Body { get; set; }
    /// <summary>Channel-specific detail as JSON (HTML body, headers, signing secret reference…).</summary>
    public string? Payload { get; set; }
    public Guid? IncidentId { get; set; }
    /// <summary>The person it is for, when it is for a person.</summary>
    public Guid? UserId { get; set; }
    /// <summary>The thing that caused it (a page, a subscriber…), for the feature that owns it.</summary>
    public string? Reference { get; set; }

    public OutboxState State { get; set; } = OutboxState.Pending;
    public DateTime DueAt { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimedUntil { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }

    public JsonObject PayloadObject() =>
        Payload is { Length: > 0 } p && JsonNode.Parse(p) is JsonObject o ? o : [];
}

/// <summary>A record of every delivery attempt, successful or not.</summary>
public sealed class OutboxAttempt
{
    public long Id { get; set; }
    public Guid MessageId { get; set; }
    public DateTime At { get; set; }
    public bool Success { get; set; }
    /// <summary>HTTP status or SMTP reply code, when there was one.</summary>
    public int? Code { get; set; }
    public string? Error { get; set; }
    public int DurationMs { get; set; }
    public string? Node { get; set; }
}

public static class OutboxModel
{
    public static void ConfigureNotifications(this ModelBuilder b)
    {
        b.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasIndex(m => m.IdempotencyKey).IsUnique();
            e.HasIndex(m => new { m.State, m.DueAt });
            e.HasIndex(m => m.IncidentId);
            e.HasIndex(m => new { m.Purpose, m.Reference });
            e.Property(m => m.Channel).HasMaxLength(40);
            e.Property(m => m.Recipient).HasMaxLength(2000);
            e.Property(m => m.IdempotencyKey).HasMaxLength(300);
            e.Property(m => m.Purpose).HasMaxLength(60);
            e.Property(m => m.Subject).HasMaxLength(1000);
            e.Property(m => m.Reference).HasMaxLength(300);
            e.Property(m => m.ClaimedBy).HasMaxLength(200);
            e.Property(m => m.LastError).HasMaxLength(2000);
        });
        b.Entity<OutboxAttempt>(e =>
        {
            e.ToTable("outbox_attempts");
            e.HasIndex(a => a.MessageId);
            e.Property(a => a.Error).HasMaxLength(2000);
            e.Property(a => a.Node).HasMaxLength(200);
            e.HasOne<OutboxMessage>().WithMany().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

/// <summary>What to send; <see cref="Outbox.Enqueue"/> turns it into a row in the caller's unit of work.</summary>
public sealed record OutgoingMessage(
    string Channel,
    string Recipient,
    string IdempotencyKey,
    string Purpose,
    string Body,
    string? Subject = null,
    object? Payload = null,
    Guid? IncidentId = null,
    Guid? UserId = null,
    string? Reference = null,
    DateTime? NotBefore = null);

public static class Outbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Adds the message to <paramref name="db"/>'s unit of work: it is sent if and only if the
    /// caller's SaveChanges commits. Returns null when a message with the same idempotency key is
    /// already in this unit of work; a duplicate already in the database is refused by the unique
    /// key, so enqueue in the transaction of the change that causes the message.
    /// </summary>
    public static OutboxMessage? Enqueue(FukkyuDb db, OutgoingMessage m, DateTime now)
    {
        if (db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.Entity.IdempotencyKey == m.IdempotencyKey))
        {
            return null;
        }
        var row = Row(m, now);
        db.Set<OutboxMessage>().Add(row);
        return row;
    }

    /// <summary>
    /// The rows for a fan-out to thousands of recipients, one per distinct idempotency key, to be
    /// written with <see cref="InsertAsync"/> inside the caller's transaction.
    /// </summary>
    public static List<OutboxMessage> Rows(IEnumerable<OutgoingMessage> messages, DateTime now)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        return [.. messages.Where(m => keys.Add(m.IdempotencyKey)).Select(m => Row(m, now))];
    }

    private static readonly string[] Columns =
        ["id", "channel", "recipient", "idempotency_key", "purpose", "subject", "body", "payload", "incident_id", "user_id", "reference", "state", "due_at", "attempts", "created_at"];

    /// <summary>
    /// Writes new rows without change tracking — a fan-out batch in a few statements rather than
    /// hundreds of tracked entities. Call it inside the transaction of the change that causes the
    /// messages; a key already stored is refused by the unique index, as with <see cref="Enqueue"/>.
    /// </summary>
    public static async Task<int> InsertAsync(FukkyuDb db, IReadOnlyList<OutboxMessage> rows, CancellationToken ct)
    {
        var written = await BulkInsert.RunAsync(db, "outbox_messages", Columns, [.. rows.Select(m => new object?[]
        {
            m.Id, m.Channel, m.Recipient, m.IdempotencyKey, m.Purpose, m.Subject, m.Body, m.Payload, m.IncidentId, m.UserId, m.Reference,
            m.State, m.DueAt, m.Attempts, m.CreatedAt,
        })], ct);
        // Change tracking never saw these rows: tell the work-signal interceptor, which wakes the
        // dispatcher when the caller's transaction commits.
        db.OutboxWrittenDirectly |= written > 0;
        return written;
    }

    private static OutboxMessage Row(OutgoingMessage m, DateTime now) =>
        new()
        {
            Channel = m.Channel,
            Recipient = m.Recipient,
            IdempotencyKey = m.IdempotencyKey,
            Purpose = m.Purpose,
            Subject = m.Subject,
            Body = m.Body,
            Payload = m.Payload switch
            {
                null => null,
                string s => s,
                _ => JsonSerializer.Serialize(m.Payload, Json),
            },
            IncidentId = m.IncidentId,
            UserId = m.UserId,
            Reference = m.Reference,
            DueAt = m.NotBefore is { } nb && nb > now ? nb : now,
            CreatedAt = now,
        };
}
