using System.Text.Json;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Notices;

public sealed record LocalizedText(string? Ja, string? En)
{
    public string For(string lang) => (lang == "en" ? En : Ja) ?? "";
}

public sealed record NoticeTemplateEntry(string? Category, string? Status, LocalizedText? Title, LocalizedText? What, LocalizedText? Impact,
    LocalizedText? Outlook, LocalizedText? Alternatives);

public sealed record FaqEntry(LocalizedText Q, LocalizedText A);

public sealed record ExpectedTemplates(LocalizedText Known, LocalizedText Unknown);

public sealed record TemplatesDocument(
    NoticeTemplateEntry[] Notices,
    ExpectedTemplates Expected,
    Dictionary<string, LocalizedText> Maintenance,
    Dictionary<string, LocalizedText> NextSteps,
    Dictionary<string, LocalizedText> WorstCase,
    Dictionary<string, FaqEntry[]> Faq,
    LocalizedText IdentityCheck,
    LocalizedText HoldingStatement);

/// <summary>The manual's five items as a person edits them, in both languages.</summary>
public sealed record NoticeDraft(LocalizedText Title, DateTime OccurredAt, LocalizedText What, LocalizedText Impact, LocalizedText Outlook, LocalizedText Alternatives);

/// <summary>
/// Notice templates per category and status (and the briefings' FAQ, worst cases and next
/// steps), in Japanese and English. For each item the most specific entry wins: category and
/// status (an entry may list several statuses: <c>investigating|identified</c>), then category with
/// <c>*</c>, then any category with the status, then the default.
/// </summary>
public sealed class CommsTemplates
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip };

    public CommsTemplates(IOptions<NoticeOptions> options, IHostEnvironment env)
    {
        var file = options.Value.TemplatesFile;
        if (file is { Length: > 0 })
        {
            var path = Path.IsPathRooted(file) ? file : Path.Combine(env.ContentRootPath, file);
            using var stream = File.OpenRead(path);
            Document = Load(stream, path);
        }
        else
        {
            using var stream = typeof(CommsTemplates).Assembly.GetManifestResourceStream("Fukkyu.CommsTemplates.json")
                ?? throw new InvalidOperationException("The built-in comms templates are missing from the assembly.");
            Document = Load(stream, "built-in templates");
        }
    }

    public TemplatesDocument Document { get; }

    private static TemplatesDocument Load(Stream stream, string name) =>
        JsonSerializer.Deserialize<TemplatesDocument>(stream, Json) ?? throw new InvalidOperationException($"{name} is empty.");

    /// <summary>Fills the template for an incident's category and a notice status.</summary>
    public NoticeDraft Notice(ComponentCategory category, NoticeStatus status, DateTime occurredAt, IReadOnlyDictionary<string, LocalizedText> values)
    {
        var cat = WireEnum.Name(category);
        var st = WireEnum.Name(status);
        LocalizedText Pick(Func<NoticeTemplateEntry, LocalizedText?> item)
        {
            foreach (var (c, s) in new[] { (cat, st), (cat, "*"), ("*", st), ("*", "*"), ("*", "investigating") })
            {
                var hit = Document.Notices.FirstOrDefault(e => e.Category == c && Matches(e.Status, s) && item(e) is not null);
                if (hit is not null)
                {
                    return item(hit)!;
                }
            }
            return new LocalizedText("", "");
        }
        LocalizedText Fill(LocalizedText t) => new(Apply(t.Ja ?? "", values, "ja"), Apply(t.En ?? "", values, "en"));
        return new NoticeDraft(Fill(Pick(e => e.Title)), occurredAt, Fill(Pick(e => e.What)), Fill(Pick(e => e.Impact)),
            Fill(Pick(e => e.Outlook)), Fill(Pick(e => e.Alternatives)));
    }

    public LocalizedText Expected(DateTime? expectedAt, Func<DateTime, string, string> format) => expectedAt is { } t
        ? new LocalizedText(Document.Expected.Known.For("ja").Replace("{time}", format(t, "ja"), StringComparison.Ordinal),
            Document.Expected.Known.For("en").Replace("{time}", format(t, "en"), StringComparison.Ordinal))
        : Document.Expected.Unknown;

    public LocalizedText MaintenanceOutlook(string stage, IReadOnlyDictionary<string, LocalizedText> values) =>
        Document.Maintenance.TryGetValue(stage, out var t)
            ? new LocalizedText(Apply(t.Ja ?? "", values, "ja"), Apply(t.En ?? "", values, "en"))
            : new LocalizedText("", "");

    public LocalizedText ByKey(Dictionary<string, LocalizedText> map, string key) =>
        map.TryGetValue(key, out var t) ? t : map.TryGetValue("*", out var d) ? d : new LocalizedText("", "");

    public IReadOnlyList<FaqEntry> Faq(ComponentCategory category) =>
        [.. (Document.Faq.TryGetValue(WireEnum.Name(category), out var specific) ? specific : []).Concat(Document.Faq.TryGetValue("*", out var common) ? common : [])];

    // "investigating|identified" lists statuses; "*" is any.
    private static bool Matches(string? pattern, string status) =>
        pattern == status || (status != "*" && pattern is not null && pattern.Split('|').Contains(status));

    private static string Apply(string template, IReadOnlyDictionary<string, LocalizedText> values, string lang)
    {
        foreach (var (k, v) in values)
        {
            template = template.Replace("{" + k + "}", v.For(lang), StringComparison.Ordinal);
        }
        return template;
    }
}
