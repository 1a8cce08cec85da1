using System.Resources;
using System.Text.Json;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Notices;

/// <summary>Texts of the operator side of communication (NoticeStrings.resx, NoticeStrings.ja.resx).</summary>
public sealed class NoticeStrings
{
    private static readonly ResourceManager Resources = new(typeof(NoticeStrings));

    /// <summary>In the reader's language.</summary>
    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    /// <summary>In a given language: for messages stored or sent in both.</summary>
    public static string In(string lang, string key, params object?[] args) => Texts.Format(Resources, key, lang == "en" ? "en" : "ja", args);
}

/// <summary>Timeline entry kinds of communication, and their sentences.</summary>
public sealed class NoticeTimeline : ITimelineDescriber
{
    public const string Submitted = "notice_submitted";
    public const string Published = "notice_published";
    public const string Rejected = "notice_rejected";
    public const string Reminder = "cadence_reminder";
    public const string Briefing = "briefing_sent";

    public string? Describe(TimelineEntry entry, JsonElement data) => entry.Kind switch
    {
        Submitted => NoticeStrings.T("TlSubmitted", Status(data)),
        Published => Get(data, "drill") == "true" ? NoticeStrings.T("TlPublishedDrill", Status(data))
            : Get(data, "approvedBy") is { Length: > 0 } by ? NoticeStrings.T("TlApproved", Status(data), by) : NoticeStrings.T("TlPublished", Status(data)),
        Rejected => NoticeStrings.T("TlRejected"),
        Reminder => NoticeStrings.T("TlReminder", Get(data, "minutes")),
        Briefing => NoticeStrings.T("TlBriefing", NoticeStrings.T("Audience_" + Get(data, "audience")), Get(data, "recipients")),
        _ => null,
    };

    private static string Status(JsonElement d) => Get(d, "status") is { Length: > 0 } s ? StatusPage.PublicText.Status(s, Texts.Japanese ? "ja" : "en") : "";

    private static string Get(JsonElement d, string name) =>
        d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString() ?? "",
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => "",
                _ => v.ToString(),
            }
            : "";
}
