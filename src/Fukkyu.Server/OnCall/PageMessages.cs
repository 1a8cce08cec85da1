using System.Text;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;

namespace Fukkyu.Server.OnCall;

/// <summary>What a page says, composed in the person's language for each channel.</summary>
public sealed record PageContext(Incident Incident, Page Page, User User, string AckUrl, string IncidentUrl, DateTime Now);

/// <summary>The push message as handed to the <c>push</c> channel (FCM HTTP v1 message without the token).</summary>
/// <param name="Tokens">Device registration tokens, at most 500 per message.</param>

public static class PageMessages
{
    public const int MaxPushTokens = 500;

    private static string Lang(User u) => u.Language == "en" ? "en" : "ja";

    /// <summary>Security incidents keep their title off chat, SMS and lock screens; email and the UI carry it.</summary>
    private static string Title(PageContext c, bool discreet) =>
        discreet && c.Incident.Security ? OnCallStrings.In(Lang(c.User), "SecurityTitleHidden") : c.Incident.Title;

    private static string Prefix(PageContext c) =>
        (c.Incident.Drill ? OnCallStrings.In(Lang(c.User), "DrillPrefix") + " " : "") + "[Fukkyu]";

    private static string Why(PageContext c) => OnCallStrings.In(Lang(c.User),
        c.Page.Purpose == PagePurpose.Command ? "PagedToCommand" : "PagedToRespond", c.Page.GroupName);

    public static string Subject(PageContext c) =>
        $"{Prefix(c)} {OnCallStrings.In(Lang(c.User), "LevelShort", c.Incident.Level)} {c.Incident.Number} {c.Incident.Title}";

    public static string EmailBody(PageContext c)
    {
        var l = Lang(c.User);
        var i = c.Incident;
        var sb = new StringBuilder();
        sb.AppendLine(Why(c)).AppendLine();
        sb.AppendLine($"{i.Number}  {i.Title}");
        sb.AppendLine(OnCallStrings.In(l, "MailLevel", i.Level, l == "en" ? i.LevelReasonEn : i.LevelReasonJa));
        sb.AppendLine(OnCallStrings.In(l, "MailStatus", WireEnum.Name(i.Status)));
        sb.AppendLine(OnCallStrings.In(l, "MailCategory", WireEnum.Name(i.Category)));
        var comps = i.Components.Where(x => x.Component is not null).Select(x => x.Component!.Name(l == "ja")).ToList();
        if (comps.Count > 0)
        {
            sb.AppendLine(OnCallStrings.In(l, "MailComponents", string.Join(", ", comps)));
        }
        sb.AppendLine(OnCallStrings.In(l, "MailDetected", Tokyo.Format(i.DetectedAt)));
        if (!string.IsNullOrWhiteSpace(i.Description))
        {
            sb.AppendLine().AppendLine(i.Description.Length > 2000 ? i.Description[..2000] + "…" : i.Description);
        }
        sb.AppendLine().AppendLine(OnCallStrings.In(l, "MailAck", c.AckUrl));
        sb.AppendLine(OnCallStrings.In(l, "MailOpen", c.IncidentUrl));
        return sb.ToString();
    }

    public static EmailPayload EmailPayloadFor(PageContext c) => new(
        Headers: new Dictionary<string, string>
        {
            ["X-Fukkyu-Incident"] = c.Incident.Number,
            ["X-Fukkyu-Page"] = c.Page.Id.ToString(),
            ["X-Priority"] = "1",
        },
        ToName: c.User.DisplayName);

    public static string Sms(PageContext c) =>
        $"{Prefix(c)} {OnCallStrings.In(Lang(c.User), "LevelShort", c.Incident.Level)} {c.Incident.Number} {Title(c, discreet: true)} — {OnCallStrings.In(Lang(c.User), "SmsAck")} {c.AckUrl}";

    public static string Slack(PageContext c)
    {
        var l = Lang(c.User);
        var text = $"{Prefix(c)} {OnCallStrings.In(l, "LevelShort", c.Incident.Level)} {c.Incident.Number} {Title(c, discreet: true)}";
        var section = $"*{Esc(text)}*\n{Esc(Why(c))}\n<{c.AckUrl}|{Esc(OnCallStrings.In(l, "SlackAck"))}> · <{c.IncidentUrl}|{Esc(OnCallStrings.In(l, "SlackOpen"))}>";
        return JsonSerializer.Serialize(new
        {
            text,
            blocks = new object[] { new { type = "section", text = new { type = "mrkdwn", text = section } } },
        });
    }

    // Slack's mrkdwn needs only these three escaped.
    private static string Esc(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    public static string Webhook(PageContext c) => JsonSerializer.Serialize(new
    {
        @event = "page",
        sentAt = c.Now,
        page = new { id = c.Page.Id, group = c.Page.GroupKey, groupName = c.Page.GroupName, purpose = WireEnum.Name(c.Page.Purpose), step = c.Page.Step + 1, cycle = c.Page.Cycle + 1 },
        incident = new
        {
            id = c.Incident.Id,
            number = c.Incident.Number,
            title = Title(c, discreet: true),
            level = c.Incident.Level,
            status = WireEnum.Name(c.Incident.Status),
            category = WireEnum.Name(c.Incident.Category),
            security = c.Incident.Security,
            drill = c.Incident.Drill,
            detectedAt = c.Incident.DetectedAt,
            url = c.IncidentUrl,
        },
        person = new { id = c.User.Id, userName = c.User.UserName, displayName = c.User.DisplayName },
        ackUrl = c.AckUrl,
    }, JsonSerializerOptions.Web);

    public static PushPayload Push(PageContext c, string[] tokens)
    {
        var l = Lang(c.User);
        // FCM data values must be strings.
        var data = new Dictionary<string, string>
        {
            ["kind"] = "page",
            ["incidentId"] = c.Incident.Id.ToString(),
            ["incidentNumber"] = c.Incident.Number,
            ["level"] = c.Incident.Level.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["pageId"] = c.Page.Id.ToString(),
            ["ackUrl"] = c.AckUrl,
            ["url"] = c.IncidentUrl,
        };
        return new PushPayload(tokens, $"{Prefix(c)} {OnCallStrings.In(l, "LevelShort", c.Incident.Level)} {c.Incident.Number}",
            $"{Title(c, discreet: true)} — {Why(c)}", data, CollapseKey: null, Urgent: true);
    }
}
