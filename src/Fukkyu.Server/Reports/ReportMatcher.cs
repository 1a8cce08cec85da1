using System.Text;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Incidents;

namespace Fukkyu.Server.Reports;

/// <summary>An open incident that may be what a report describes, and why.</summary>
public sealed record Suggestion(Guid IncidentId, string Number, string Title, IncidentStatus Status, int Level, double Score, bool SameComponent, string[] SharedWords);

/// <summary>
/// Suggests the open incidents a report is likely about: the same component counts most, the same
/// category some, shared words the rest. Words are compared without a dictionary: latin text by
/// word, Japanese by overlapping character pairs (bigrams), which is how search engines match
/// text without spaces.
/// </summary>
public static class ReportMatcher
{
    public const double MinimumScore = 0.15;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "and", "or", "of", "to", "in", "on", "is", "are", "was", "not", "for", "with", "it", "my", "i", "at", "be", "can",
        "です", "ます", "して", "した", "ない", "いる", "ている", "から", "ので", "まし", "した。",
    };

    public static IReadOnlyList<Suggestion> Suggest(Report report, Component? reportComponent, IEnumerable<Incident> openIncidents, int max)
    {
        var words = Words(report.What + " " + report.ImpactSeen);
        var result = new List<Suggestion>();
        foreach (var incident in openIncidents)
        {
            var sameComponent = report.ComponentId is { } cid && incident.Components.Any(c => c.ComponentId == cid);
            var sameCategory = reportComponent is not null && incident.Category == reportComponent.Category;
            var theirs = Words(incident.Title + " " + incident.Description);
            var shared = words.Intersect(theirs).ToList();
            // Overlap relative to the smaller text: a short report matches a long description.
            var overlap = words.Count == 0 || theirs.Count == 0 ? 0 : shared.Count / (double)Math.Min(words.Count, theirs.Count);
            var score = (sameComponent ? 0.6 : sameCategory ? 0.2 : 0) + (0.4 * overlap);
            if (score >= MinimumScore)
            {
                result.Add(new Suggestion(incident.Id, incident.Number, incident.Title, incident.Status, incident.Level, Math.Round(score, 3), sameComponent,
                    [.. shared.Where(w => w.Length > 1).OrderByDescending(w => w.Length).Take(5)]));
            }
        }
        return [.. result.OrderByDescending(s => s.Score).ThenByDescending(s => s.Level).Take(max)];
    }

    /// <summary>Lower-case latin words and digits; character bigrams for Japanese runs.</summary>
    public static HashSet<string> Words(string? text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return words;
        }
        var normalized = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var latin = new StringBuilder();
        var cjk = new StringBuilder();
        void Flush()
        {
            if (latin.Length > 1 && !StopWords.Contains(latin.ToString()))
            {
                words.Add(latin.ToString());
            }
            latin.Clear();
            if (cjk.Length == 1)
            {
                words.Add(cjk.ToString());
            }
            for (var i = 0; i + 1 < cjk.Length; i++)
            {
                var pair = cjk.ToString(i, 2);
                if (!StopWords.Contains(pair))
                {
                    words.Add(pair);
                }
            }
            cjk.Clear();
        }
        foreach (var c in normalized)
        {
            if (IsCjk(c))
            {
                if (latin.Length > 0)
                {
                    Flush();
                }
                cjk.Append(c);
            }
            else if (char.IsLetterOrDigit(c) || c == '/' || c == '_')
            {
                if (cjk.Length > 0)
                {
                    Flush();
                }
                latin.Append(c);
            }
            else
            {
                Flush();
            }
        }
        Flush();
        return words;
    }

    /// <summary>Hiragana, katakana (with the long-vowel mark) and kanji.</summary>
    private static bool IsCjk(char c) => c is >= '\u3040' and <= '\u30ff' or >= '\u3400' and <= '\u9fff' or >= '\uf900' and <= '\ufaff';
}
