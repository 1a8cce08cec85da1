using System.Text.Json;

namespace Fukkyu.Server.Incidents;

/// <summary>
/// Turns a timeline entry into a sentence in the reader's language. Each feature that writes
/// its own entry kinds registers a describer for them.
/// </summary>
public interface ITimelineDescriber
{
    /// <summary>The sentence, or null when the kind is not this describer's.</summary>
    string? Describe(TimelineEntry entry, JsonElement data);
}

public sealed class TimelineText(IEnumerable<ITimelineDescriber> describers)
{
    public string Describe(TimelineEntry entry)
    {
        var data = default(JsonElement);
        if (entry.Data is { Length: > 0 } json)
        {
            try
            {
                data = JsonDocument.Parse(json).RootElement;
            }
            catch (JsonException)
            {
                // A tampered entry still shows; verification reports it.
            }
        }
        foreach (var d in describers)
        {
            if (d.Describe(entry, data) is { } text)
            {
                return text;
            }
        }
        return entry.Kind;
    }
}

internal sealed class CoreTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry e, JsonElement d) => e.Kind switch
    {
        TimelineKinds.Declared => IncidentStrings.T("TlDeclared", Get(d, "level"), Get(d, Incidents.IncidentsApi.Japanese ? "reasonJa" : "reasonEn")),
        TimelineKinds.Status => IncidentStrings.T("TlStatus", StatusName(Get(d, "from")), StatusName(Get(d, "to"))),
        TimelineKinds.Level => IncidentStrings.T(Get(d, "rule") == "manual" ? "TlLevelManual" : "TlLevelAuto", Get(d, "from"), Get(d, "to")),
        TimelineKinds.Note => IncidentStrings.T("TlNote"),
        TimelineKinds.Commander => IncidentStrings.T("TlCommander", Get(d, "to")),
        TimelineKinds.MemberAdded => IncidentStrings.T("TlMemberAdded", Get(d, "user"), Get(d, "role")),
        TimelineKinds.MemberRemoved => IncidentStrings.T("TlMemberRemoved", Get(d, "user")),
        TimelineKinds.Updated => IncidentStrings.T("TlUpdated", d.ValueKind == JsonValueKind.Object ? string.Join(", ", d.EnumerateObject().Select(p => p.Name)) : ""),
        TimelineKinds.GateOverride => IncidentStrings.T("TlGateOverride", StatusName(Get(d, "to"))),
        _ => null,
    };

    internal static string StatusName(string wire) => IncidentStrings.T("Status_" + wire);

    private static string Get(JsonElement d, string name) =>
        d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ToString()
            : "";
}
