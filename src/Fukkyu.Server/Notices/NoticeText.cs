using System.Text;
using Fukkyu.Server.StatusPage;

namespace Fukkyu.Server.Notices;

/// <summary>
/// A notice as text: the manual's five items under their labels, one per line. The same text is
/// the Statuspage <c>body</c>, the feeds' content, the email and the push body.
/// </summary>
public static class NoticeText
{
    public static string Body(PublicUpdate u, bool maintenance, string lang)
    {
        var prefix = maintenance ? "Maint" : "Notice";
        var sb = new StringBuilder();
        sb.Append(PublicText.T(lang, prefix + "Occurred")).Append(": ").Append(PublicText.Time(u.OccurredAt, lang)).Append('\n');
        Line(sb, PublicText.T(lang, prefix + "What"), u.What.For(lang));
        Line(sb, PublicText.T(lang, prefix + "Impact"), u.Impact.For(lang));
        Line(sb, PublicText.T(lang, prefix + "Outlook"), u.Outlook.For(lang));
        Line(sb, PublicText.T(lang, prefix + "Alternatives"), u.Alternatives.For(lang));
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>The labelled items, for pages that lay them out themselves.</summary>
    public static IReadOnlyList<(string Label, string Text)> Items(PublicUpdate u, bool maintenance, string lang)
    {
        var prefix = maintenance ? "Maint" : "Notice";
        return
        [
            (PublicText.T(lang, prefix + "Occurred"), PublicText.Time(u.OccurredAt, lang)),
            (PublicText.T(lang, prefix + "What"), u.What.For(lang)),
            (PublicText.T(lang, prefix + "Impact"), u.Impact.For(lang)),
            (PublicText.T(lang, prefix + "Outlook"), u.Outlook.For(lang)),
            (PublicText.T(lang, prefix + "Alternatives"), u.Alternatives.For(lang)),
        ];
    }

    /// <summary><c>[調査中] BTC/JPY 取引の障害について</c></summary>
    public static string Headline(PublicUpdate u, string lang) => $"[{PublicText.Status(u.Status, lang)}] {u.Title.For(lang)}";

    private static void Line(StringBuilder sb, string label, string text) =>
        sb.Append(label).Append(": ").Append(text.ReplaceLineEndings("\n").Trim()).Append('\n');
}
