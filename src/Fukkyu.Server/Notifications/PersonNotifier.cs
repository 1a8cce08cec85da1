using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Notifications;

/// <summary>A message for one person, written in both languages; they get it in theirs.</summary>
public sealed record PersonMessage(
    Guid UserId,
    string Purpose,
    string IdempotencyKey,
    string SubjectJa,
    string SubjectEn,
    string BodyJa,
    string BodyEn,
    Guid? IncidentId = null,
    string? Reference = null);

/// <summary>
/// Reaches a person (reminders, briefings, filings due). The default uses the person's email; the
/// on-call feature replaces it with their contact methods.
/// </summary>
public interface IPersonNotifier
{
    /// <summary>Enqueues in <paramref name="db"/>'s unit of work; returns how many messages were queued.</summary>
    Task<int> NotifyAsync(FukkyuDb db, PersonMessage message, DateTime now, CancellationToken ct);
}

public sealed class EmailPersonNotifier : IPersonNotifier
{
    public async Task<int> NotifyAsync(FukkyuDb db, PersonMessage message, DateTime now, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == message.UserId && u.Active, ct);
        if (user?.Email is not { Length: > 0 } email)
        {
            return 0;
        }
        var ja = user.Language != "en";
        var queued = Outbox.Enqueue(db, new OutgoingMessage(
            EmailSender.ChannelName, email, $"{message.IdempotencyKey}:email:{user.Id}", message.Purpose,
            ja ? message.BodyJa : message.BodyEn, ja ? message.SubjectJa : message.SubjectEn,
            new EmailPayload(ToName: user.DisplayName), message.IncidentId, user.Id, message.Reference), now);
        return queued is null ? 0 : 1;
    }
}
