using System.Text;
using System.Threading.Channels;
using Fukkyu.Server.Alerts;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Monitoring;

/// <summary>
/// Writes what the scheduler produces. State changes are written at once and become alerts
/// (through the same group commit as every other alert, so routing opens the incident) and
/// component status; finished minutes are upserted in batches, together with their hour.
/// </summary>
public sealed class MonitorRecorder(IServiceScopeFactory scopes, AlertIngest ingest, ChangeSignal signal, TimeProvider time, ILogger<MonitorRecorder> log)
{
    public const string MonitoringActor = "monitoring";
    private const int RowsPerStatement = 100;

    private readonly Channel<MonitorTransition> _transitions = Channel.CreateUnbounded<MonitorTransition>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(MonitorTransition t) => _transitions.Writer.TryWrite(t);

    /// <summary>Writes transitions as they come, in batches of whatever is waiting, until cancelled.</summary>
    public async Task RunTransitionsAsync(CancellationToken ct)
    {
        var reader = _transitions.Reader;
        var batch = new List<MonitorTransition>();
        while (await reader.WaitToReadAsync(ct))
        {
            batch.Clear();
            while (batch.Count < 1000 && reader.TryRead(out var t))
            {
                batch.Add(t);
            }
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await WriteTransitionsAsync(batch, ct);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException && attempt < 5)
                {
                    log.LogWarning(e, "Writing {Count} monitor state changes failed (attempt {Attempt}); retrying.", batch.Count, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
                }
            }
        }
    }

    /// <summary>Drains what is waiting (at shutdown or when leadership ends).</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        var batch = new List<MonitorTransition>();
        while (_transitions.Reader.TryRead(out var t))
        {
            batch.Add(t);
        }
        if (batch.Count > 0)
        {
            await WriteTransitionsAsync(batch, ct);
        }
    }

    private async Task WriteTransitionsAsync(List<MonitorTransition> batch, CancellationToken ct)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            foreach (var t in batch)
            {
                var message = Cut(t.Message);
                await db.Monitors.Where(m => m.Id == t.MonitorId).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.State, t.To)
                    .SetProperty(m => m.StateSince, t.At)
                    .SetProperty(m => m.FirstFailureAt, t.FirstFailureAt)
                    .SetProperty(m => m.LastMessage, message), ct);
                db.MonitorStateChanges.Add(new MonitorStateChange { MonitorId = t.MonitorId, At = t.At, From = t.From, To = t.To, Message = message });
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await RaiseAlertsAsync(batch, ct);
        await UpdateComponentsAsync([.. batch.Where(t => t.ComponentId is not null).Select(t => t.ComponentId!.Value).Distinct()], ct);
    }

    /// <summary>
    /// Down is a firing alert dated at the first failure; up resolves it. Idempotent (dedup key
    /// per monitor), so re-sending after a crash or a change of leader does no harm.
    /// </summary>
    public async Task RaiseAlertsAsync(IReadOnlyList<MonitorTransition> transitions, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var events = transitions.Where(t => t.To != MonitorState.Unknown).Select(t => new AlertEvent(
            new AlertSender(AlertOrigin.Monitor, t.MonitorId, t.Name, t.ComponentId),
            t.To == MonitorState.Down ? AlertAction.Trigger : AlertAction.Resolve,
            DedupKey(t.MonitorId),
            now,
            Summary: t.To == MonitorState.Down ? MonitoringStrings.T("AlertSummary", t.Name, t.Message ?? "") : null,
            Severity: t.Severity,
            Source: t.Name,
            Client: "Fukkyu monitoring",
            OccurredAt: t.FirstFailureAt ?? t.At)).ToList();
        for (var attempt = 1; events.Count > 0; attempt++)
        {
            var result = await ingest.SubmitAsync(events);
            if (result == IngestResult.Stored)
            {
                return;
            }
            if (attempt >= 20)
            {
                log.LogError("Could not raise {Count} monitor alerts: {Result}.", events.Count, result);
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), ct);
        }
    }

    public static string DedupKey(Guid monitorId) => "monitor:" + monitorId.ToString("N");

    /// <summary>
    /// A component shows the worst down-status of its down monitors, or operational — but only
    /// when monitoring set the current status, or it is operational: a status a person, a control
    /// or a maintenance window set is theirs to undo.
    /// </summary>
    public async Task UpdateComponentsAsync(IReadOnlyCollection<Guid> componentIds, CancellationToken ct)
    {
        if (componentIds.Count == 0)
        {
            return;
        }
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            var components = await db.Components.Where(c => componentIds.Contains(c.Id)).ToListAsync(ct);
            var monitors = await db.Monitors.AsNoTracking().Where(m => m.ComponentId != null && componentIds.Contains(m.ComponentId.Value) && !m.Paused)
                .Select(m => new { m.ComponentId, m.State, m.DownStatus }).ToListAsync(ct);
            var now = time.GetUtcNow().UtcDateTime;
            var changed = false;
            foreach (var c in components)
            {
                var down = monitors.Where(m => m.ComponentId == c.Id && m.State == MonitorState.Down).Select(m => m.DownStatus).ToList();
                var target = down.Count == 0 ? ComponentStatus.Operational : down.Max();
                var ours = c.StatusSetBy == MonitoringActor || c.Status == ComponentStatus.Operational;
                if (c.Status == ComponentStatus.UnderMaintenance || !ours || c.Status == target)
                {
                    continue;
                }
                c.Status = target;
                c.StatusChangedAt = now;
                c.StatusSetBy = MonitoringActor;
                c.UpdatedAt = now;
                changed = true;
            }
            try
            {
                await db.SaveChangesAsync(ct);
                if (changed)
                {
                    signal.Raise(ChangeSignal.Components);
                }
                return;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone changed a component meanwhile: decide again on fresh rows.
            }
        }
    }

    /// <summary>
    /// Upserts finished minutes and adds them to their hours, a hundred rows per statement. The
    /// same statement works on SQLite and PostgreSQL (<c>INSERT … ON CONFLICT DO UPDATE</c>).
    /// </summary>
    public async Task WriteMinutesAsync(IReadOnlyList<MinuteRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        var known = (await db.Monitors.AsNoTracking().Select(m => m.Id).ToListAsync(ct)).ToHashSet();
        rows = [.. rows.Where(r => known.Contains(r.MonitorId))]; // deleted meanwhile
        var hours = rows.GroupBy(r => (r.MonitorId, Hour: new DateTime(r.Minute.Ticks - (r.Minute.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc)))
            .Select(g => (g.Key.MonitorId, g.Key.Hour, Checks: g.Sum(r => r.Checks), Failures: g.Sum(r => r.Failures),
                LatencySumUs: g.Sum(r => r.LatencySumUs), LatencyMaxUs: g.Max(r => r.LatencyMaxUs))).ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            var (sql, args) = Upsert("monitor_minutes", "minute", true, chunk.Select(r => new object[] { r.MonitorId, r.Minute, r.Checks, r.Failures, r.LatencySumUs, r.LatencyMaxUs, r.Samples }));
            await db.Database.ExecuteSqlRawAsync(sql, args, ct);
        }
        foreach (var chunk in hours.Chunk(RowsPerStatement))
        {
            var (sql, args) = Upsert("monitor_hours", "hour", false, chunk.Select(h => new object[] { h.MonitorId, h.Hour, h.Checks, h.Failures, h.LatencySumUs, h.LatencyMaxUs }));
            await db.Database.ExecuteSqlRawAsync(sql, args, ct);
        }
        await tx.CommitAsync(ct);
    }

    private static (string Sql, object[] Args) Upsert(string table, string bucket, bool samples, IEnumerable<object[]> rows)
    {
        var sql = new StringBuilder();
        var args = new List<object>();
        var columns = samples ? 7 : 6;
        sql.Append($"INSERT INTO {table} (monitor_id, {bucket}, checks, failures, latency_sum_us, latency_max_us{(samples ? ", samples" : "")}) VALUES ");
        var first = true;
        foreach (var row in rows)
        {
            sql.Append(first ? "(" : ", (");
            first = false;
            for (var i = 0; i < columns; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append('{').Append(args.Count).Append('}');
                args.Add(row[i]);
            }
            sql.Append(')');
        }
        // A minute written twice (a restart within it) adds up; its samples are the latest part.
        sql.Append($" ON CONFLICT (monitor_id, {bucket}) DO UPDATE SET checks = {table}.checks + excluded.checks, failures = {table}.failures + excluded.failures, ")
           .Append($"latency_sum_us = {table}.latency_sum_us + excluded.latency_sum_us, ")
           .Append($"latency_max_us = CASE WHEN excluded.latency_max_us > {table}.latency_max_us THEN excluded.latency_max_us ELSE {table}.latency_max_us END");
        if (samples)
        {
            sql.Append(", samples = excluded.samples");
        }
        return (sql.ToString(), [.. args]);
    }

    private static string? Cut(string? s) => s is { Length: > MonitorLimits.Message } ? s[..MonitorLimits.Message] : s;
}
