using System.Text.Encodings.Web;
using System.Text.Json;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.StatusPage;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Fukkyu.Server.Subscribers;

/// <summary>
/// A notice to one email subscriber, composed at delivery time from the notice's stored content
/// and the subscriber's unsubscribe link (RFC 8058 one-click <c>List-Unsubscribe</c>), sent over the
/// email channel's pooled SMTP connections.
/// </summary>
public sealed class SubscriberEmailSender(EmailSender email, NoticeContentCache contents, IOptions<EmailOptions> emailOptions, IOptions<StatusPageOptions> page)
    : IOutboxSender
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Channel => SubscriberChannels.Email;

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var p = JsonSerializer.Deserialize<SubscriberMessagePayload>(message.Payload ?? "null", Json);
        if (p is null)
        {
            return SendResult.Failed("Subscriber email without payload.");
        }
        if (await contents.ParsedAsync<EmailContent>(p.N, Channel, p.L, ct) is not { } c)
        {
            return SendResult.Retry("The notice's email content is not stored yet.");
        }
        var o = emailOptions.Value;
        var pg = page.Value;
        var unsubscribe = Unsubscribe(pg, p.T, p.L);
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(p.L == "en" ? pg.NameEn : pg.NameJa, o.FromAddress));
        try
        {
            mime.To.Add(MailboxAddress.Parse(message.Recipient));
        }
        catch (ParseException e)
        {
            return SendResult.Failed($"Invalid address '{message.Recipient}': {e.Message}");
        }
        mime.Subject = c.Subject;
        mime.MessageId = EmailSender.MessageId(message.IdempotencyKey, o.FromAddress);
        mime.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
        mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        mime.Headers.Add("List-Id", $"<{pg.PageId}.status.{(Uri.TryCreate(pg.Base, UriKind.Absolute, out var u) ? u.Host : "fukkyu")}>");
        mime.Headers.Add("Auto-Submitted", "auto-generated");
        mime.Headers.Add("Precedence", "bulk");
        mime.Body = new BodyBuilder
        {
            TextBody = c.Text.Replace(SubscriberChannels.UnsubscribePlaceholder, unsubscribe, StringComparison.Ordinal),
            HtmlBody = c.Html.Replace(SubscriberChannels.UnsubscribePlaceholder, HtmlEncoder.Default.Encode(unsubscribe), StringComparison.Ordinal),
        }.ToMessageBody();
        return await email.SendMimeAsync(mime, ct);
    }

    public static string Unsubscribe(StatusPageOptions page, string token, string lang) =>
        $"{page.Base}/unsubscribe?token={Uri.EscapeDataString(token)}&lang={lang}";
}

/// <summary>
/// A notice to one webhook subscriber: Statuspage's webhook document (<c>meta</c>, <c>page</c>,
/// <c>incident</c>), signed with the subscriber's secret, over a client that never connects to
/// internal addresses.
/// </summary>
public sealed class SubscriberWebhookSender(WebhookSender webhooks, WebhookTargetGuard guard, IHttpClientFactory http, NoticeContentCache contents,
    IOptions<StatusPageOptions> page) : IOutboxSender
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Channel => SubscriberChannels.Webhook;

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var p = JsonSerializer.Deserialize<SubscriberMessagePayload>(message.Payload ?? "null", Json);
        if (p is null)
        {
            return SendResult.Failed("Subscriber webhook without payload.");
        }
        if (await guard.CheckAsync(message.Recipient, ct) is { } refused)
        {
            return SendResult.Failed(refused);
        }
        if (await contents.GetAsync(p.N, Channel, ct) is not { } content)
        {
            return SendResult.Retry("The notice's webhook content is not stored yet.");
        }
        var document = content.For(p.L);
        var meta = JsonSerializer.Serialize(new
        {
            unsubscribe = SubscriberEmailSender.Unsubscribe(page.Value, p.T, p.L),
            documentation = $"{page.Value.Base}/{p.L}/api/v2/summary.json",
        }, StatuspageJson.Json);
        var body = "{\"meta\":" + meta + "," + document[1..];
        var delivery = new OutboxMessage
        {
            Id = message.Id,
            Channel = WebhookSender.ChannelName,
            Recipient = message.Recipient,
            IdempotencyKey = message.IdempotencyKey,
            Purpose = message.Purpose,
            Body = body,
            Payload = JsonSerializer.Serialize(new WebhookPayload(p.Secret, new() { ["User-Agent"] = "Fukkyu-Status-Webhook/1.0" }), Json),
        };
        return await webhooks.SendWithAsync(http.CreateClient(WebhookTargetGuard.HttpClientName), delivery, ct);
    }
}
