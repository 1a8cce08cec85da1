using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Incidents;

/// <summary>
/// DESIGN §2: a level-1 incident still open 30 min after detection becomes level 2; a level-2
/// incident open 3 h becomes level 3. After a manual level change the clock restarts from that
/// change, so a commander's decision is not overturned the next second.
/// </summary>
public sealed class AutoEscalation(IServiceScopeFactory scopes, IOptions<SeverityOptions> options, TimeProvider time, ILogger<AutoEscalation> log)
{
    public const string LeaseName = "auto-escalation";

    /// <summary>Escalates every incident that is due; returns how many were raised.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        List<(Guid Id, int Level)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            var candidates = await db.Incidents.AsNoTracking()
                .Where(i => Lifecycle.Open.Contains(i.Status) && (i.Level == 1 || i.Level == 2))
                .Select(i => new { i.Id, i.Level, i.DetectedAt, i.LevelSetManuallyAt })
                .ToListAsync(ct);
            due = [.. candidates
                .Where(i => now - Max(i.DetectedAt, i.LevelSetManuallyAt) >= TimeSpan.FromMinutes(i.Level == 1 ? o.EscalateLevel1AfterMinutes : o.EscalateLevel2AfterMinutes))
                .Select(i => (i.Id, i.Level))];
        }
        var raised = 0;
        foreach (var (id, level) in due)
        {
            // Another writer (paging, a person's note) may win the race on the incident's version:
            // read it again and retry, so a sweep never skips a due escalation.
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                // One scope per attempt: a lost race on one incident does not stop the others.
                await using var scope = scopes.CreateAsyncScope();
                var service = scope.ServiceProvider.GetRequiredService<IncidentService>();
                var caller = Caller.System(LeaseName);
                var incident = await service.FindAsync(id.ToString(), caller, tracking: true, ct);
                if (incident is null || !incident.IsOpen || incident.Level != level)
                {
                    break;
                }
                var minutes = level == 1 ? o.EscalateLevel1AfterMinutes : o.EscalateLevel2AfterMinutes;
                var result = await service.EscalateAsync(incident, level + 1, "auto-escalation",
                    $"自動エスカレーション: レベル {level} のまま {minutes} 分経過しても未解決",
                    $"Auto-escalation: still open at level {level} after {minutes} min", caller.Actor, ct);
                if (result.Error is null)
                {
                    raised++;
                    log.LogInformation("Escalated {Number} from level {From} to {To}", incident.Number, level, level + 1);
                    break;
                }
                if (result.Error is not ConflictError { Code: "concurrency" })
                {
                    break;
                }
            }
        }
        return raised;
    }

    private static DateTime Max(DateTime a, DateTime? b) => b is { } x && x > a ? x : a;
}

public sealed class AutoEscalationWorker(AutoEscalation escalation, IServiceScopeFactory scopes, IOptions<SeverityOptions> options, TimeProvider time, ILogger<AutoEscalationWorker> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.EscalationCheckSeconds));
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            // Off the timer's thread: on a test clock a tick runs inside Advance, and synchronous
            // work there (SQLite) would run once per elapsed interval instead of once.
            await Task.Yield();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var leases = scope.ServiceProvider.GetRequiredService<LeaseManager>();
                // One node escalates; another takes over when this one stops renewing.
                if (await leases.TryAcquireAsync(AutoEscalation.LeaseName, interval * 4, stoppingToken))
                {
                    await escalation.RunOnceAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Auto-escalation sweep failed; retrying next interval.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
