using Fukkyu.Server.Data;

namespace Fukkyu.Server.Infrastructure;

/// <summary>Runs a pruning pass hourly on one node (whichever holds the lease); a failure waits for the next hour.</summary>
public abstract class RetentionWorker(IServiceScopeFactory scopes, TimeProvider time, ILogger log, string leaseName, string what) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected TimeProvider Time { get; } = time;

    /// <summary>Deletes what is past its retention; returns the number of rows removed.</summary>
    public abstract Task<int> PruneAsync(FukkyuDb db, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (await scope.ServiceProvider.GetRequiredService<LeaseManager>().TryAcquireAsync(leaseName, Every / 2, stoppingToken))
                {
                    var removed = await PruneAsync(scope.ServiceProvider.GetRequiredService<FukkyuDb>(), stoppingToken);
                    if (removed > 0)
                    {
                        log.LogInformation("Pruned {Rows} rows of {What}.", removed, what);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Pruning {What} failed; retrying next hour.", what);
            }
            await Task.Delay(Every, Time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
    }
}
