using Fukkyu.Server.Alerts;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Monitoring;

/// <summary>
/// Keeps detection data bounded: raw samples and minutes for a day, hours and state changes for
/// about a year, and resolved alerts that never joined an incident for as long. Hourly, on one node.
/// </summary>
public sealed class MonitorRetentionWorker(IServiceScopeFactory scopes, IOptions<MonitoringOptions> options, TimeProvider time, ILogger<MonitorRetentionWorker> log)
    : RetentionWorker(scopes, time, log, LeaseName, "old detection data")
{
    public const string LeaseName = "detection-retention";

    public override async Task<int> PruneAsync(FukkyuDb db, CancellationToken ct)
    {
        var o = options.Value;
        var now = Time.GetUtcNow().UtcDateTime;
        var minutes = now.AddHours(-o.RawRetentionHours);
        var hours = now.AddDays(-o.HourlyRetentionDays);
        var changes = now.AddDays(-o.StateChangeRetentionDays);
        var alerts = now.AddDays(-o.UnlinkedAlertRetentionDays);
        var removed = await db.MonitorMinutes.Where(m => m.Minute < minutes).ExecuteDeleteAsync(ct)
            + await db.MonitorHours.Where(h => h.Hour < hours).ExecuteDeleteAsync(ct)
            + await db.MonitorStateChanges.Where(c => c.At < changes).ExecuteDeleteAsync(ct)
            + await db.Alerts.Where(a => a.Status == AlertStatus.Resolved && a.IncidentId == null && a.ResolvedAt < alerts).ExecuteDeleteAsync(ct);
        return removed;
    }
}
