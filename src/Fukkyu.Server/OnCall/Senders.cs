using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fukkyu.Server.Notifications;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.OnCall;

/// <summary>How an HTTP answer maps to a delivery result: 2xx delivered; 408, 429 and 5xx retried (honouring Retry-After); other 4xx failed.</summary>
internal static class HttpOutcome
{
    public static SendResult Of(HttpResponseMessage response, TimeProvider time)
    {
        var code = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return SendResult.Delivered(code);
        }
        if (response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || code >= 500)
        {
            var ra = response.Headers.RetryAfter;
            var after = ra?.Delta ?? (ra?.Date is { } date ? date - time.GetUtcNow() : null);
            return SendResult.Retry($"HTTP {code}", code, after);
        }
        return SendResult.Failed($"HTTP {code}", code);
    }

    public static async Task<SendResult> SendAsync(HttpClient client, HttpRequestMessage request, TimeProvider time, CancellationToken ct)
    {
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            return Of(response, time);
        }
        catch (HttpRequestException e)
        {
            return SendResult.Retry(e.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return SendResult.Retry("Timed out.");
        }
    }
}

/// <summary>
/// SMS through a configurable HTTP gateway (<see cref="SmsOptions"/>): the recipient is an E.164
/// number, the body the text. The idempotency key travels as <c>Idempotency-Key</c>.
/// </summary>
public sealed class SmsSender(IHttpClientFactory http, IOptions<SmsOptions> options, TimeProvider time) : IOutboxSender
{
    public const string ChannelName = "sms";
    public const string HttpClientName = "fukkyu-sms";

    public string Channel => ChannelName;

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var o = options.Value;
        if (!Uri.TryCreate(o.Url, UriKind.Absolute, out var url))
        {
            return SendResult.Failed("SMS is not configured (Fukkyu:Sms:Url).");
        }
        var text = message.Body.Length > o.MaxLength ? message.Body[..o.MaxLength] : message.Body;
        var fields = new Dictionary<string, string> { [o.ToField] = message.Recipient, [o.TextField] = text };
        if (!string.IsNullOrEmpty(o.From))
        {
            fields[o.FromField] = o.From;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = string.Equals(o.Format, "json", StringComparison.OrdinalIgnoreCase)
                ? new StringContent(JsonSerializer.Serialize(fields), Encoding.UTF8, "application/json")
                : new FormUrlEncodedContent(fields),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", message.IdempotencyKey);
        if (!string.IsNullOrEmpty(o.Authorization))
        {
            request.Headers.TryAddWithoutValidation("Authorization", o.Authorization);
        }
        else if (!string.IsNullOrEmpty(o.UserName))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.UserName}:{o.Password}")));
        }
        return await HttpOutcome.SendAsync(http.CreateClient(HttpClientName), request, time, ct);
    }
}

/// <summary>Payload of a <c>slack</c> message: the incoming-webhook URL, encrypted (it is a credential).</summary>
public sealed record SlackPayload(string ProtectedUrl);

/// <summary>
/// Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat): POSTs the body, a
/// <c>{"text":…,"blocks":[…]}</c> document, to the decrypted URL.
/// </summary>
public sealed class SlackSender(IHttpClientFactory http, WebhookSecrets secrets, TimeProvider time) : IOutboxSender
{
    public const string ChannelName = "slack";

    public string Channel => ChannelName;

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var payload = message.Payload is { Length: > 0 } p ? JsonSerializer.Deserialize<SlackPayload>(p, JsonSerializerOptions.Web) : null;
        if (payload is null)
        {
            return SendResult.Failed("The Slack message carries no webhook URL.");
        }
        string target;
        try
        {
            target = secrets.Unprotect(payload.ProtectedUrl);
        }
        catch (CryptographicException)
        {
            return SendResult.Failed("The Slack webhook URL cannot be decrypted (data protection keys changed).");
        }
        if (!Uri.TryCreate(target, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return SendResult.Failed("The Slack webhook URL is not an http(s) URL.");
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(message.Body, Encoding.UTF8, "application/json"),
        };
        return await HttpOutcome.SendAsync(http.CreateClient(WebhookSender.HttpClientName), request, time, ct);
    }

    /// <summary>Shows where a Slack webhook goes without revealing its secret path.</summary>
    public static string Mask(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Host}/…{(url.Length > 4 ? url[^4..] : "")}" : "…";
}
