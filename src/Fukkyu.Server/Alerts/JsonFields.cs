using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Fukkyu.Server.Alerts;

/// <summary>
/// Reads fields of an inbound alert document and collects what is wrong with them, in the
/// wording of the format being spoken (PagerDuty's <c>'payload.summary' is missing or blank</c>).
/// Lenient with what it does not know: unknown fields are ignored.
/// </summary>
internal sealed class JsonFields(List<string> errors)
{
    public List<string> Errors { get; } = errors;

    public string? Text(JsonElement obj, string name, string path, int max, bool required)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Errors.Add($"'{path}' is missing or blank");
            }
            return null;
        }
        if (v.ValueKind != JsonValueKind.String)
        {
            Errors.Add($"'{path}' must be a string");
            return null;
        }
        var s = v.GetString()!;
        if (s.Trim().Length == 0)
        {
            if (required)
            {
                Errors.Add($"'{path}' is missing or blank");
            }
            return null;
        }
        if (s.Length > max)
        {
            Errors.Add($"'{path}' is too long (maximum {max} characters, got {s.Length})");
            return null;
        }
        return s;
    }

    public DateTime? Timestamp(JsonElement obj, string name, string path)
    {
        var s = Text(obj, name, path, 64, required: false);
        if (s is null)
        {
            return null;
        }
        if (!TryParseTime(s, out var t))
        {
            Errors.Add($"'{path}' is not a valid ISO 8601 timestamp");
            return null;
        }
        return t;
    }

    /// <summary>RFC 3339 / ISO 8601 to UTC. Alertmanager's zero time (<c>0001-01-01T00:00:00Z</c>) reads as "not set".</summary>
    public static bool TryParseTime(string s, out DateTime? utc)
    {
        utc = null;
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return false;
        }
        if (t.Year > 1)
        {
            utc = t.UtcDateTime;
        }
        return true;
    }

    /// <summary>Any JSON value, kept as its text (custom_details, annotations), or null.</summary>
    public static string? Raw(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? v.GetRawText()
            : null;

    /// <summary>An object whose values are strings (labels); anything else is an error.</summary>
    public string? StringMap(JsonElement obj, string name, string path, int maxBytes)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (v.ValueKind != JsonValueKind.Object)
        {
            Errors.Add($"'{path}' must be an object of strings");
            return null;
        }
        foreach (var p in v.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                Errors.Add($"'{path}.{p.Name}' must be a string");
                return null;
            }
        }
        var raw = v.GetRawText();
        if (raw.Length > maxBytes)
        {
            Errors.Add($"'{path}' is too large (maximum {maxBytes} bytes)");
            return null;
        }
        return raw;
    }

    /// <summary>An array of objects with the given string fields, the first one required (links, images).</summary>
    public string? ObjectArray(JsonElement obj, string name, string path, string[] fields, int maxItems)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (v.ValueKind != JsonValueKind.Array)
        {
            Errors.Add($"'{path}' must be an array");
            return null;
        }
        if (v.GetArrayLength() > maxItems)
        {
            Errors.Add($"'{path}' has too many items (maximum {maxItems})");
            return null;
        }
        var before = Errors.Count;
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Errors.Add($"'{path}[{i}]' must be an object");
            }
            else
            {
                Text(item, fields[0], $"{path}[{i}].{fields[0]}", AlertLimits.Field, required: true);
                foreach (var f in fields.Skip(1))
                {
                    Text(item, f, $"{path}[{i}].{f}", AlertLimits.Field, required: false);
                }
            }
            i++;
        }
        return Errors.Count == before ? v.GetRawText() : null;
    }

    /// <summary>
    /// Reads a request body up to <paramref name="limit"/> bytes. Returns null when it is larger:
    /// the rest is never read, so a 10 MB body costs at most the limit.
    /// </summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        var writer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        while (true)
        {
            var memory = writer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, ct);
            if (read == 0)
            {
                return writer.WrittenSpan.ToArray();
            }
            writer.Advance(read);
            if (writer.WrittenCount > limit)
            {
                return null;
            }
        }
    }

    public static JsonDocument? TryParse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
