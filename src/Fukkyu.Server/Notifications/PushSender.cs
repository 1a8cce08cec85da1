using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Notifications;

public sealed class PushOptions
{
    public const string Section = "Fukkyu:Push";

    /// <summary>FCM's base address; tests and proxies point it elsewhere.</summary>
    public string BaseUrl { get; set; } = "https://fcm.googleapis.com";
    public string? ProjectId { get; set; }
    /// <summary>A Google service account key file (JSON) with the Firebase Messaging scope.</summary>
    public string? ServiceAccountFile { get; set; }
    /// <summary>The same key inline (e.g. from a secret store), instead of the file.</summary>
    public string? ServiceAccountJson { get; set; }
    /// <summary>Overrides the key's <c>token_uri</c>.</summary>
    public string? TokenUrl { get; set; }
    /// <summary>Requests in flight per outbox message (one request per device token, as FCM HTTP v1 requires).</summary>
    public int Parallelism { get; set; } = 32;
    public int TimeoutSeconds { get; set; } = 15;
}

/// <summary>What to show on the devices; data values are strings, as FCM requires.</summary>
public sealed record PushContent(string Title, string Body, Dictionary<string, string>? Data = null, string? CollapseKey = null);

/// <summary>Payload of a <c>push</c> outbox message: up to <see cref="PushMessages.MaxTokens"/> device tokens and the content.</summary>
/// <see cref="Urgent"/> (pages to responders) asks for high priority and a sound on both platforms.
public sealed record PushPayload(string[] Tokens, string Title, string Body, Dictionary<string, string>? Data, string? CollapseKey, bool Urgent = false);

/// <summary>
/// Told when FCM says device tokens are no longer registered (the app was uninstalled): each
/// feature that keeps tokens removes its own. Called in a fresh scope after the delivery.
/// </summary>
public interface IPushTokenListener
{
    Task TokensUnregisteredAsync(IReadOnlyList<string> tokens, CancellationToken ct);
}

public static class PushRegistration
{
    /// <summary>The <c>push</c> channel (FCM HTTP v1).</summary>
    public static IServiceCollection AddPush(this IServiceCollection services)
    {
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section);
        services.AddHttpClient(PushSender.HttpClientName, (sp, c) => c.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<PushOptions>>().Value.TimeoutSeconds));
        services.AddSingleton<IOutboxSender, PushSender>();
        return services;
    }
}

public static class PushMessages
{
    public const string Channel = "push";
    /// <summary>The most device tokens one outbox message carries (FCM's multicast limit).</summary>
    public const int MaxTokens = 500;

    /// <summary>
    /// Enqueues a push to these devices in the caller's unit of work, split into messages of at
    /// most 500 tokens (keys <c>{idempotencyKey}:{n}</c>).
    /// </summary>
    public static List<OutboxMessage> Enqueue(FukkyuDb db, IReadOnlyList<string> tokens, PushContent content, string idempotencyKey, string purpose,
        DateTime now, Guid? incidentId = null, Guid? userId = null, string? reference = null)
    {
        var rows = new List<OutboxMessage>();
        var chunks = tokens.Distinct(StringComparer.Ordinal).Chunk(MaxTokens).ToList();
        for (var i = 0; i < chunks.Count; i++)
        {
            var payload = new PushPayload(chunks[i], content.Title, content.Body, content.Data, content.CollapseKey ?? idempotencyKey);
            var row = Outbox.Enqueue(db, new OutgoingMessage(Channel, $"fcm:{chunks[i].Length}", $"{idempotencyKey}:{i}", purpose, content.Body,
                content.Title, payload, incidentId, userId, reference), now);
            if (row is not null)
            {
                rows.Add(row);
            }
        }
        return rows;
    }
}

/// <summary>
/// Firebase Cloud Messaging HTTP v1: one <c>messages:send</c> per token (v1 has no multicast),
/// many in parallel. Tokens FCM calls UNREGISTERED are reported to <see cref="IPushTokenListener"/>s
/// and dropped; tokens that failed for a transient reason stay in the message, which is retried
/// for them alone; the others are done. Every request carries the idempotency key as a collapse
/// key, so a repeat after a crash replaces the notification instead of adding one.
/// </summary>
public sealed class PushSender(
    IHttpClientFactory http,
    IServiceScopeFactory scopes,
    IOptions<PushOptions> options,
    TimeProvider time,
    ILogger<PushSender> log) : IOutboxSender
{
    public const string HttpClientName = "fukkyu-fcm";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private (string Token, DateTimeOffset Expires)? _accessToken;

    public string Channel => PushMessages.Channel;

    private enum Outcome
    {
        Sent,
        Unregistered,
        Invalid,
        Transient,
    }

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.ProjectId) || (string.IsNullOrWhiteSpace(o.ServiceAccountFile) && string.IsNullOrWhiteSpace(o.ServiceAccountJson)))
        {
            return SendResult.Failed("Push is not configured (Fukkyu:Push:ProjectId and a service account).");
        }
        PushPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<PushPayload>(message.Payload ?? "", Json);
        }
        catch (JsonException e)
        {
            return SendResult.Failed("Unreadable push payload: " + e.Message);
        }
        if (payload is null || payload.Tokens.Length == 0)
        {
            return SendResult.Delivered();
        }
        string accessToken;
        try
        {
            accessToken = await AccessTokenAsync(o, ct);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or CryptographicException or InvalidOperationException or IOException or TaskCanceledException)
        {
            return SendResult.Retry("FCM authentication failed: " + e.Message);
        }

        var client = http.CreateClient(HttpClientName);
        var url = $"{o.BaseUrl.TrimEnd('/')}/v1/projects/{Uri.EscapeDataString(o.ProjectId)}/messages:send";
        var results = new ConcurrentDictionary<string, (Outcome Outcome, int Code, TimeSpan? RetryAfter, string? Error)>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(payload.Tokens, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Parallelism), CancellationToken = ct },
            async (token, c) => results[token] = await SendOneAsync(client, url, accessToken, token, payload, message.IdempotencyKey, c));

        var unregistered = results.Where(r => r.Value.Outcome == Outcome.Unregistered).Select(r => r.Key).ToList();
        if (unregistered.Count > 0)
        {
            await ReportUnregisteredAsync(unregistered, ct);
        }
        if (results.Values.Any(r => r.Code == 401))
        {
            _accessToken = null; // refreshed on the retry
        }
        var retry = payload.Tokens.Where(t => results[t].Outcome == Outcome.Transient).ToArray();
        var invalid = results.Where(r => r.Value.Outcome == Outcome.Invalid).ToList();
        if (retry.Length > 0)
        {
            // Only the tokens still owed are tried again.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            var remaining = JsonSerializer.Serialize(payload with { Tokens = retry }, Json);
            await db.Set<OutboxMessage>().Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Payload, remaining), CancellationToken.None);
            var first = results[retry[0]];
            var after = retry.Select(t => results[t].RetryAfter).Where(a => a is not null).DefaultIfEmpty(null).Max();
            return SendResult.Retry($"{retry.Length} of {payload.Tokens.Length} devices to retry ({first.Error})", first.Code == 0 ? null : first.Code, after);
        }
        if (invalid.Count == payload.Tokens.Length)
        {
            return SendResult.Failed($"FCM refused every device: {invalid[0].Value.Error}", invalid[0].Value.Code);
        }
        log.LogDebug("Push {Key}: {Sent} sent, {Unregistered} unregistered, {Invalid} refused.", message.IdempotencyKey,
            results.Count(r => r.Value.Outcome == Outcome.Sent), unregistered.Count, invalid.Count);
        return SendResult.Delivered(200);
    }

    private async Task<(Outcome, int, TimeSpan?, string?)> SendOneAsync(HttpClient client, string url, string accessToken, string token,
        PushPayload p, string key, CancellationToken ct)
    {
        var data = new Dictionary<string, string>(p.Data ?? [], StringComparer.Ordinal) { ["idempotency_key"] = key };
        var body = new
        {
            message = new
            {
                token,
                notification = new { title = p.Title, body = p.Body },
                data,
                android = new { collapse_key = p.CollapseKey ?? key, priority = p.Urgent ? "high" : "normal" },
                apns = Apns(p, key),
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        try
        {
            using var response = await client.SendAsync(request, ct);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return (Outcome.Sent, code, null, null);
            }
            var text = await response.Content.ReadAsStringAsync(ct);
            var error = ErrorCode(text);
            if (error == "UNREGISTERED" || (response.StatusCode == HttpStatusCode.NotFound && error is null or "NOT_FOUND"))
            {
                return (Outcome.Unregistered, code, null, "UNREGISTERED");
            }
            if (code is 429 or 401 or >= 500 || error is "QUOTA_EXCEEDED" or "UNAVAILABLE" or "INTERNAL")
            {
                return (Outcome.Transient, code, RetryAfter(response), $"HTTP {code} {error}");
            }
            return (Outcome.Invalid, code, null, $"HTTP {code} {error}");
        }
        catch (HttpRequestException e)
        {
            return (Outcome.Transient, 0, null, e.Message);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (Outcome.Transient, 0, null, "Timed out.");
        }
    }

    /// <summary>FCM's error: <c>error.details[].errorCode</c> (FcmError), else <c>error.status</c>.</summary>
    internal static string? ErrorCode(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("error", out var error))
            {
                return null;
            }
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var d in details.EnumerateArray())
                {
                    if (d.TryGetProperty("errorCode", out var ec) && ec.GetString() is { } code)
                    {
                        return code;
                    }
                }
            }
            return error.TryGetProperty("status", out var status) ? status.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task ReportUnregisteredAsync(List<string> tokens, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            foreach (var listener in scope.ServiceProvider.GetServices<IPushTokenListener>())
            {
                await listener.TokensUnregisteredAsync(tokens, ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The delivery stands; the next push will report them again.
            log.LogWarning(e, "Removing {Count} unregistered push tokens failed.", tokens.Count);
        }
    }

    private async Task<string> AccessTokenAsync(PushOptions o, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_accessToken is { } cached && cached.Expires > now.AddMinutes(1))
        {
            return cached.Token;
        }
        await _tokenGate.WaitAsync(ct);
        try
        {
            if (_accessToken is { } again && again.Expires > now.AddMinutes(1))
            {
                return again.Token;
            }
            var key = ServiceAccount.Load(o);
            var tokenUrl = o.TokenUrl ?? key.TokenUri ?? "https://oauth2.googleapis.com/token";
            var assertion = key.Assertion(tokenUrl, now);
            using var response = await http.CreateClient(HttpClientName).PostAsync(tokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                ["assertion"] = assertion,
            }), ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"token endpoint answered {(int)response.StatusCode}: {Truncate(text, 200)}");
            }
            using var doc = JsonDocument.Parse(text);
            var token = doc.RootElement.GetProperty("access_token").GetString() ?? throw new InvalidOperationException("No access_token.");
            var expires = doc.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? seconds : 3600;
            _accessToken = (token, now.AddSeconds(expires));
            return token;
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter is { } ra ? ra.Delta ?? (ra.Date is { } d ? d - time.GetUtcNow() : null) : null;

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");

    private static Dictionary<string, object> Apns(PushPayload p, string key)
    {
        var headers = new Dictionary<string, string> { ["apns-collapse-id"] = Truncate(p.CollapseKey ?? key, 64) };
        var apns = new Dictionary<string, object> { ["headers"] = headers };
        if (p.Urgent)
        {
            headers["apns-priority"] = "10";
            apns["payload"] = new { aps = new { sound = "default" } };
        }
        return apns;
    }

    private static string Truncate(string s, int max) => s.Length > max ? s[..max] : s;
}

/// <summary>A Google service account key and the signed JWT that buys an access token (RFC 7523).</summary>
internal sealed record ServiceAccount(string ClientEmail, string PrivateKey, string? TokenUri)
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    public static ServiceAccount Load(PushOptions o)
    {
        var json = o.ServiceAccountJson is { Length: > 0 } inline ? inline : File.ReadAllText(o.ServiceAccountFile!);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new ServiceAccount(
            root.GetProperty("client_email").GetString() ?? throw new InvalidOperationException("client_email missing"),
            root.GetProperty("private_key").GetString() ?? throw new InvalidOperationException("private_key missing"),
            root.TryGetProperty("token_uri", out var uri) ? uri.GetString() : null);
    }

    public string Assertion(string audience, DateTimeOffset now)
    {
        static string B64(byte[] b) => Auth.ApiKeyMaterial.Base64Url(b);
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT" }));
        var claims = B64(JsonSerializer.SerializeToUtf8Bytes(new
        {
            iss = ClientEmail,
            scope = Scope,
            aud = audience,
            iat = now.ToUnixTimeSeconds(),
            exp = now.AddHours(1).ToUnixTimeSeconds(),
        }));
        using var rsa = RSA.Create();
        rsa.ImportFromPem(PrivateKey);
        var signature = rsa.SignData(Encoding.ASCII.GetBytes($"{header}.{claims}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{claims}.{B64(signature)}";
    }
}
