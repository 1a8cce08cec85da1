using System.Globalization;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;
using Fukkyu.Server.Register;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Metrics;

public enum MetricsGroup
{
    Level,
    Category,
    Month,
}

/// <summary>A mean and a median over the incidents that have the measurement.</summary>
public sealed record MetricStat(int Count, double? MeanSeconds, double? MedianSeconds)
{
    public static MetricStat Of(IEnumerable<double> seconds)
    {
        var sorted = seconds.Order().ToList();
        if (sorted.Count == 0)
        {
            return new MetricStat(0, null, null);
        }
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        return new MetricStat(sorted.Count, Math.Round(sorted.Average(), 1), Math.Round(median, 1));
    }
}

public sealed record ResponseGroup(string Key, string Name, int Incidents, MetricStat Mttd, MetricStat Mtta, MetricStat Mttr);

public sealed record ResponseMetricsDto(DateOnly? From, DateOnly? To, MetricsGroup GroupBy, ResponseGroup Total, ResponseGroup[] Groups);

/// <summary>The times an incident's response is measured by.</summary>
public sealed record IncidentTiming(int Level, ComponentCategory Category, DateTime? StartedAt, DateTime DetectedAt, DateTime? AcknowledgedAt, DateTime? ResolvedAt)
{
    /// <summary>Started → detected, when the start is known.</summary>
    public double? Ttd => StartedAt is { } s && s <= DetectedAt ? (DetectedAt - s).TotalSeconds : null;

    /// <summary>Detected → acknowledged.</summary>
    public double? Tta => AcknowledgedAt is { } a ? Math.Max(0, (a - DetectedAt).TotalSeconds) : null;

    /// <summary>Detected → resolved (recovery confirmed by the recovery gate).</summary>
    public double? Ttr => ResolvedAt is { } r ? Math.Max(0, (r - DetectedAt).TotalSeconds) : null;
}

/// <summary>
/// MTTD (start → detection), MTTA (detection → acknowledgement) and MTTR (detection → resolved)
/// over real incidents — drills are measured by their own reports — grouped by level, category
/// or Japan-time month of detection.
/// </summary>
public sealed class ResponseMetrics(FukkyuDb db)
{
    public async Task<List<IncidentTiming>> TimingsAsync(Caller caller, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var q = IncidentService.Visible(db.Incidents.AsNoTracking(), caller).Where(i => !i.Drill);
        if (from is { } f)
        {
            var t = Tokyo.ToUtc(f.ToDateTime(TimeOnly.MinValue));
            q = q.Where(i => i.DetectedAt >= t);
        }
        if (to is { } e)
        {
            var t = Tokyo.ToUtc(e.AddDays(1).ToDateTime(TimeOnly.MinValue));
            q = q.Where(i => i.DetectedAt < t);
        }
        return await q.Select(i => new IncidentTiming(i.Level, i.Category, i.StartedAt, i.DetectedAt, i.AcknowledgedAt, i.ResolvedAt)).ToListAsync(ct);
    }

    public static ResponseMetricsDto Compute(IReadOnlyList<IncidentTiming> rows, MetricsGroup groupBy, DateOnly? from, DateOnly? to)
    {
        ResponseGroup Group(string key, string name, IEnumerable<IncidentTiming> g)
        {
            var list = g.ToList();
            return new ResponseGroup(key, name, list.Count,
                MetricStat.Of(list.Where(r => r.Ttd is not null).Select(r => r.Ttd!.Value)),
                MetricStat.Of(list.Where(r => r.Tta is not null).Select(r => r.Tta!.Value)),
                MetricStat.Of(list.Where(r => r.Ttr is not null).Select(r => r.Ttr!.Value)));
        }
        IEnumerable<ResponseGroup> groups = groupBy switch
        {
            MetricsGroup.Level => Enumerable.Range(1, 3).Select(l => Group(l.ToString(CultureInfo.InvariantCulture), IncidentStrings.T("LevelN", l), rows.Where(r => r.Level == l))),
            MetricsGroup.Category => rows.GroupBy(r => r.Category).OrderBy(g => g.Key)
                .Select(g => Group(WireEnum.Name(g.Key), IncidentStrings.T("Category_" + WireEnum.Name(g.Key)), g)),
            _ => rows.GroupBy(r => Tokyo.FromUtc(r.DetectedAt).ToString("yyyy-MM", CultureInfo.InvariantCulture)).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Group(g.Key, g.Key, g)),
        };
        return new ResponseMetricsDto(from, to, groupBy, Group("all", RegisterStrings.T("AllIncidents"), rows), [.. groups]);
    }
}

public sealed record DailyAvailabilityDto(DateOnly Day, double? Availability);

public sealed record ComponentAvailabilityDto(Guid Id, string Key, string Name, double? Availability, int DaysMeasured, DailyAvailabilityDto[] Days);

/// <param name="Measured">False when no monitoring history source is installed.</param>
public sealed record AvailabilityDto(bool Measured, DateOnly From, DateOnly To, ComponentAvailabilityDto[] Components);

/// <summary>Availability per component over a period, from monitor history (<see cref="IAvailabilitySource"/>).</summary>
public sealed class AvailabilityMetrics(FukkyuDb db, IServiceProvider services)
{
    public const int MaxDays = 400;

    public async Task<AvailabilityDto> ComputeAsync(DateOnly from, DateOnly to, string? componentKey, CancellationToken ct)
    {
        var q = db.Components.AsNoTracking();
        if (componentKey is { Length: > 0 })
        {
            q = q.Where(c => c.Key == componentKey);
        }
        var components = await q.OrderBy(c => c.Key).ToListAsync(ct);
        // Monitoring implements the source; without it there is simply no history to report.
        var source = services.GetService<IAvailabilitySource>();
        var daily = source is null || components.Count == 0
            ? []
            : await source.DailyAsync([.. components.Select(c => c.Id)], from, to, ct);
        var byComponent = daily.Where(d => d.Day >= from && d.Day <= to).GroupBy(d => d.ComponentId).ToDictionary(g => g.Key, g => g.ToList());
        return new AvailabilityDto(source is not null, from, to, [.. components.Select(c =>
        {
            var days = byComponent.GetValueOrDefault(c.Id) ?? [];
            var measured = days.Where(d => d.Availability is not null).Select(d => Math.Clamp(d.Availability!.Value, 0, 1)).ToList();
            return new ComponentAvailabilityDto(c.Id, c.Key, c.Name(Texts.Japanese),
                measured.Count == 0 ? null : Math.Round(measured.Average(), 6), measured.Count,
                [.. days.OrderBy(d => d.Day).Select(d => new DailyAvailabilityDto(d.Day, d.Availability))]);
        })]);
    }
}
