using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notices;

namespace Fukkyu.Server.StatusPage;

// Atlassian Statuspage v2 documents, field for field (REFERENCE §3). Property order is the wire order.

public sealed record SpPage(string Id, string Name, string Url, string TimeZone, string UpdatedAt);

public sealed record SpStatus(string Indicator, string Description);

public sealed record SpComponent(
    string Id, string Name, string Status, string CreatedAt, string UpdatedAt, int Position, string? Description,
    bool Showcase, string? StartDate, string? GroupId, string PageId, bool Group, bool OnlyShowIfDegraded,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string[]? Components);

public sealed record SpAffectedComponent(string Code, string Name, string OldStatus, string NewStatus);

public sealed record SpIncidentUpdate(
    string Id, string Status, string Body, string IncidentId, string CreatedAt, string UpdatedAt, string DisplayAt,
    SpAffectedComponent[]? AffectedComponents, bool DeliverNotifications);

public sealed record SpIncident(
    string Id, string Name, string Status, string CreatedAt, string UpdatedAt, string? MonitoringAt, string? ResolvedAt,
    string Impact, string Shortlink, string? StartedAt, string PageId, SpIncidentUpdate[] IncidentUpdates, SpComponent[] Components,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ScheduledFor,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ScheduledUntil);

public sealed record SpSummary(SpPage Page, SpComponent[] Components, SpIncident[] Incidents, SpIncident[] ScheduledMaintenances, SpStatus Status);

public sealed record SpStatusDocument(SpPage Page, SpStatus Status);

public sealed record SpComponentsDocument(SpPage Page, SpComponent[] Components);

public sealed record SpIncidentsDocument(SpPage Page, SpIncident[] Incidents);

public sealed record SpMaintenancesDocument(SpPage Page, SpIncident[] ScheduledMaintenances);

/// <summary>Renders the public model as Statuspage v2 JSON documents in one language.</summary>
public sealed class StatuspageJson(PublicModel model, StatusPageOptions options, string lang)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Japanese stays readable; the characters HTML cares about stay escaped.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    private readonly Dictionary<Guid, SpComponent> _components = BuildComponents(model, options, lang);

    public static string Id(Guid id) => id.ToString("N");

    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string? Time(DateTime? utc) => utc is { } t ? Time(t) : null;

    public SpPage Page => new(options.PageId, lang == "en" ? options.NameEn : options.NameJa, options.Base, "Asia/Tokyo", Time(model.UpdatedAt));

    public SpStatus Status => new(model.Status.Indicator, model.Status.Description.For(lang));

    public SpComponent[] Components => [.. _components.Values.OrderBy(c => c.Position)];

    public IEnumerable<SpIncident> Incidents => model.Incidents.Select(Incident);

    public IEnumerable<SpIncident> Maintenances => model.Maintenances.Where(m => !m.Cancelled).Select(Incident);

    public SpIncident Incident(PublicIncident i) => new(
        Id(i.Id), i.Name.For(lang), i.Status, Time(i.CreatedAt), Time(i.UpdatedAt), Time(i.MonitoringAt), Time(i.ResolvedAt),
        i.Impact, $"{options.Base}/{lang}/incidents/{Id(i.Id)}", Time(i.StartedAt), options.PageId,
        [.. i.Updates.Select(u => Update(i, u))],
        [.. i.ComponentIds.Where(_components.ContainsKey).Select(id => _components[id])],
        i.IsMaintenance ? Time(i.ScheduledFor) : null, i.IsMaintenance ? Time(i.ScheduledUntil) : null);

    private SpIncidentUpdate Update(PublicIncident i, PublicUpdate u) => new(
        Id(u.Id), WireEnum.Name(u.Status), NoticeText.Body(u, i.IsMaintenance, lang), Id(i.Id),
        Time(u.PublishedAt), Time(u.PublishedAt), Time(u.PublishedAt),
        u.Affected is null ? null : [.. u.Affected.Select(a => new SpAffectedComponent(Id(a.Id), lang == "en" ? a.NameEn : a.NameJa, a.OldStatus, a.NewStatus))],
        u.DeliverNotifications);

    public byte[] Summary() => Serialize(new SpSummary(Page, Components, [.. Incidents.Where(i => IsUnresolved(i.Status))],
        [.. Maintenances.Where(m => m.Status is "scheduled" or "in_progress" or "verifying").OrderBy(m => m.ScheduledFor, StringComparer.Ordinal)], Status));

    public byte[] StatusDocument() => Serialize(new SpStatusDocument(Page, Status));

    public byte[] ComponentsDocument() => Serialize(new SpComponentsDocument(Page, Components));

    public byte[] IncidentsDocument() => Serialize(new SpIncidentsDocument(Page, [.. Incidents.OrderByDescending(i => i.CreatedAt, StringComparer.Ordinal).Take(options.MaxIncidents)]));

    public byte[] UnresolvedDocument() => Serialize(new SpIncidentsDocument(Page, [.. Incidents.Where(i => IsUnresolved(i.Status)).OrderByDescending(i => i.CreatedAt, StringComparer.Ordinal)]));

    public byte[] MaintenancesDocument() => Serialize(new SpMaintenancesDocument(Page, [.. Maintenances.OrderByDescending(m => m.ScheduledFor, StringComparer.Ordinal).Take(options.MaxIncidents)]));

    public byte[] UpcomingDocument() => Serialize(new SpMaintenancesDocument(Page, [.. Maintenances.Where(m => m.Status == "scheduled").OrderBy(m => m.ScheduledFor, StringComparer.Ordinal)]));

    public byte[] ActiveDocument() => Serialize(new SpMaintenancesDocument(Page, [.. Maintenances.Where(m => m.Status is "in_progress" or "verifying").OrderBy(m => m.ScheduledFor, StringComparer.Ordinal)]));

    /// <summary>One incident as the Statuspage incident object, for subscriber webhooks.</summary>
    public string IncidentJson(PublicIncident i) => JsonSerializer.Serialize(Incident(i), Json);

    private static bool IsUnresolved(string status) => status is not ("resolved" or "postmortem");

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    private static Dictionary<Guid, SpComponent> BuildComponents(PublicModel model, StatusPageOptions o, string lang)
    {
        var result = new Dictionary<Guid, SpComponent>();
        var position = 0;
        SpComponent Leaf(PublicComponent c, Guid? groupId) => new(
            Id(c.Id), c.Name.For(lang), WireEnum.Name(c.Status), Time(c.CreatedAt), Time(c.UpdatedAt), ++position,
            c.Description?.For(lang), true, DateOnly.FromDateTime(Tokyo.FromUtc(c.CreatedAt)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            groupId is { } g ? Id(g) : null, o.PageId, false, false, null);
        foreach (var g in model.Groups)
        {
            result[g.Id] = new SpComponent(Id(g.Id), g.Name.For(lang), WireEnum.Name(g.Status), Time(g.CreatedAt), Time(g.UpdatedAt), ++position,
                null, false, null, null, o.PageId, true, false, [.. g.Components.Select(c => Id(c.Id))]);
            foreach (var c in g.Components)
            {
                result[c.Id] = Leaf(c, g.Id);
            }
        }
        foreach (var c in model.Ungrouped)
        {
            result[c.Id] = Leaf(c, null);
        }
        return result;
    }
}
