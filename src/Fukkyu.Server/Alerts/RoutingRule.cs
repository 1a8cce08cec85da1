using System.Text.Json;
using System.Text.Json.Serialization;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;

namespace Fukkyu.Server.Alerts;

public enum RoutingAction
{
    /// <summary>Keep the alert in the list; no incident.</summary>
    Record,
    /// <summary>Open an incident, or attach to the component's open incident if there is one.</summary>
    [JsonStringEnumMemberName("open_incident")]
    OpenIncident,
    /// <summary>Attach to the component's open incident; record only when there is none.</summary>
    Attach,
}

/// <summary>
/// Decides what an alert does. Rules are tried by <see cref="Position"/>; the first that
/// matches wins. Every condition that is set must hold; an unset one matches anything.
/// </summary>
public sealed class RoutingRule : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public int Position { get; set; }
    public bool Enabled { get; set; } = true;

    public AlertOrigin? Origin { get; set; }
    /// <summary>The integration or monitor the alert came from.</summary>
    public Guid? SourceId { get; set; }
    public Guid? ComponentId { get; set; }
    /// <summary>At least this severe (critical is the most severe).</summary>
    public AlertSeverity? MinSeverity { get; set; }
    /// <summary>JSON object of label → value; the value <c>*</c> means "present".</summary>
    public string? Labels { get; set; }

    public RoutingAction Action { get; set; }
    /// <summary>For incidents opened by this rule: the impact scope the severity policy starts from.</summary>
    public ImpactScope ImpactScope { get; set; } = ImpactScope.Some;
    /// <summary>For incidents opened or attached by this rule: the component's impact.</summary>
    public ComponentImpact ComponentImpact { get; set; } = ComponentImpact.MajorOutage;
    /// <summary>Component used when the alert names none.</summary>
    public Guid? FallbackComponentId { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }

    public bool Matches(Alert alert)
    {
        if (!Enabled)
        {
            return false;
        }
        if (Origin is { } o && o != alert.Origin)
        {
            return false;
        }
        if (SourceId is { } s && s != alert.SourceId)
        {
            return false;
        }
        if (ComponentId is { } c && c != alert.ComponentId)
        {
            return false;
        }
        // Enum order is most severe first: "at least error" is critical or error.
        if (MinSeverity is { } min && alert.Severity > min)
        {
            return false;
        }
        var wanted = LabelMatchers.Parse(Labels);
        if (wanted.Count > 0)
        {
            var have = LabelMatchers.Parse(alert.Labels);
            foreach (var (key, value) in wanted)
            {
                if (!have.TryGetValue(key, out var actual) || (value != "*" && !string.Equals(value, actual, StringComparison.Ordinal)))
                {
                    return false;
                }
            }
        }
        return true;
    }
}

public static class LabelMatchers
{
    /// <summary>Reads a JSON object of strings; anything else reads as no labels.</summary>
    public static Dictionary<string, string> Parse(string? json)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json))
        {
            return result;
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return result;
            }
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }
        catch (JsonException)
        {
            // Stored by us, so never expected; an unreadable value matches nothing.
        }
        return result;
    }
}
