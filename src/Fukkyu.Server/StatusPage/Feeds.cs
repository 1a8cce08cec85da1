using System.Globalization;
using System.Text;
using System.Xml;
using Fukkyu.Server.Notices;

namespace Fukkyu.Server.StatusPage;

/// <summary>Atom 1.0 and RSS 2.0 of the published notices, and iCalendar (RFC 5545) of the maintenances.</summary>
public static class Feeds
{
    private static XmlWriterSettings Settings => new() { Encoding = new UTF8Encoding(false), Indent = false, OmitXmlDeclaration = false };

    public static byte[] Atom(PublicModel model, StatusPageOptions o, string lang)
    {
        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, Settings))
        {
            const string ns = "http://www.w3.org/2005/Atom";
            w.WriteStartElement("feed", ns);
            w.WriteAttributeString("xml", "lang", null, lang);
            w.WriteElementString("id", ns, $"{o.Base}/{lang}/feed.atom");
            w.WriteElementString("title", ns, Name(o, lang));
            w.WriteElementString("updated", ns, StatuspageJson.Time(model.UpdatedAt));
            Link(w, ns, $"{o.Base}/{lang}/", "alternate");
            Link(w, ns, $"{o.Base}/{lang}/feed.atom", "self");
            w.WriteStartElement("author", ns);
            w.WriteElementString("name", ns, Name(o, lang));
            w.WriteEndElement();
            foreach (var (subject, u) in model.Notices)
            {
                w.WriteStartElement("entry", ns);
                w.WriteElementString("id", ns, "urn:uuid:" + u.Id.ToString("D"));
                w.WriteElementString("title", ns, NoticeText.Headline(u, lang));
                w.WriteElementString("updated", ns, StatuspageJson.Time(u.PublishedAt));
                w.WriteElementString("published", ns, StatuspageJson.Time(u.PublishedAt));
                Link(w, ns, Url(o, lang, subject), "alternate");
                w.WriteStartElement("content", ns);
                w.WriteAttributeString("type", "text");
                w.WriteString(NoticeText.Body(u, subject.IsMaintenance, lang));
                w.WriteEndElement();
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        return stream.ToArray();
    }

    public static byte[] Rss(PublicModel model, StatusPageOptions o, string lang)
    {
        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, Settings))
        {
            w.WriteStartElement("rss");
            w.WriteAttributeString("version", "2.0");
            w.WriteAttributeString("xmlns", "atom", null, "http://www.w3.org/2005/Atom");
            w.WriteStartElement("channel");
            w.WriteElementString("title", Name(o, lang));
            w.WriteElementString("link", $"{o.Base}/{lang}/");
            w.WriteElementString("description", PublicText.T(lang, "FeedDescription"));
            w.WriteElementString("language", lang);
            w.WriteElementString("lastBuildDate", model.UpdatedAt.ToString("R", CultureInfo.InvariantCulture));
            w.WriteStartElement("atom", "link", "http://www.w3.org/2005/Atom");
            w.WriteAttributeString("href", $"{o.Base}/{lang}/feed.rss");
            w.WriteAttributeString("rel", "self");
            w.WriteAttributeString("type", "application/rss+xml");
            w.WriteEndElement();
            foreach (var (subject, u) in model.Notices)
            {
                w.WriteStartElement("item");
                w.WriteElementString("title", NoticeText.Headline(u, lang));
                w.WriteElementString("link", Url(o, lang, subject));
                w.WriteStartElement("guid");
                w.WriteAttributeString("isPermaLink", "false");
                w.WriteString(u.Id.ToString("D"));
                w.WriteEndElement();
                w.WriteElementString("pubDate", u.PublishedAt.ToString("R", CultureInfo.InvariantCulture));
                w.WriteElementString("description", NoticeText.Body(u, subject.IsMaintenance, lang));
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
        }
        return stream.ToArray();
    }

    /// <summary>Every maintenance in the window of the page, cancelled ones as <c>STATUS:CANCELLED</c> so calendars drop them.</summary>
    public static byte[] Calendar(PublicModel model, StatusPageOptions o, string lang)
    {
        var host = Uri.TryCreate(o.Base, UriKind.Absolute, out var u) ? u.Host : "fukkyu";
        var sb = new StringBuilder();
        void Line(string text) => Fold(sb, text);
        Line("BEGIN:VCALENDAR");
        Line("VERSION:2.0");
        Line("PRODID:-//Fukkyu//Status page//" + lang.ToUpperInvariant());
        Line("CALSCALE:GREGORIAN");
        Line("METHOD:PUBLISH");
        Line("X-WR-CALNAME:" + Escape(Name(o, lang) + " — " + PublicText.T(lang, "MaintenanceCalendar")));
        Line("X-WR-TIMEZONE:Asia/Tokyo");
        foreach (var m in model.Maintenances)
        {
            var latest = m.Updates[0];
            Line("BEGIN:VEVENT");
            Line($"UID:{m.Id:N}@{host}");
            Line("DTSTAMP:" + Ics(m.UpdatedAt));
            Line("LAST-MODIFIED:" + Ics(m.UpdatedAt));
            Line("DTSTART:" + Ics(m.ScheduledFor!.Value));
            Line("DTEND:" + Ics(m.ScheduledUntil!.Value));
            Line("SEQUENCE:" + (m.Updates.Count - 1).ToString(CultureInfo.InvariantCulture));
            Line("SUMMARY:" + Escape(m.Name.For(lang)));
            Line("DESCRIPTION:" + Escape(NoticeText.Body(latest, true, lang)));
            Line("URL:" + Url(o, lang, m));
            Line("STATUS:" + (m.Cancelled ? "CANCELLED" : "CONFIRMED"));
            Line("TRANSP:TRANSPARENT");
            Line("END:VEVENT");
        }
        Line("END:VCALENDAR");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static string Url(StatusPageOptions o, string lang, PublicIncident subject) => $"{o.Base}/{lang}/incidents/{subject.Id:N}";

    private static string Name(StatusPageOptions o, string lang) => lang == "en" ? o.NameEn : o.NameJa;

    private static void Link(XmlWriter w, string ns, string href, string rel)
    {
        w.WriteStartElement("link", ns);
        w.WriteAttributeString("rel", rel);
        w.WriteAttributeString("href", href);
        w.WriteEndElement();
    }

    private static string Ics(DateTime utc) => utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    // RFC 5545 §3.3.11: backslash, semicolon and comma escaped, newlines as \n.
    internal static string Escape(string text) => text
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace(";", "\\;", StringComparison.Ordinal)
        .Replace(",", "\\,", StringComparison.Ordinal)
        .ReplaceLineEndings("\\n");

    // RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + space, never inside a UTF-8 sequence.
    internal static void Fold(StringBuilder sb, string line)
    {
        var octets = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var n = rune.Utf8SequenceLength;
            if (octets + n > 75)
            {
                sb.Append("\r\n ");
                octets = 1;
            }
            sb.Append(rune.ToString());
            octets += n;
        }
        sb.Append("\r\n");
    }
}
