using System.Globalization;
using System.Text;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Fukkyu.Server.PostIncident;

/// <summary>A document ready to print: headings and bodies in one language.</summary>
public sealed record DocumentModel(
    string Lang,
    string DocumentTitle,
    string Heading,
    string Subheading,
    IReadOnlyList<(string Label, string Value)> Facts,
    IReadOnlyList<(string Heading, string Body)> Sections,
    string Footer);

/// <summary>
/// Writes documents (incident reports, filings, drill reports) as Markdown, as print-ready HTML
/// through a Razor component (so every text is encoded), and as PDF through headless Chromium.
/// </summary>
public sealed class DocumentRenderer(IServiceProvider services, ILoggerFactory loggers)
{
    public static string Markdown(DocumentModel d)
    {
        var sb = new StringBuilder();
        sb.Append("# ").AppendLine(Escape(d.Heading)).AppendLine();
        if (d.Subheading.Length > 0)
        {
            sb.AppendLine(Escape(d.Subheading)).AppendLine();
        }
        foreach (var (label, value) in d.Facts)
        {
            sb.Append("- **").Append(Escape(label)).Append("**: ").AppendLine(Escape(value));
        }
        if (d.Facts.Count > 0)
        {
            sb.AppendLine();
        }
        foreach (var (heading, body) in d.Sections)
        {
            sb.Append("## ").AppendLine(Escape(heading)).AppendLine();
            // Two trailing spaces keep the draft's line breaks; list lines stay lists.
            foreach (var line in body.ReplaceLineEndings("\n").Split('\n'))
            {
                var l = Escape(line.TrimEnd());
                sb.AppendLine(l.Length == 0 || l.StartsWith("- ", StringComparison.Ordinal) ? l : l + "  ");
            }
            sb.AppendLine();
        }
        sb.Append("---").AppendLine().AppendLine().AppendLine(Escape(d.Footer));
        return sb.ToString();
    }

    /// <summary>
    /// Text people wrote must not become markup when the Markdown is rendered elsewhere: tags and
    /// entities are neutralised; Markdown emphasis in their text is left as they wrote it.
    /// </summary>
    internal static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    public async Task<string> HtmlAsync(DocumentModel d)
    {
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<Pages.PrintDocument>(ParameterView.FromDictionary(new Dictionary<string, object?> { ["Model"] = d }));
            return output.ToHtmlString();
        });
    }

    /// <summary>Security headers for a document served as HTML: nothing loads, nothing runs.</summary>
    public static void Harden(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    public static string Stamp(DateTime utc, string lang) =>
        PostIncidentStrings.In(lang, "GeneratedAt", Tokyo.Format(utc), utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
}
