using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Fukkyu.Server.Notifications;

public sealed class EmailOptions
{
    public const string Section = "Fukkyu:Email";

    /// <summary>SMTP server; email is not delivered (messages fail with a clear error) until it is set.</summary>
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    /// <summary><c>none</c>, <c>starttls</c>, <c>ssl</c> or <c>auto</c>.</summary>
    public string Security { get; set; } = "auto";
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string FromAddress { get; set; } = "fukkyu@localhost";
    public string FromName { get; set; } = "Fukkyu";
    /// <summary>SMTP connections kept open and used in parallel.</summary>
    public int MaxConnections { get; set; } = 8;
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>Payload of an <c>email</c> outbox message.</summary>
public sealed record EmailPayload(string? Html = null, Dictionary<string, string>? Headers = null, string? ToName = null);

/// <summary>
/// SMTP delivery with MailKit over a small pool of open connections. The Message-ID is derived
/// from the idempotency key, so a repeat after a crash is recognisable as the same message.
/// </summary>
public sealed class EmailSender(IOptions<EmailOptions> options, ILogger<EmailSender> log) : IOutboxSender, IDisposable
{
    public const string ChannelName = "email";

    private readonly ConcurrentBag<SmtpClient> _idle = [];
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConnections));

    public string Channel => ChannelName;

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.Host))
        {
            return SendResult.Failed("Email is not configured (Fukkyu:Email:Host).");
        }
        MimeMessage mime;
        try
        {
            mime = Build(message, o);
        }
        catch (ParseException e)
        {
            return SendResult.Failed($"Invalid address '{message.Recipient}': {e.Message}");
        }
        return await SendMimeAsync(mime, ct);
    }

    /// <summary>
    /// Sends a message built elsewhere over the same pooled connections — for channels that
    /// compose their mail at delivery time (subscriber notices with per-recipient unsubscribe links).
    /// </summary>
    public async Task<SendResult> SendMimeAsync(MimeMessage mime, CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.Host))
        {
            return SendResult.Failed("Email is not configured (Fukkyu:Email:Host).");
        }
        await _slots.WaitAsync(ct);
        SmtpClient? client = null;
        try
        {
            client = await ConnectedClientAsync(o, o.Host, ct);
            await client.SendAsync(mime, ct);
            _idle.Add(client);
            client = null;
            return SendResult.Delivered(250);
        }
        catch (SmtpCommandException e)
        {
            // 5xx is permanent (no such mailbox); 4xx is worth another try.
            var code = (int)e.StatusCode;
            return code >= 500 ? SendResult.Failed(e.Message, code) : SendResult.Retry(e.Message, code);
        }
        catch (Exception e) when (e is SmtpProtocolException or ServiceNotConnectedException or IOException
                                   or System.Net.Sockets.SocketException or TimeoutException or AuthenticationException)
        {
            return SendResult.Retry(e.Message);
        }
        finally
        {
            if (client is not null)
            {
                // A connection that failed mid-way is not reused.
                log.LogDebug("Dropping SMTP connection after a failure.");
                client.Dispose();
            }
            _slots.Release();
        }
    }

    private async Task<SmtpClient> ConnectedClientAsync(EmailOptions o, string host, CancellationToken ct)
    {
        while (_idle.TryTake(out var idle))
        {
            if (idle.IsConnected)
            {
                return idle;
            }
            idle.Dispose();
        }
        var client = new SmtpClient { Timeout = o.TimeoutSeconds * 1000 };
        var security = o.Security.ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "starttls" => SecureSocketOptions.StartTls,
            "ssl" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        };
        // Our own socket, for NoDelay: MailKit writes a message's final ".\r\n" as a small
        // segment, which Nagle holds until the server's delayed ACK (~40 ms) — per message.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, o.Port, ct);
            await client.ConnectAsync(socket, host, o.Port, security, ct);
            if (!string.IsNullOrEmpty(o.UserName))
            {
                await client.AuthenticateAsync(o.UserName, o.Password ?? "", ct);
            }
        }
        catch
        {
            // Not handed out, so nobody else will close it.
            socket.Dispose();
            client.Dispose();
            throw;
        }
        return client;
    }

    internal static MimeMessage Build(OutboxMessage message, EmailOptions o)
    {
        var payload = message.Payload is { Length: > 0 } p
            ? System.Text.Json.JsonSerializer.Deserialize<EmailPayload>(p, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))
            : null;
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(o.FromName, o.FromAddress));
        mime.To.Add(new MailboxAddress(payload?.ToName ?? "", message.Recipient));
        mime.Subject = message.Subject ?? "";
        mime.MessageId = MessageId(message.IdempotencyKey, o.FromAddress);
        foreach (var (name, value) in payload?.Headers ?? [])
        {
            mime.Headers.Add(name, value);
        }
        var body = new BodyBuilder { TextBody = message.Body };
        if (payload?.Html is { Length: > 0 } html)
        {
            body.HtmlBody = html;
        }
        mime.Body = body.ToMessageBody();
        return mime;
    }

    /// <summary>The same idempotency key always gives the same Message-ID.</summary>
    public static string MessageId(string idempotencyKey, string fromAddress)
    {
        var domain = fromAddress.Contains('@', StringComparison.Ordinal) ? fromAddress[(fromAddress.IndexOf('@', StringComparison.Ordinal) + 1)..] : "fukkyu.local";
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..40];
        return $"{id}@{domain}";
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var c))
        {
            c.Dispose();
        }
        _slots.Dispose();
    }
}
