using System.Text.Json;
using System.Text.Json.Serialization;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Monitoring;

/// <summary>
/// What a probe needs, for every kind; each kind reads only its own fields and
/// <see cref="Validate"/> says which are required. Stored as JSON on the monitor.
/// </summary>
public sealed record MonitorSettings
{
    /// <summary>http, freshness, threshold, height-lag: the URL to fetch.</summary>
    public string? Url { get; init; }
    /// <summary>http: GET (default), HEAD or POST.</summary>
    public string? Method { get; init; }
    /// <summary>http: a POST body.</summary>
    public string? Body { get; init; }
    public Dictionary<string, string>? Headers { get; init; }
    /// <summary>http: accepted statuses, e.g. <c>200-299</c> (default) or <c>200,204</c>.</summary>
    public string? ExpectStatus { get; init; }
    /// <summary>http: slower than this is a failure.</summary>
    public int? LatencyBudgetMs { get; init; }
    /// <summary>http: the body must contain this text.</summary>
    public string? BodyContains { get; init; }
    /// <summary>http, freshness, threshold, height-lag: where the value is, e.g. <c>$.data.statuses[?(@.pair=='btc_jpy')].status</c>.</summary>
    public string? JsonPath { get; init; }
    /// <summary>http: the value at <see cref="JsonPath"/> must be one of these (compared as text).</summary>
    public string[]? Expect { get; init; }

    /// <summary>tcp, tls, dns: the host (dns: the name to resolve).</summary>
    public string? Host { get; init; }
    public int? Port { get; init; }
    /// <summary>tls: fewer days left on the certificate is a failure (default 14).</summary>
    public int? MinDaysLeft { get; init; }
    /// <summary>tls: accept a certificate that does not chain to a trusted root (still checks days left).</summary>
    public bool? AllowUntrusted { get; init; }
    /// <summary>dns: A, AAAA or ANY (default).</summary>
    public string? RecordType { get; init; }

    /// <summary>heartbeat: no beat for this long is a failure.</summary>
    public int? GraceSeconds { get; init; }

    /// <summary>freshness: <c>timestamp</c> (a time, or epoch seconds/milliseconds) or <c>sequence</c> (a number that must change).</summary>
    public string? Mode { get; init; }
    /// <summary>freshness: older than this (timestamp) or unchanged this long (sequence) is stale.</summary>
    public int? MaxAgeSeconds { get; init; }

    /// <summary>threshold, sql: the value must be at least this.</summary>
    public double? Min { get; init; }
    /// <summary>threshold, sql: the value must be at most this.</summary>
    public double? Max { get; init; }

    /// <summary>height-lag: the reference height (a public explorer).</summary>
    public string? ReferenceUrl { get; init; }
    public string? ReferenceJsonPath { get; init; }
    /// <summary>height-lag: more blocks behind than this is a failure.</summary>
    public long? MaxLag { get; init; }

    /// <summary>sql: the name of a connection in <c>Fukkyu:Monitoring:Connections</c> (secrets stay in configuration).</summary>
    public string? Connection { get; init; }
    /// <summary>sql: a query returning one number.</summary>
    public string? Query { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static MonitorSettings FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return new MonitorSettings();
        }
        try
        {
            return JsonSerializer.Deserialize<MonitorSettings>(json, Json) ?? new MonitorSettings();
        }
        catch (JsonException)
        {
            return new MonitorSettings();
        }
    }

    /// <summary>Adds an error for each field the kind needs and does not have, under <c>settings.x</c>.</summary>
    public void Validate(MonitorKind kind, Validation v, Func<string, bool> connectionExists)
    {
        const string p = "settings.";
        switch (kind)
        {
            case MonitorKind.Http:
                HttpUrl(v, p + "url", Url, required: true);
                if (Method is not null and not ("GET" or "HEAD" or "POST"))
                {
                    v.Add(p + "method", Validation.Text("UnknownValue", Method, "GET, HEAD, POST"));
                }
                if (ExpectStatus is not null && StatusRanges.Parse(ExpectStatus) is null)
                {
                    v.Add(p + "expectStatus", MonitoringStrings.T("StatusFormat"));
                }
                v.Range(p + "latencyBudgetMs", LatencyBudgetMs, 1, MonitorLimits.MaxTimeoutMs)
                 .MaxLength(p + "bodyContains", BodyContains, 1000).MaxLength(p + "body", Body, 8000);
                if (Expect is not null && JsonPath is null)
                {
                    v.Add(p + "jsonPath", Validation.Text("Required"));
                }
                Path(v, p + "jsonPath", JsonPath, required: false);
                v.Count(p + "expect", Expect, 50).Count(p + "headers", Headers, 30);
                break;
            case MonitorKind.Tcp or MonitorKind.Tls:
                v.Text(p + "host", Host, 253, required: true).Range(p + "port", Port, 1, 65535);
                if (kind == MonitorKind.Tcp)
                {
                    v.Required(p + "port", Port);
                }
                v.Range(p + "minDaysLeft", MinDaysLeft, 0, 3650);
                break;
            case MonitorKind.Dns:
                v.Text(p + "host", Host, 253, required: true);
                if (RecordType is not null and not ("A" or "AAAA" or "ANY"))
                {
                    v.Add(p + "recordType", Validation.Text("UnknownValue", RecordType, "A, AAAA, ANY"));
                }
                v.Count(p + "expect", Expect, 50);
                break;
            case MonitorKind.Heartbeat:
                v.Required(p + "graceSeconds", GraceSeconds).Range(p + "graceSeconds", GraceSeconds, 1, MonitorLimits.MaxIntervalSeconds);
                break;
            case MonitorKind.Freshness:
                HttpUrl(v, p + "url", Url, required: true);
                Path(v, p + "jsonPath", JsonPath, required: true);
                if (Mode is not (null or "timestamp" or "sequence"))
                {
                    v.Add(p + "mode", Validation.Text("UnknownValue", Mode, "timestamp, sequence"));
                }
                v.Required(p + "maxAgeSeconds", MaxAgeSeconds).Range(p + "maxAgeSeconds", MaxAgeSeconds, 1, MonitorLimits.MaxIntervalSeconds);
                break;
            case MonitorKind.Threshold:
                HttpUrl(v, p + "url", Url, required: true);
                Path(v, p + "jsonPath", JsonPath, required: true);
                Band(v);
                break;
            case MonitorKind.HeightLag:
                HttpUrl(v, p + "url", Url, required: true);
                Path(v, p + "jsonPath", JsonPath, required: true);
                HttpUrl(v, p + "referenceUrl", ReferenceUrl, required: true);
                Path(v, p + "referenceJsonPath", ReferenceJsonPath ?? JsonPath, required: true);
                if (MaxLag is null or < 0)
                {
                    v.Add(p + "maxLag", Validation.Text("Required"));
                }
                break;
            case MonitorKind.Sql:
                v.Text(p + "connection", Connection, 100, required: true).Text(p + "query", Query, 4000, required: true);
                if (Connection is { Length: > 0 } c && !connectionExists(c))
                {
                    v.Add(p + "connection", MonitoringStrings.T("UnknownConnection", c));
                }
                Band(v);
                break;
        }
    }

    private void Band(Validation v)
    {
        if (Min is null && Max is null)
        {
            v.Add("settings.min", MonitoringStrings.T("BandRequired"));
        }
        if (Min > Max)
        {
            v.Add("settings.max", MonitoringStrings.T("BandOrder"));
        }
    }

    private static void HttpUrl(Validation v, string field, string? url, bool required)
    {
        if (url is null)
        {
            if (required)
            {
                v.Add(field, Validation.Text("Required"));
            }
            return;
        }
        if (url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            v.Add(field, MonitoringStrings.T("HttpUrl"));
        }
    }

    private static void Path(Validation v, string field, string? path, bool required)
    {
        if (path is null)
        {
            if (required)
            {
                v.Add(field, Validation.Text("Required"));
            }
            return;
        }
        if (path.Length > 500 || JsonPathExpression.TryParse(path, out _) is false)
        {
            v.Add(field, MonitoringStrings.T("JsonPathFormat"));
        }
    }
}

/// <summary>Accepted HTTP statuses: <c>200-299</c>, <c>200,204,301-302</c>.</summary>
public static class StatusRanges
{
    public static (int From, int To)[]? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [(200, 299)];
        }
        var ranges = new List<(int, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            if (dash < 0 && int.TryParse(part, out var single) && single is >= 100 and <= 599)
            {
                ranges.Add((single, single));
            }
            else if (dash > 0 && int.TryParse(part[..dash], out var a) && int.TryParse(part[(dash + 1)..], out var b) && a is >= 100 and <= 599 && b >= a && b <= 599)
            {
                ranges.Add((a, b));
            }
            else
            {
                return null;
            }
        }
        return ranges.Count == 0 ? null : [.. ranges];
    }

    public static bool Accepts((int From, int To)[] ranges, int status) => ranges.Any(r => status >= r.From && status <= r.To);
}
