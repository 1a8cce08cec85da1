using System.Text.Json;
using Fukkyu.Server.Incidents;

namespace Fukkyu.Server.OnCall;

public static class OnCallTimeline
{
    public const string Page = "page";
    public const string PageAck = "page_ack";
    public const string PageExhausted = "page_exhausted";
}

internal sealed class OnCallTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry e, JsonElement d)
    {
        switch (e.Kind)
        {
            case OnCallTimeline.Page:
                var people = Array(d, "people").Select(p => $"{Get(p, "name")} ({string.Join(", ", Array(p, "channels").Select(c => c.GetString()))})").ToList();
                var skipped = Array(d, "alreadyPaged").Select(p => p.GetString()).ToList();
                var unreachable = Array(d, "unreachable").Select(p => p.GetString()).ToList();
                var text = people.Count > 0
                    ? OnCallStrings.T("TlPaged", string.Join(", ", people), Get(d, "groupName"), Get(d, "step"), Get(d, "steps"), Get(d, "cycle"))
                    : OnCallStrings.T("TlPagedNobody", Get(d, "groupName"), Get(d, "step"), Get(d, "steps"));
                if (unreachable.Count > 0)
                {
                    text += " " + OnCallStrings.T("TlUnreachable", string.Join(", ", unreachable));
                }
                if (skipped.Count > 0)
                {
                    text += " " + OnCallStrings.T("TlAlreadyPaged", string.Join(", ", skipped));
                }
                return text;
            case OnCallTimeline.PageAck:
                return OnCallStrings.T("TlAck", string.Join(", ", Array(d, "pages").Select(p => Get(p, "groupName"))), OnCallStrings.T("Via_" + Get(d, "via")));
            case OnCallTimeline.PageExhausted:
                return OnCallStrings.T("TlExhausted", Get(d, "groupName"));
            default:
                return null;
        }
    }

    internal static IEnumerable<JsonElement> Array(JsonElement d, string name) =>
        d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    internal static string Get(JsonElement d, string name) =>
        d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ToString()
            : "";
}
