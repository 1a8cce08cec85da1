using System.Text.Json;
using Fukkyu.Server.Data;
using Fukkyu.Server.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

/// <summary>
/// Reaches a person for briefings and reminders over their contact methods marked for briefings
/// (email, Slack, webhook, push; SMS only if they chose it), in their language, with their email
/// address as the fallback when they have set up none. Replaces the default email-only notifier.
/// </summary>
public sealed class ContactPersonNotifier : IPersonNotifier
{
    public async Task<int> NotifyAsync(FukkyuDb db, PersonMessage message, DateTime now, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == message.UserId && u.Active, ct);
        if (user is null)
        {
            return 0;
        }
        var methods = await db.Set<ContactMethod>().AsNoTracking()
            .Where(m => m.UserId == user.Id && m.Enabled && m.UseForBriefings).OrderBy(m => m.CreatedAt).ToListAsync(ct);
        if (methods.Count == 0 && user.Email is { Length: > 0 } email)
        {
            methods.Add(new ContactMethod { Id = Guid.Empty, UserId = user.Id, Kind = ContactKind.Email, Address = email });
        }
        var ja = user.Language != "en";
        var subject = ja ? message.SubjectJa : message.SubjectEn;
        var body = ja ? message.BodyJa : message.BodyEn;
        var queued = 0;
        OutboxMessage? Enqueue(string channel, string recipient, string suffix, string text, string? subj, object? payload) =>
            Outbox.Enqueue(db, new OutgoingMessage(channel, recipient, $"{message.IdempotencyKey}:{suffix}:{user.Id}", message.Purpose,
                text, subj, payload, message.IncidentId, user.Id, message.Reference), now);

        foreach (var m in methods.Where(m => m.Kind != ContactKind.Push))
        {
            var suffix = m.Id == Guid.Empty ? "email" : $"{WireName(m.Kind)}:{m.Id:N}";
            var row = m.Kind switch
            {
                ContactKind.Email => Enqueue(EmailSender.ChannelName, m.Address, suffix, body, subject, new EmailPayload(ToName: user.DisplayName)),
                ContactKind.Sms => Enqueue(SmsSender.ChannelName, m.Address, suffix, $"{subject}\n{body}", null, null),
                ContactKind.Slack => Enqueue(SlackSender.ChannelName, m.Address, suffix,
                    JsonSerializer.Serialize(new { text = $"*{subject}*\n{body}" }), null, new SlackPayload(m.ProtectedSecret ?? "")),
                _ => Enqueue(WebhookSender.ChannelName, m.Address, suffix, JsonSerializer.Serialize(new
                {
                    @event = "notification",
                    purpose = message.Purpose,
                    subject,
                    body,
                    incidentId = message.IncidentId,
                    reference = message.Reference,
                    person = new { id = user.Id, userName = user.UserName },
                    sentAt = now,
                }, JsonSerializerOptions.Web), null, new WebhookPayload(m.ProtectedSecret)),
            };
            queued += row is null ? 0 : 1;
        }
        var tokens = methods.Where(m => m.Kind == ContactKind.Push).Select(m => m.Address).ToArray();
        foreach (var (chunk, n) in tokens.Chunk(PageMessages.MaxPushTokens).Select((c, n) => (c, n)))
        {
            var push = new PushPayload(chunk, subject, body.Length > 500 ? body[..500] + "…" : body,
                new Dictionary<string, string> { ["kind"] = message.Purpose, ["reference"] = message.Reference ?? "" }, CollapseKey: null);
            queued += Enqueue(PagingEngine.PushChannel, $"user:{user.Id}", $"push:{n}", body, subject, push) is null ? 0 : 1;
        }
        return queued;
    }

    private static string WireName(ContactKind k) => Infrastructure.WireEnum.Name(k);
}

/// <summary>
/// FCM says these app installs are gone: a responder's push contact is switched off (not deleted),
/// so the person sees on their contact page that the device no longer receives pages.
/// </summary>
public sealed class ContactPushTokens(FukkyuDb db) : IPushTokenListener
{
    public Task TokensUnregisteredAsync(IReadOnlyList<string> tokens, CancellationToken ct) =>
        db.Set<ContactMethod>().Where(m => m.Kind == ContactKind.Push && m.Enabled && tokens.Contains(m.Address))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Enabled, false).SetProperty(m => m.Version, m => m.Version + 1), ct);
}
