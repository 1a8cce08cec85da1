using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Fukkyu.Server.Notifications;

/// <summary>Payload of a <c>webhook</c> outbox message: the body is the JSON sent as-is.</summary>
/// <param name="Secret">The signing secret, protected with <see cref="WebhookSecrets"/>; null sends unsigned.</param>
public sealed record WebhookPayload(string? Secret = null, Dictionary<string, string>? Headers = null, string? ContentType = null);

/// <summary>
/// Signing secrets must be usable to compute HMACs, so they cannot be hashed; they are encrypted
/// at rest with ASP.NET Core Data Protection instead (keys shared by all nodes through the database).
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Fukkyu.WebhookSecret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    public static string NewSecret() => "whsec_" + Auth.ApiKeyMaterial.Base64Url(RandomNumberGenerator.GetBytes(32));
}

/// <summary>
/// POSTs the message body to the recipient URL, signed with HMAC-SHA256 over
/// <c>{timestamp}.{body}</c> in <c>Fukkyu-Signature: t=…,v1=…</c>, with the idempotency key in
/// <c>Idempotency-Key</c>. 2xx delivers; 408, 429 and 5xx retry (honouring <c>Retry-After</c>);
/// other 4xx fail for good.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory http, WebhookSecrets secrets, TimeProvider time) : IOutboxSender
{
    public const string ChannelName = "webhook";
    public const string HttpClientName = "fukkyu-webhooks";
    public const string SignatureHeader = "Fukkyu-Signature";

    public string Channel => ChannelName;

    public Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct) =>
        SendWithAsync(http.CreateClient(HttpClientName), message, ct);

    /// <summary>The same delivery over another client: subscriber webhooks use one that refuses private addresses.</summary>
    public async Task<SendResult> SendWithAsync(HttpClient client, OutboxMessage message, CancellationToken ct)
    {
        if (!Uri.TryCreate(message.Recipient, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return SendResult.Failed($"Not an http(s) URL: {message.Recipient}");
        }
        var payload = message.Payload is { Length: > 0 } p
            ? System.Text.Json.JsonSerializer.Deserialize<WebhookPayload>(p, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))
            : null;
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(message.Body, Encoding.UTF8, payload?.ContentType ?? "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", message.IdempotencyKey);
        foreach (var (name, value) in payload?.Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (payload?.Secret is { Length: > 0 } protectedSecret)
        {
            string secret;
            try
            {
                secret = secrets.Unprotect(protectedSecret);
            }
            catch (CryptographicException)
            {
                return SendResult.Failed("The webhook's signing secret cannot be decrypted (data protection keys changed).");
            }
            request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(secret, time.GetUtcNow().ToUnixTimeSeconds(), message.Body));
        }
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return SendResult.Delivered(code);
            }
            if (response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || code >= 500)
            {
                return SendResult.Retry($"HTTP {code}", code, RetryAfter(response));
            }
            return SendResult.Failed($"HTTP {code}", code);
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

    /// <summary><c>t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}.{body}")}</c></summary>
    public static string Sign(string secret, long unixSeconds, string body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>Checks a signature as a receiver would (constant-time), within a tolerance.</summary>
    public static bool Verify(string secret, string header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || !long.TryParse(t, CultureInfo.InvariantCulture, out var ts))
        {
            return false;
        }
        if (Math.Abs(now.ToUnixTimeSeconds() - ts) > tolerance.TotalSeconds)
        {
            return false;
        }
        var expected = Sign(secret, ts, body)["t=".Length..].Split(",v1=")[1];
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(v1));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } ra)
        {
            return null;
        }
        if (ra.Delta is { } delta)
        {
            return delta;
        }
        return ra.Date is { } date ? date - time.GetUtcNow() : null;
    }
}
