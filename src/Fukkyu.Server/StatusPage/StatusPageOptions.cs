namespace Fukkyu.Server.StatusPage;

public sealed class StatusPageOptions
{
    public const string Section = "Fukkyu:StatusPage";

    /// <summary>The public address of the status page, used in links in emails, feeds and the JSON.</summary>
    public string BaseUrl { get; set; } = "http://localhost:8080";
    /// <summary>Statuspage's <c>page.id</c>.</summary>
    public string PageId { get; set; } = "fukkyu";
    public string NameJa { get; set; } = "サービス稼働状況";
    public string NameEn { get; set; } = "Service status";
    /// <summary>Language of <c>/</c>, the JSON and the feeds when the request names none: <c>ja</c> or <c>en</c>.</summary>
    public string DefaultLanguage { get; set; } = "ja";
    /// <summary>Rebuild at least this often, so changes made on other nodes show up.</summary>
    public double RefreshSeconds { get; set; } = 5;
    /// <summary>
    /// Rebuilds after changes start at least this far apart; changes made meanwhile are taken
    /// together into the next one, so a burst of changes (a hundred declarations) costs a few
    /// rebuilds rather than one each. A change after a quiet spell is rebuilt at once.
    /// </summary>
    public int MinRebuildMilliseconds { get; set; } = 250;
    /// <summary>Past incidents and maintenances on the history page, the feeds and the 90-day bars.</summary>
    public int HistoryDays { get; set; } = 90;
    /// <summary>Most incidents listed (Statuspage's <c>incidents.json</c> has the 50 most recent).</summary>
    public int MaxIncidents { get; set; } = 50;
    /// <summary>Notices on <c>/notices</c> and in the feeds.</summary>
    public int MaxNotices { get; set; } = 100;
    /// <summary>Cache-Control for pages and JSON: short, so a CDN revalidates often.</summary>
    public int MaxAgeSeconds { get; set; } = 5;
    public int StaleWhileRevalidateSeconds { get; set; } = 60;
    /// <summary>How long a cache may serve a stale copy when the origin fails — the outage we report.</summary>
    public int StaleIfErrorSeconds { get; set; } = 86_400;
    /// <summary>Brotli quality of the precompressed pages (0–11): 11 is smallest and slowest; only changed pages are compressed again.</summary>
    public int BrotliQuality { get; set; } = 11;
    /// <summary>
    /// When set, every new snapshot is also written here (<c>snapshot.json</c>), read back at start-up
    /// if the database cannot be reached, and served by <c>fukkyu-edge</c> processes.
    /// </summary>
    public string? SnapshotDirectory { get; set; }
    /// <summary>How often an edge looks at the saved snapshot for a change (a file stat).</summary>
    public int EdgePollMilliseconds { get; set; } = 100;

    public string Base => BaseUrl.TrimEnd('/');
}
