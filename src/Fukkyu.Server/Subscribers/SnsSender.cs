using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fukkyu.Server.Data;
using Fukkyu.Server.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Subscribers;

public sealed class SnsOptions
{
    public const string Section = "Fukkyu:Sns";

    public bool Enabled { get; set; }
    /// <summary>X API's base address (<c>POST /2/tweets</c> is appended); tests and proxies point it elsewhere.</summary>
    public string BaseUrl { get; set; } = "https://api.x.com";
    /// <summary>The account posts in this language.</summary>
    public string Language { get; set; } = "ja";
    /// <summary>OAuth 1.0a user context (does not expire): consumer key and secret, access token and secret.</summary>
    public string? ConsumerKey { get; set; }
    public string? ConsumerSecret { get; set; }
    public string? AccessToken { get; set; }
    public string? AccessTokenSecret { get; set; }
    /// <summary>Or an OAuth 2.0 user-context bearer token.</summary>
    public string? BearerToken { get; set; }
    public int TimeoutSeconds { get; set; } = 15;

    public bool HasOAuth1 => !string.IsNullOrEmpty(ConsumerKey) && !string.IsNullOrEmpty(ConsumerSecret)
        && !string.IsNullOrEmpty(AccessToken) && !string.IsNullOrEmpty(AccessTokenSecret);

    public bool Configured => Enabled && (HasOAuth1 || !string.IsNullOrEmpty(BearerToken));
}

/// <summary>Payload of an <c>sns</c> message: the text, and its place in a thread (one per incident or maintenance).</summary>
public sealed record SnsPayload(string Text, Guid? ThreadId, int Seq);

public static class SnsPosts
{
    public const string Channel = "sns";
    public const int MaxWeight = 280;
    /// <summary>X counts every URL as 23.</summary>
    public const int UrlWeight = 23;

    public static string Key(Guid threadId, int seq) => $"sns:{threadId:N}:{seq}";

    /// <summary>X's weighted length: most Latin-script characters count 1, CJK and emoji count 2.</summary>
    public static int Weight(string text)
    {
        var n = 0;
        foreach (var r in text.EnumerateRunes())
        {
            var v = r.Value;
            n += v is <= 0x10FF or (>= 0x2000 and <= 0x200D) or (>= 0x2010 and <= 0x201F) or (>= 0x2032 and <= 0x2037) ? 1 : 2;
        }
        return n;
    }

    /// <summary>The text cut to fit, with the link on its own line at the end.</summary>
    public static string Fit(string text, string url)
    {
        var budget = MaxWeight - UrlWeight - 1;
        var sb = new StringBuilder();
        var used = 0;
        foreach (var r in text.EnumerateRunes())
        {
            var w = Weight(r.ToString());
            if (used + w > budget - 1)
            {
                sb.Append('…');
                break;
            }
            sb.Append(r.ToString());
            used += w;
        }
        return sb.ToString().TrimEnd() + "\n" + url;
    }
}

/// <summary>
/// Posts to X (API v2 <c>POST /2/tweets</c>). Posts of one thread go out in order: a post waits
/// until the one before it is delivered (or given up), then replies to it. A post that was made
/// but not yet recorded as delivered (a crash in between) is recognised by the thread's sequence
/// and not made twice.
/// </summary>
public sealed class SnsSender(IHttpClientFactory http, IServiceScopeFactory scopes, IOptions<SnsOptions> options, TimeProvider time) : IOutboxSender
{
    public const string HttpClientName = "fukkyu-sns";

    public string Channel => SnsPosts.Channel;

    public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct)
    {
        var o = options.Value;
        if (!o.Configured)
        {
            return SendResult.Failed("SNS posting is not configured (Fukkyu:Sns).");
        }
        var payload = JsonSerializer.Deserialize<SnsPayload>(message.Payload ?? "null", new JsonSerializerOptions(JsonSerializerDefaults.Web));
        if (payload is null || string.IsNullOrWhiteSpace(payload.Text))
        {
            return SendResult.Failed("Empty SNS post.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        string? replyTo = null;
        if (payload.ThreadId is { } threadId)
        {
            var thread = await db.Set<SnsThread>().AsNoTracking().FirstOrDefaultAsync(t => t.SubjectId == threadId, ct);
            if (thread is not null && thread.LastSeq >= payload.Seq)
            {
                return SendResult.Delivered(); // posted before a crash; do not post it again
            }
            if (payload.Seq > 1 && (thread?.LastSeq ?? 0) < payload.Seq - 1)
            {
                var previous = SnsPosts.Key(threadId, payload.Seq - 1);
                if (await db.Set<OutboxMessage>().AnyAsync(m => m.IdempotencyKey == previous && (m.State == OutboxState.Pending || m.State == OutboxState.Claimed), ct))
                {
                    return SendResult.Retry("Waiting for the previous post of the thread.", retryAfter: TimeSpan.FromSeconds(2));
                }
            }
            replyTo = thread?.LastPostId;
        }
        var url = o.BaseUrl.TrimEnd('/') + "/2/tweets";
        var body = JsonSerializer.Serialize(replyTo is null
            ? (object)new { text = payload.Text }
            : new { text = payload.Text, reply = new { in_reply_to_tweet_id = replyTo } });
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = o.HasOAuth1
            ? new AuthenticationHeaderValue("OAuth", OAuth1.Header("POST", url, o, time.GetUtcNow()))
            : new AuthenticationHeaderValue("Bearer", o.BearerToken);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
            var code = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                var id = PostId(text);
                if (payload.ThreadId is { } tid && id is not null)
                {
                    await RecordAsync(db, tid, payload.Seq, id, ct);
                }
                return SendResult.Delivered(code);
            }
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                // X says when the window resets (epoch seconds).
                var reset = response.Headers.TryGetValues("x-rate-limit-reset", out var v) && long.TryParse(v.FirstOrDefault(), CultureInfo.InvariantCulture, out var epoch)
                    ? DateTimeOffset.FromUnixTimeSeconds(epoch) - time.GetUtcNow()
                    : (TimeSpan?)null;
                return SendResult.Retry("HTTP 429 (rate limited)", code, reset is { } r && r > TimeSpan.Zero ? r : null);
            }
            return code >= 500 ? SendResult.Retry($"HTTP {code}", code) : SendResult.Failed($"HTTP {code}: {(text.Length > 300 ? text[..300] : text)}", code);
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

    private static string? PostId(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("data", out var d) && d.TryGetProperty("id", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task RecordAsync(FukkyuDb db, Guid threadId, int seq, string postId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var updated = await db.Set<SnsThread>().Where(t => t.SubjectId == threadId && t.LastSeq < seq)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastSeq, seq).SetProperty(t => t.LastPostId, postId).SetProperty(t => t.UpdatedAt, now), CancellationToken.None);
        if (updated == 0 && !await db.Set<SnsThread>().AnyAsync(t => t.SubjectId == threadId, ct))
        {
            db.Set<SnsThread>().Add(new SnsThread { SubjectId = threadId, LastSeq = seq, LastPostId = postId, UpdatedAt = now });
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }
}

/// <summary>OAuth 1.0a request signing (RFC 5849, HMAC-SHA1) as X expects it; a JSON body is not part of the signature.</summary>
internal static class OAuth1
{
    public static string Header(string method, string url, SnsOptions o, DateTimeOffset now)
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["oauth_consumer_key"] = o.ConsumerKey!,
            ["oauth_nonce"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["oauth_signature_method"] = "HMAC-SHA1",
            ["oauth_timestamp"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["oauth_token"] = o.AccessToken!,
            ["oauth_version"] = "1.0",
        };
        var uri = new Uri(url);
        var baseUrl = $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}";
        var paramString = string.Join("&", parameters.Select(p => $"{Encode(p.Key)}={Encode(p.Value)}"));
        var signatureBase = $"{method.ToUpperInvariant()}&{Encode(baseUrl)}&{Encode(paramString)}";
        var key = $"{Encode(o.ConsumerSecret!)}&{Encode(o.AccessTokenSecret!)}";
        parameters["oauth_signature"] = Convert.ToBase64String(HMACSHA1.HashData(Encoding.ASCII.GetBytes(key), Encoding.ASCII.GetBytes(signatureBase)));
        return string.Join(", ", parameters.Select(p => $"{Encode(p.Key)}=\"{Encode(p.Value)}\""));
    }

    // RFC 3986 unreserved characters stay; everything else is percent-encoded.
    private static string Encode(string value) => Uri.EscapeDataString(value);
}
