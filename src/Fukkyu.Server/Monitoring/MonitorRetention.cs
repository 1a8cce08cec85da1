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
    : BackgroundService
{
    public const string LeaseName = "detection-retention";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromHours(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (await scope.ServiceProvider.GetRequiredService<LeaseManager>().TryAcquireAsync(LeaseName, every / 2, stoppingToken))
                {
                    await PruneAsync(scope.ServiceProvider.GetRequiredService<FukkyuDb>(), stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Pruning detection data failed; retrying next hour.");
            }
            await Task.Delay(every, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
    }

    public async Task PruneAsync(FukkyuDb db, CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var minutes = now.AddHours(-o.RawRetentionHours);
        var hours = now.AddDays(-o.HourlyRetentionDays);
        var changes = now.AddDays(-o.StateChangeRetentionDays);
        var alerts = now.AddDays(-o.UnlinkedAlertRetentionDays);
        var removed = await db.MonitorMinutes.Where(m => m.Minute < minutes).ExecuteDeleteAsync(ct)
            + await db.MonitorHours.Where(h => h.Hour < hours).ExecuteDeleteAsync(ct)
            + await db.MonitorStateChanges.Where(c => c.At < changes).ExecuteDeleteAsync(ct)
            + await db.Alerts.Where(a => a.Status == AlertStatus.Resolved && a.IncidentId == null && a.ResolvedAt < alerts).ExecuteDeleteAsync(ct);
        if (removed > 0)
        {
            log.LogInformation("Pruned {Rows} rows of old detection data.", removed);
        }
    }
}
