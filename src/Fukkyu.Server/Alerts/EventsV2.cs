using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fukkyu.Server.Alerts;

/// <summary>PagerDuty's answer to an accepted event.</summary>
public sealed record EventsV2Accepted(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("dedup_key"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DedupKey);

/// <summary>PagerDuty's answer to an event it did not take.</summary>
public sealed record EventsV2Error(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string[]? Errors);

/// <summary>
/// PagerDuty Events API v2 (REFERENCE §2): <c>POST /v2/enqueue</c> and <c>/v2/change/enqueue</c>,
/// with PagerDuty's fields, dedup rules, responses and errors, so any sender that speaks to
/// PagerDuty speaks to Fukkyu by changing the URL. The routing key is the integration key.
/// </summary>
public static class EventsV2
{
    internal const string InvalidEvent = "invalid event";
    internal const string EventInvalid = "Event object is invalid";
    private static readonly string[] Severities = ["critical", "error", "warning", "info"];
    private static readonly string[] Actions = ["trigger", "acknowledge", "resolve"];

    public static async Task<Results<JsonHttpResult<EventsV2Accepted>, JsonHttpResult<EventsV2Error>>> EnqueueAsync(
        HttpContext http, IntegrationDirectory directory, AlertIngest ingest, TimeProvider time)
    {
        var ct = http.RequestAborted;
        var (doc, invalid) = await ReadAsync(http, ct);
        if (invalid is not null)
        {
            return invalid;
        }
        using (doc)
        {
            var errors = new List<string>();
            var parsed = Parse(doc!.RootElement, errors, time.GetUtcNow().UtcDateTime);
            if (parsed is null)
            {
                return Invalid([.. errors]);
            }
            // Checked only after the event is valid: a malformed event gets the same 400 whether
            // or not its key exists, and every unknown or disabled key the same 404.
            var integration = await directory.FindAsync(parsed.RoutingKey, ct);
            if (integration is null)
            {
                return UnknownKey();
            }
            var e = parsed.ToEvent(integration.Sender);
            return await ingest.SubmitAsync(e) switch
            {
                IngestResult.Stored => TypedResults.Json(new EventsV2Accepted("success", "Event processed", e.DedupKey), statusCode: StatusCodes.Status202Accepted),
                var other => Refused(http, other),
            };
        }
    }

    public static async Task<Results<JsonHttpResult<EventsV2Accepted>, JsonHttpResult<EventsV2Error>>> ChangeAsync(
        HttpContext http, IntegrationDirectory directory, AlertIngest ingest, TimeProvider time)
    {
        var ct = http.RequestAborted;
        var (doc, invalid) = await ReadAsync(http, ct);
        if (invalid is not null)
        {
            return invalid;
        }
        using (doc)
        {
            var root = doc!.RootElement;
            var errors = new List<string>();
            var f = new JsonFields(errors);
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Invalid(["Event object must be a JSON object"]);
            }
            var key = RoutingKey(f, root);
            JsonElement payload = default;
            if (!root.TryGetProperty("payload", out payload) || payload.ValueKind != JsonValueKind.Object)
            {
                errors.Add("'payload' is missing or is not an object");
            }
            var summary = f.Text(payload, "summary", "payload.summary", AlertLimits.Summary, required: true);
            var source = f.Text(payload, "source", "payload.source", AlertLimits.Field, required: false);
            var timestamp = f.Timestamp(payload, "timestamp", "payload.timestamp");
            var links = f.ObjectArray(root, "links", "links", ["href", "text"], AlertLimits.Links);
            if (errors.Count > 0)
            {
                return Invalid([.. errors]);
            }
            var integration = await directory.FindAsync(key!, ct);
            if (integration is null)
            {
                return UnknownKey();
            }
            var change = new ChangeEventInput(integration.Id, summary!, source, timestamp, time.GetUtcNow().UtcDateTime,
                JsonFields.Raw(payload, "custom_details"), links);
            return await ingest.SubmitAsync([], [change]) switch
            {
                IngestResult.Stored => TypedResults.Json(new EventsV2Accepted("success", "Change event processed", null), statusCode: StatusCodes.Status202Accepted),
                var other => Refused(http, other),
            };
        }
    }

    /// <summary>A validated Events v2 event, before its routing key is looked up.</summary>
    public sealed record Parsed(string RoutingKey, AlertAction Action, string DedupKey, DateTime ReceivedAt, string? Summary, AlertSeverity? Severity,
        string? Source, string? Component, string? Group, string? Class, string? Details, string? Links, string? Images,
        string? Client, string? ClientUrl, DateTime? Timestamp)
    {
        public AlertEvent ToEvent(AlertSender sender) => new(sender, Action, DedupKey, ReceivedAt, Summary, Severity, Source, Component,
            Group, Class, null, Details, Links, Images, Client, ClientUrl, Timestamp);
    }

    /// <summary>Validates one event exactly as REFERENCE §2 describes; null with the errors when invalid.</summary>
    public static Parsed? Parse(JsonElement root, List<string> errors, DateTime now)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("Event object must be a JSON object");
            return null;
        }
        var f = new JsonFields(errors);
        var key = RoutingKey(f, root);
        AlertAction? action = null;
        var actionText = f.Text(root, "event_action", "event_action", 64, required: true);
        if (actionText is not null)
        {
            var index = Array.IndexOf(Actions, actionText);
            if (index < 0)
            {
                errors.Add($"'event_action' is invalid: '{Cut(actionText)}' is not one of trigger, acknowledge, resolve");
            }
            else
            {
                action = (AlertAction)index;
            }
        }
        var dedup = f.Text(root, "dedup_key", "dedup_key", AlertLimits.DedupKey, required: action is AlertAction.Acknowledge or AlertAction.Resolve);

        string? summary = null, source = null, component = null, group = null, @class = null, details = null;
        AlertSeverity? severity = null;
        DateTime? timestamp = null;
        if (action == AlertAction.Trigger)
        {
            if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            {
                errors.Add("'payload' is missing or is not an object (required for trigger)");
            }
            else
            {
                summary = f.Text(payload, "summary", "payload.summary", AlertLimits.Summary, required: true);
                source = f.Text(payload, "source", "payload.source", AlertLimits.Field, required: true);
                var severityText = f.Text(payload, "severity", "payload.severity", 64, required: true);
                if (severityText is not null)
                {
                    var index = Array.FindIndex(Severities, s => s.Equals(severityText, StringComparison.OrdinalIgnoreCase));
                    if (index < 0)
                    {
                        errors.Add($"'payload.severity' is invalid: '{Cut(severityText)}' is not one of critical, error, warning, info");
                    }
                    else
                    {
                        severity = (AlertSeverity)index;
                    }
                }
                timestamp = f.Timestamp(payload, "timestamp", "payload.timestamp");
                component = f.Text(payload, "component", "payload.component", AlertLimits.Field, required: false);
                group = f.Text(payload, "group", "payload.group", AlertLimits.Field, required: false);
                @class = f.Text(payload, "class", "payload.class", AlertLimits.Field, required: false);
                details = JsonFields.Raw(payload, "custom_details");
            }
        }
        var client = f.Text(root, "client", "client", AlertLimits.Field, required: false);
        var clientUrl = f.Text(root, "client_url", "client_url", AlertLimits.Field, required: false);
        var links = f.ObjectArray(root, "links", "links", ["href", "text"], AlertLimits.Links);
        var images = f.ObjectArray(root, "images", "images", ["src", "href", "alt"], AlertLimits.Links);
        if (errors.Count > 0 || action is null || key is null)
        {
            return null;
        }
        // PagerDuty generates a key for a trigger without one and returns it.
        dedup ??= Guid.NewGuid().ToString("N");
        return new Parsed(key, action.Value, dedup, now, summary, severity, source, component, group, @class, details, links, images,
            client, clientUrl, timestamp);
    }

    private static string? RoutingKey(JsonFields f, JsonElement root)
    {
        var key = f.Text(root, "routing_key", "routing_key", 256, required: true);
        if (key is null)
        {
            return null;
        }
        var ok = true;
        if (key.Length != IntegrationKeys.Length)
        {
            f.Errors.Add($"Length of 'routing_key' is incorrect (should be {IntegrationKeys.Length} characters)");
            ok = false;
        }
        if (!key.All(char.IsAsciiLetterOrDigit))
        {
            f.Errors.Add("'routing_key' cannot contain non-alphanumeric characters.");
            ok = false;
        }
        return ok ? key : null;
    }

    private static async Task<(JsonDocument? Doc, JsonHttpResult<EventsV2Error>? Invalid)> ReadAsync(HttpContext http, CancellationToken ct)
    {
        var body = await JsonFields.ReadBodyAsync(http.Request, AlertLimits.EventBytes, ct);
        if (body is null)
        {
            return (null, Invalid([$"Event object is too large (maximum {AlertLimits.EventBytes / 1024} KB)"]));
        }
        var doc = JsonFields.TryParse(body);
        return doc is null ? (null, Invalid(["Event object is not valid JSON"])) : (doc, null);
    }

    internal static JsonHttpResult<EventsV2Error> Invalid(string[] errors) =>
        TypedResults.Json(new EventsV2Error(InvalidEvent, EventInvalid, errors), statusCode: StatusCodes.Status400BadRequest);

    private static JsonHttpResult<EventsV2Error> UnknownKey() =>
        TypedResults.Json(new EventsV2Error(InvalidEvent, EventInvalid, ["Invalid routing key"]), statusCode: StatusCodes.Status404NotFound);

    private static JsonHttpResult<EventsV2Error> Refused(HttpContext http, IngestResult result)
    {
        // Senders retry 429 and 5xx; Retry-After tells them when.
        http.Response.Headers.RetryAfter = "1";
        return result == IngestResult.Throttled
            ? TypedResults.Json(new EventsV2Error("throttle event", "Requests for this service are arriving too quickly. Please retry later.", null), statusCode: StatusCodes.Status429TooManyRequests)
            : TypedResults.Json(new EventsV2Error("unavailable", "The event could not be stored. Please retry.", null), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static string Cut(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
