using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Notifications;

/// <summary>
/// Keeps the outbox and the job table bounded: delivered and cancelled messages (with their
/// attempts) after <see cref="OutboxOptions.KeepDays"/>, finished and cancelled jobs after
/// <see cref="JobOptions.KeepDays"/>. Failed messages and jobs stay for an operator to look at.
/// A notice to 100,000 subscribers is 100,000 messages, so without this the outbox only grows.
/// Hourly, on one node, in slices so SQLite's write lock is never held for long.
/// </summary>
public sealed class DeliveryRetentionWorker(IServiceScopeFactory scopes, IOptions<OutboxOptions> outbox, IOptions<JobOptions> jobs,
    TimeProvider time, ILogger<DeliveryRetentionWorker> log) : RetentionWorker(scopes, time, log, LeaseName, "delivered messages and finished jobs")
{
    public const string LeaseName = "delivery-retention";
    private const int Slice = 5000;

    public override async Task<int> PruneAsync(FukkyuDb db, CancellationToken ct)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        var messagesBefore = now.AddDays(-Math.Max(1, outbox.Value.KeepDays));
        var jobsBefore = now.AddDays(-Math.Max(1, jobs.Value.KeepDays));
        var removed = 0;
        while (true)
        {
            var ids = await db.Set<OutboxMessage>().AsNoTracking()
                .Where(m => (m.State == OutboxState.Delivered || m.State == OutboxState.Cancelled) && m.CreatedAt < messagesBefore)
                .OrderBy(m => m.CreatedAt).Select(m => m.Id).Take(Slice).ToListAsync(ct);
            if (ids.Count == 0)
            {
                break;
            }
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Set<OutboxAttempt>().Where(a => EF.Parameter(ids).Contains(a.MessageId)).ExecuteDeleteAsync(ct);
            removed += await db.Set<OutboxMessage>().Where(m => EF.Parameter(ids).Contains(m.Id)).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
        while (true)
        {
            var ids = await db.Set<Job>().AsNoTracking()
                .Where(j => (j.State == JobState.Done || j.State == JobState.Cancelled) && (j.CompletedAt ?? j.DueAt) < jobsBefore)
                .OrderBy(j => j.Id).Select(j => j.Id).Take(Slice).ToListAsync(ct);
            if (ids.Count == 0)
            {
                break;
            }
            removed += await db.Set<Job>().Where(j => EF.Parameter(ids).Contains(j.Id)).ExecuteDeleteAsync(ct);
        }
        return removed;
    }
}
