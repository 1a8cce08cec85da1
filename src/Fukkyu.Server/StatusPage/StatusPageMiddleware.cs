using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Fukkyu.Server.StatusPage;

/// <summary>
/// Answers the public page, its JSON and its feeds from the current snapshot — no database, no
/// routing, no authentication — first in the pipeline, because this is the path that must hold
/// during the outage it reports. Content negotiation is language (prefix, <c>?lang=</c>, then
/// Accept-Language) and encoding (brotli, gzip, identity); conditional GETs get 304.
/// </summary>
public sealed class StatusPageMiddleware
{
    private static readonly StringValues VaryEncoding = "Accept-Encoding";
    private static readonly StringValues VaryEncodingAndLanguage = "Accept-Encoding, Accept-Language";
    private static readonly StringValues Nosniff = "nosniff";
    private static readonly StringValues Br = "br";
    private static readonly StringValues Gz = "gzip";
    private static readonly StringValues AnyOrigin = "*";
    private static readonly StringValues NoReferrer = "strict-origin-when-cross-origin";
    // Inline styles only; no scripts at all; forms only to ourselves.
    private static readonly StringValues Csp = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    private static readonly StringValues RetryAfter = "5";

    private readonly RequestDelegate _next;
    private readonly IStatusSnapshotSource _snapshots;
    private readonly string _defaultLanguage;
    private readonly StringValues _cacheControl;

    public StatusPageMiddleware(RequestDelegate next, IStatusSnapshotSource snapshots, IOptions<StatusPageOptions> options)
    {
        _next = next;
        _snapshots = snapshots;
        var o = options.Value;
        _defaultLanguage = PublicText.Lang(o.DefaultLanguage);
        _cacheControl = $"public, max-age={o.MaxAgeSeconds}, stale-while-revalidate={o.StaleWhileRevalidateSeconds}, stale-if-error={o.StaleIfErrorSeconds}";
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return _next(context);
        }
        var path = (request.Path.Value ?? "/").AsSpan();
        string? lang = null;
        if (StartsWithLanguage(path, "/ja"))
        {
            lang = "ja";
            path = path[3..];
        }
        else if (StartsWithLanguage(path, "/en"))
        {
            lang = "en";
            path = path[3..];
        }
        var prefixed = lang is not null;
        if (path.Length == 0)
        {
            path = "/";
        }
        else if (path.Length > 1 && path[^1] == '/')
        {
            path = path[..^1];
        }
        var snapshot = _snapshots.Current;
        if (snapshot is null)
        {
            if (lang is not null || path is "/" || path.StartsWith("/api/v2/", StringComparison.Ordinal))
            {
                // Nothing built yet and nothing saved: say so rather than fall through to a 404.
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = RetryAfter;
                return Task.CompletedTask;
            }
            return _next(context);
        }
        var negotiated = false;
        if (lang is null)
        {
            // Most requests (CDNs, API clients, load tests) carry neither: no parsing then.
            var query = request.QueryString.HasValue ? request.Query["lang"] : default;
            if (query.Count > 0)
            {
                lang = query[0] == "en" ? "en" : "ja";
            }
            else
            {
                var accept = request.Headers.AcceptLanguage;
                lang = accept.Count == 0 ? _defaultLanguage : PreferredLanguage(accept, _defaultLanguage);
                negotiated = true;
            }
        }
        var file = snapshot.Find(path, lang);
        if (file is null)
        {
            // Our own paths (a language prefix, an incident) that do not exist get our 404 page;
            // anything else belongs to someone else.
            if (!prefixed && !path.StartsWith("/incidents/", StringComparison.Ordinal))
            {
                return _next(context);
            }
            file = snapshot.Find(StatusSnapshot.NotFoundPath, lang);
            if (file is null)
            {
                return _next(context);
            }
        }
        return ServeAsync(context, file, negotiated, _cacheControl);
    }

    private static Task ServeAsync(HttpContext context, SnapshotFile file, bool negotiatedLanguage, StringValues cacheControl)
    {
        var (body, etag, encoding) = ChooseEncoding(context.Request.Headers.AcceptEncoding, file);
        var response = context.Response;
        var headers = response.Headers;
        headers.ETag = etag;
        headers.CacheControl = cacheControl;
        headers.Vary = negotiatedLanguage ? VaryEncodingAndLanguage : VaryEncoding;
        headers.XContentTypeOptions = Nosniff;
        headers.ContentLanguage = file.LanguageHeader;
        if (file.IsHtml)
        {
            headers.ContentSecurityPolicy = Csp;
            headers["Referrer-Policy"] = NoReferrer;
        }
        else if (file.IsApi)
        {
            headers.AccessControlAllowOrigin = AnyOrigin;
        }
        if (file.Status == StatusCodes.Status200OK && Matches(context.Request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.StatusCode = file.Status;
        headers.ContentType = file.ContentTypeHeader;
        if (encoding.Count > 0)
        {
            headers.ContentEncoding = encoding;
        }
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : WriteAsync(response, body);
    }

    // Straight into Kestrel's pipe: no stream wrapper, no task unless the write has to wait.
    private static Task WriteAsync(HttpResponse response, byte[] body)
    {
        var pending = response.BodyWriter.WriteAsync(body);
        return pending.IsCompletedSuccessfully ? Task.CompletedTask : pending.AsTask();
    }

    private static bool StartsWithLanguage(ReadOnlySpan<char> path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == 3 || path[3] == '/');

    private static (byte[] Body, StringValues ETag, StringValues Encoding) ChooseEncoding(StringValues acceptEncoding, SnapshotFile file)
    {
        if (acceptEncoding.Count == 0)
        {
            return (file.Raw, file.ETagIdentity, StringValues.Empty);
        }
        if (Accepts(acceptEncoding, "br") && file.Brotli.Length < file.Raw.Length)
        {
            return (file.Brotli, file.ETagBrotli, Br);
        }
        if (Accepts(acceptEncoding, "gzip") && file.Gzip.Length < file.Raw.Length)
        {
            return (file.Gzip, file.ETagGzip, Gz);
        }
        return (file.Raw, file.ETagIdentity, StringValues.Empty);
    }

    /// <summary>Whether a coding is listed without <c>q=0</c>.</summary>
    internal static bool Accepts(StringValues header, string coding)
    {
        foreach (var value in header)
        {
            foreach (var part in (value ?? "").Split(','))
            {
                var item = part.AsSpan().Trim();
                var semi = item.IndexOf(';');
                var name = (semi < 0 ? item : item[..semi]).Trim();
                if (!name.Equals(coding, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                return semi < 0 || !IsZeroQuality(item[(semi + 1)..]);
            }
        }
        return false;
    }

    /// <summary>The first of ja/en by the client's preference, or the default.</summary>
    internal static string PreferredLanguage(StringValues header, string fallback)
    {
        string? best = null;
        var bestQ = -1.0;
        foreach (var value in header)
        {
            foreach (var part in (value ?? "").Split(','))
            {
                var item = part.Trim();
                var semi = item.IndexOf(';', StringComparison.Ordinal);
                var tag = (semi < 0 ? item : item[..semi]).Trim();
                var q = 1.0;
                if (semi >= 0 && item[(semi + 1)..].Trim() is var p && p.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && double.TryParse(p[2..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                {
                    q = parsed;
                }
                var lang = tag.StartsWith("ja", StringComparison.OrdinalIgnoreCase) ? "ja" : tag.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? "en" : null;
                if (lang is not null && q > 0 && q > bestQ)
                {
                    best = lang;
                    bestQ = q;
                }
            }
        }
        return best ?? fallback;
    }

    private static bool IsZeroQuality(ReadOnlySpan<char> parameters)
    {
        var p = parameters.Trim();
        return p.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
            && double.TryParse(p[2..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q) && q <= 0;
    }

    private static bool Matches(StringValues ifNoneMatch, StringValues etag)
    {
        if (ifNoneMatch.Count == 0)
        {
            return false;
        }
        var tag = etag[0]!;
        foreach (var value in ifNoneMatch)
        {
            foreach (var part in (value ?? "").Split(','))
            {
                var t = part.Trim();
                if (t == "*" || t == tag || (t.StartsWith("W/", StringComparison.Ordinal) && t[2..] == tag))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
