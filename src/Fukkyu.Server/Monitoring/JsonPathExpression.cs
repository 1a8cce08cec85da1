using System.Globalization;
using System.Text.Json;

namespace Fukkyu.Server.Monitoring;

/// <summary>
/// The small part of JSONPath that monitors need: <c>$.data.ticker.last</c>, <c>$.items[0]</c>,
/// <c>$['odd key']</c> and a filter that picks the first element whose field equals a value,
/// <c>$.data.statuses[?(@.pair=='btc_jpy')].status</c>. Evaluates to one value or none.
/// </summary>
public sealed class JsonPathExpression
{
    private abstract record Step;

    private sealed record Property(string Name) : Step;

    private sealed record Index(int Value) : Step;

    private sealed record Filter(string Field, string Value, bool IsString) : Step;

    private readonly List<Step> _steps;

    private JsonPathExpression(List<Step> steps) => _steps = steps;

    public static bool TryParse(string text, out JsonPathExpression? expression)
    {
        expression = null;
        var steps = new List<Step>();
        var s = text.Trim();
        if (!s.StartsWith('$'))
        {
            return false;
        }
        var i = 1;
        while (i < s.Length)
        {
            if (s[i] == '.')
            {
                var start = ++i;
                while (i < s.Length && s[i] != '.' && s[i] != '[')
                {
                    i++;
                }
                if (i == start)
                {
                    return false;
                }
                steps.Add(new Property(s[start..i]));
            }
            else if (s[i] == '[')
            {
                var close = FindClose(s, i);
                if (close < 0)
                {
                    return false;
                }
                var inner = s[(i + 1)..close].Trim();
                i = close + 1;
                if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
                {
                    steps.Add(new Property(inner[1..^1]));
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(new Index(index));
                }
                else if (ParseFilter(inner) is { } filter)
                {
                    steps.Add(filter);
                }
                else
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }
        expression = new JsonPathExpression(steps);
        return true;
    }

    private static int FindClose(string s, int open)
    {
        char? quote = null;
        for (var i = open + 1; i < s.Length; i++)
        {
            var c = s[i];
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ']')
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary><c>?(@.field=='value')</c> or <c>?(@.field==42)</c>.</summary>
    private static Filter? ParseFilter(string inner)
    {
        if (!inner.StartsWith("?(@.", StringComparison.Ordinal) || !inner.EndsWith(')'))
        {
            return null;
        }
        var body = inner[4..^1];
        var eq = body.IndexOf("==", StringComparison.Ordinal);
        if (eq <= 0)
        {
            return null;
        }
        var field = body[..eq].Trim();
        var value = body[(eq + 2)..].Trim();
        if (value.Length >= 2 && value[0] is '\'' or '"' && value[^1] == value[0])
        {
            return new Filter(field, value[1..^1], true);
        }
        return value.Length > 0 ? new Filter(field, value, false) : null;
    }

    public JsonElement? Evaluate(JsonElement root)
    {
        var current = root;
        foreach (var step in _steps)
        {
            switch (step)
            {
                case Property p when current.ValueKind == JsonValueKind.Object && current.TryGetProperty(p.Name, out var next):
                    current = next;
                    break;
                case Index x when current.ValueKind == JsonValueKind.Array && x.Value < current.GetArrayLength():
                    current = current[x.Value];
                    break;
                case Filter f when current.ValueKind == JsonValueKind.Array:
                    JsonElement? found = null;
                    foreach (var item in current.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty(f.Field, out var v) && Matches(v, f))
                        {
                            found = item;
                            break;
                        }
                    }
                    if (found is null)
                    {
                        return null;
                    }
                    current = found.Value;
                    break;
                default:
                    return null;
            }
        }
        return current;
    }

    private static bool Matches(JsonElement v, Filter f) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() == f.Value,
        JsonValueKind.Number => !f.IsString && v.GetRawText() == f.Value,
        JsonValueKind.True => f.Value == "true",
        JsonValueKind.False => f.Value == "false",
        _ => false,
    };

    /// <summary>The value as text for comparisons: strings unquoted, everything else as JSON.</summary>
    public static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    /// <summary>A number, or a string holding one (exchanges send amounts as strings).</summary>
    public static double? Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
