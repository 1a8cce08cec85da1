using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fukkyu.Server.Alerts;

public sealed record WebhookAccepted(string Status, int Accepted, string[] DedupKeys);

/// <summary>
/// Prometheus Alertmanager's webhook (payload version 4, REFERENCE §1) and a generic JSON
/// format for everything else. Both authenticate with the integration key and answer only once
/// every alert in the request is durable; Alertmanager retries on 5xx, so a failed commit is 503.
/// </summary>
public static class Webhooks
{
    public const int MaxAlertsPerRequest = 10_000;
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    public static async Task<Results<Ok<WebhookAccepted>, ValidationProblem, ProblemHttpResult>> AlertmanagerAsync(
        HttpContext http, AlertIngest ingest, TimeProvider time)
    {
        var integration = (IntegrationInfo)http.Items[typeof(IntegrationInfo)]!;
        var (doc, problem) = await ReadAsync(http);
        if (problem is not null)
        {
            return problem;
        }
        using (doc)
        {
            var v = new Validation();
            var events = ParseAlertmanager(doc!.RootElement, integration.Sender, time.GetUtcNow().UtcDateTime, v);
            if (!v.IsValid)
            {
                return TypedResults.ValidationProblem(v.Errors);
            }
            return await Submit(http, ingest, events);
        }
    }

    public static async Task<Results<Ok<WebhookAccepted>, ValidationProblem, ProblemHttpResult>> GenericAsync(
        HttpContext http, AlertIngest ingest, TimeProvider time)
    {
        var integration = (IntegrationInfo)http.Items[typeof(IntegrationInfo)]!;
        var (doc, problem) = await ReadAsync(http);
        if (problem is not null)
        {
            return problem;
        }
        using (doc)
        {
            var v = new Validation();
            var events = ParseGeneric(doc!.RootElement, integration.Sender, time.GetUtcNow().UtcDateTime, v);
            if (!v.IsValid)
            {
                return TypedResults.ValidationProblem(v.Errors);
            }
            return await Submit(http, ingest, events);
        }
    }

    private static async Task<Results<Ok<WebhookAccepted>, ValidationProblem, ProblemHttpResult>> Submit(HttpContext http, AlertIngest ingest, List<AlertEvent> events)
    {
        var result = await ingest.SubmitAsync(events);
        if (result == IngestResult.Stored)
        {
            return TypedResults.Ok(new WebhookAccepted("success", events.Count, [.. events.Select(e => e.DedupKey)]));
        }
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(
            result == IngestResult.Throttled ? AlertStrings.T("Throttled") : AlertStrings.T("Unavailable"),
            statusCode: result == IngestResult.Throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<(JsonDocument? Doc, ProblemHttpResult? Problem)> ReadAsync(HttpContext http)
    {
        var body = await JsonFields.ReadBodyAsync(http.Request, MaxBodyBytes, http.RequestAborted);
        if (body is null)
        {
            return (null, TypedResults.Problem(Validation.Text("BodyTooLarge", MaxBodyBytes), statusCode: StatusCodes.Status413PayloadTooLarge));
        }
        var doc = JsonFields.TryParse(body);
        return doc is null
            ? (null, TypedResults.Problem(Validation.Text("InvalidJson"), statusCode: StatusCodes.Status400BadRequest))
            : (doc, null);
    }

    /// <summary>One event per alert in the notification; unknown fields are ignored.</summary>
    public static List<AlertEvent> ParseAlertmanager(JsonElement root, AlertSender sender, DateTime now, Validation v)
    {
        var events = new List<AlertEvent>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            v.Add("body", AlertStrings.T("MustBeObject"));
            return events;
        }
        if (!root.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
        {
            v.Add("alerts", Validation.Text("Required"));
            return events;
        }
        if (alerts.GetArrayLength() > MaxAlertsPerRequest)
        {
            v.Add("alerts", Validation.Text("TooMany", MaxAlertsPerRequest));
            return events;
        }
        var receiver = root.TryGetProperty("receiver", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var i = 0;
        foreach (var a in alerts.EnumerateArray())
        {
            var path = $"alerts[{i++}]";
            var errors = new List<string>();
            var f = new JsonFields(errors);
            if (a.ValueKind != JsonValueKind.Object)
            {
                v.Add(path, AlertStrings.T("MustBeObject"));
                continue;
            }
            var status = f.Text(a, "status", $"{path}.status", 20, required: true);
            var labels = f.StringMap(a, "labels", $"{path}.labels", AlertLimits.Labels);
            var startsAt = f.Timestamp(a, "startsAt", $"{path}.startsAt");
            var fingerprint = f.Text(a, "fingerprint", $"{path}.fingerprint", AlertLimits.DedupKey, required: false);
            var generator = f.Text(a, "generatorURL", $"{path}.generatorURL", AlertLimits.Field, required: false);
            if (status is not null and not ("firing" or "resolved"))
            {
                v.Add($"{path}.status", Validation.Text("UnknownValue", status, "firing, resolved"));
            }
            AddErrors(v, errors, path);
            if (!v.IsValid || status is null)
            {
                continue;
            }
            var labelMap = LabelMatchers.Parse(labels);
            var annotations = a.TryGetProperty("annotations", out var ann) && ann.ValueKind == JsonValueKind.Object ? ann : default;
            var summary = Annotation(annotations, "summary") ?? Annotation(annotations, "description") ?? labelMap.GetValueOrDefault("alertname") ?? "Alertmanager alert";
            events.Add(new AlertEvent(
                sender,
                status == "resolved" ? AlertAction.Resolve : AlertAction.Trigger,
                fingerprint ?? Fingerprint(labelMap),
                now,
                Summary: Cut(summary, AlertLimits.Summary),
                Severity: MapSeverity(labelMap.GetValueOrDefault("severity")),
                Source: labelMap.GetValueOrDefault("instance") ?? labelMap.GetValueOrDefault("job") ?? receiver,
                Component: labelMap.GetValueOrDefault("component"),
                Group: labelMap.GetValueOrDefault("job"),
                Class: labelMap.GetValueOrDefault("alertname"),
                Labels: labels,
                Details: annotations.ValueKind == JsonValueKind.Object ? annotations.GetRawText() : null,
                Links: generator is null ? null : JsonSerializer.Serialize(new[] { new { href = generator, text = "Source" } }),
                Client: "Alertmanager",
                OccurredAt: startsAt));
        }
        return events;
    }

    /// <summary>
    /// <c>{"dedupKey","status":"firing|resolved|acknowledged","summary","severity","source","component","labels","details","startsAt"}</c>,
    /// one object or an array of them.
    /// </summary>
    public static List<AlertEvent> ParseGeneric(JsonElement root, AlertSender sender, DateTime now, Validation v)
    {
        var events = new List<AlertEvent>();
        var items = root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : new List<JsonElement> { root };
        if (items.Count > MaxAlertsPerRequest)
        {
            v.Add("body", Validation.Text("TooMany", MaxAlertsPerRequest));
            return events;
        }
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var prefix = root.ValueKind == JsonValueKind.Array ? $"[{i}]." : "";
            if (item.ValueKind != JsonValueKind.Object)
            {
                v.Add(prefix.Length == 0 ? "body" : $"[{i}]", AlertStrings.T("MustBeObject"));
                continue;
            }
            var errors = new List<string>();
            var f = new JsonFields(errors);
            var status = f.Text(item, "status", prefix + "status", 20, required: false) ?? "firing";
            AlertAction? action = status switch
            {
                "firing" or "trigger" or "triggered" => AlertAction.Trigger,
                "acknowledged" or "acknowledge" => AlertAction.Acknowledge,
                "resolved" or "resolve" => AlertAction.Resolve,
                _ => null,
            };
            if (action is null)
            {
                v.Add(prefix + "status", Validation.Text("UnknownValue", status, "firing, acknowledged, resolved"));
            }
            var dedup = f.Text(item, "dedupKey", prefix + "dedupKey", AlertLimits.DedupKey, required: action is AlertAction.Acknowledge or AlertAction.Resolve);
            var summary = f.Text(item, "summary", prefix + "summary", AlertLimits.Summary, required: action == AlertAction.Trigger);
            var severityText = f.Text(item, "severity", prefix + "severity", 20, required: false);
            AlertSeverity? severity = null;
            if (severityText is not null)
            {
                if (WireEnum.TryParse<AlertSeverity>(severityText, out var s))
                {
                    severity = s;
                }
                else
                {
                    v.Add(prefix + "severity", Validation.Text("UnknownValue", severityText, WireEnum.Accepted<AlertSeverity>()));
                }
            }
            var source = f.Text(item, "source", prefix + "source", AlertLimits.Field, required: false);
            var component = f.Text(item, "component", prefix + "component", AlertLimits.Field, required: false);
            var labels = f.StringMap(item, "labels", prefix + "labels", AlertLimits.Labels);
            var startsAt = f.Timestamp(item, "startsAt", prefix + "startsAt");
            var links = f.ObjectArray(item, "links", prefix + "links", ["href", "text"], AlertLimits.Links);
            AddErrors(v, errors, prefix.Length == 0 ? "body" : $"[{i}]");
            if (action is null || errors.Count > 0)
            {
                continue;
            }
            events.Add(new AlertEvent(sender, action.Value, dedup ?? Guid.NewGuid().ToString("N"), now,
                Summary: summary, Severity: severity ?? (action == AlertAction.Trigger ? AlertSeverity.Error : null),
                Source: source, Component: component ?? (labels is null ? null : LabelMatchers.Parse(labels).GetValueOrDefault("component")),
                Labels: labels, Details: JsonFields.Raw(item, "details"), Links: links, Client: "generic", OccurredAt: startsAt));
        }
        return v.IsValid ? events : [];
    }

    /// <summary>"'alerts[0].status' is missing or blank" is filed under the field "alerts[0].status".</summary>
    private static void AddErrors(Validation v, List<string> errors, string fallback)
    {
        foreach (var e in errors)
        {
            var field = e.StartsWith('\'') && e.IndexOf('\'', 1) is var end and > 0 ? e[1..end] : fallback;
            v.Add(field, e);
        }
    }

    private static string? Annotation(JsonElement annotations, string name) =>
        annotations.ValueKind == JsonValueKind.Object && annotations.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.String
            && a.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>Alertmanager severities are free text; map the common ones, default to warning.</summary>
    public static AlertSeverity MapSeverity(string? label) => label?.ToLowerInvariant() switch
    {
        "critical" or "page" or "emergency" or "fatal" or "high" or "p1" => AlertSeverity.Critical,
        "error" or "major" or "p2" => AlertSeverity.Error,
        "info" or "informational" or "low" or "none" or "p4" or "p5" => AlertSeverity.Info,
        _ => AlertSeverity.Warning,
    };

    /// <summary>Alertmanager's own fingerprint when present; otherwise a stable hash of the sorted labels.</summary>
    public static string Fingerprint(IReadOnlyDictionary<string, string> labels)
    {
        var text = string.Join('\n', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..max];
}
