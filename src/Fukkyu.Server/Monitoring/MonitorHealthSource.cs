using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Monitoring;

/// <summary>
/// The recovery gate's view of monitoring: monitors of the given components plus every
/// reconciliation monitor. Paused monitors are left out: they are not watching anything.
/// </summary>
public sealed class MonitorHealthSource(FukkyuDb db) : IMonitorHealthSource
{
    public async Task<IReadOnlyList<MonitorHealth>> ForComponentsAsync(IReadOnlyCollection<Guid> componentIds, CancellationToken ct)
    {
        var ids = componentIds.ToList();
        var rows = await db.Monitors.AsNoTracking()
            .Where(m => !m.Paused && (m.Reconciliation || (m.ComponentId != null && ids.Contains(m.ComponentId.Value))))
            .Select(m => new { m.Id, m.Name, m.ComponentId, m.State, m.StateSince, m.CreatedAt, m.Reconciliation })
            .ToListAsync(ct);
        return [.. rows.Select(m => new MonitorHealth(m.Id, m.Name, m.ComponentId, m.State == MonitorState.Up,
            m.StateSince == default ? m.CreatedAt : m.StateSince, m.Reconciliation))];
    }
}

/// <summary>
/// Daily availability per component from the hourly rollups, by Japan-time day. An hour of a
/// component counts as the share of successful checks of its worst monitor in that hour (a
/// component is impaired when any of its monitors is); a day is the mean of its measured hours.
/// Japan is UTC+9 without daylight saving, so UTC hours fall wholly into one Japan day.
/// </summary>
public sealed class MonitorAvailabilitySource(FukkyuDb db) : IAvailabilitySource
{
    public async Task<IReadOnlyList<DailyAvailability>> DailyAsync(IReadOnlyCollection<Guid> componentIds, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var ids = componentIds.ToList();
        var start = Tokyo.ToUtc(from.ToDateTime(TimeOnly.MinValue));
        var end = Tokyo.ToUtc(to.AddDays(1).ToDateTime(TimeOnly.MinValue));
        var rows = await db.MonitorHours.AsNoTracking()
            .Where(h => h.Hour >= start && h.Hour < end && h.Checks > 0)
            .Join(db.Monitors.Where(m => m.ComponentId != null && ids.Contains(m.ComponentId.Value)), h => h.MonitorId, m => m.Id,
                (h, m) => new { ComponentId = m.ComponentId!.Value, h.Hour, h.Checks, h.Failures })
            .ToListAsync(ct);
        var byDay = rows
            .GroupBy(r => (r.ComponentId, r.Hour))
            .Select(g => (g.Key.ComponentId, Day: DateOnly.FromDateTime(Tokyo.FromUtc(g.Key.Hour)), Share: g.Min(r => (r.Checks - r.Failures) / (double)r.Checks)))
            .GroupBy(h => (h.ComponentId, h.Day))
            .ToDictionary(g => g.Key, g => g.Average(h => h.Share));
        var result = new List<DailyAvailability>();
        foreach (var id in ids.Distinct())
        {
            for (var day = from; day <= to; day = day.AddDays(1))
            {
                result.Add(new DailyAvailability(id, day, byDay.TryGetValue((id, day), out var a) ? Math.Round(a, 6) : null));
            }
        }
        return result;
    }
}
