using System.Text.Json;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Controls;

internal sealed class ControlsTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry e, JsonElement d) => e.Kind switch
    {
        ControlsTimeline.Change => Get(d, "approvedBy") is { Length: > 0 } by
            ? ControlsStrings.T("TlChangeApproved", Name(d), Get(d, "from"), Get(d, "to"), by)
            : ControlsStrings.T("TlChange", Name(d), Get(d, "from"), Get(d, "to")),
        ControlsTimeline.ApprovalRequested => ControlsStrings.T("TlApprovalRequested", Name(d), Get(d, "change")),
        ControlsTimeline.ApprovalDecided => ControlsStrings.T(Get(d, "approved") == "True" || Get(d, "approved") == "true" ? "TlApproved" : "TlRejected",
            Get(d, "component"), Get(d, "change"), Get(d, "requestedBy")),
        _ => null,
    };

    // Names are stored as "日本語 / English": show the reader's half.
    private static string Name(JsonElement d)
    {
        var name = Get(d, "name");
        var parts = name.Split(" / ", 2);
        return parts.Length == 2 ? (Texts.Japanese ? parts[0] : parts[1]) : Get(d, "component");
    }

    private static string Get(JsonElement d, string name) =>
        d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ToString()
            : "";
}
