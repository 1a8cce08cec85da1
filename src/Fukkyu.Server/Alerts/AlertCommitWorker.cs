using System.Diagnostics;
using System.Threading.Channels;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Alerts;

/// <summary>
/// The single committer behind <see cref="AlertIngest"/>. Two steps, one writer:
/// <list type="number">
/// <item>Log: everything that queued while the previous commit ran goes into the alert log as one
/// row in one transaction; then every waiting request is answered. That is the whole path a
/// sender waits for.</item>
/// <item>Fold: once the oldest logged batch has waited the fold delay (or a reader waits, or the
/// backlog is big), every logged batch is folded into alerts in one transaction that also deletes
/// those log rows. Ninety duplicates of one key in that window are one row write instead of ninety.
/// The delay is short when idle and grows with the time a fold takes (<see cref="AlertOptions.FoldTimeSharePercent"/>).</item>
/// </list>
/// The logged batches stay in memory until folded; after a crash they are read back from the log.
/// </summary>
public sealed class AlertCommitWorker(
    AlertIngest ingest,
    IServiceScopeFactory scopes,
    IOptions<AlertOptions> options,
    IOptions<DatabaseOptions> database,
    TimeProvider time,
    AlertRouterWakeup router,
    ChangeSignal signal,
    ILogger<AlertCommitWorker> log) : BackgroundService
{
    /// <summary>A logged batch; <paramref name="InFile"/>: in the <see cref="AlertLogFile"/>, else a row of the database's log table.</summary>
    private sealed record Logged(long Id, AlertEvent[] Events, long At, long Seq, bool InFile = false);

    /// <summary>What a fold did: the batches it folded and those another node had folded already.</summary>
    private sealed record FoldOutcome(List<Logged> Folded, List<Logged> Gone, bool Failed);

    // On SQLite the log and the fold's writes share one write lock: handed over in memory instead
    // of through SQLite's busy handler, which sleeps in steps of up to 100 ms.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private Task<FoldOutcome>? _fold;
    private long _seq;
    private readonly List<PendingIngest> _batch = [];
    private readonly List<(PendingIngest Barrier, long Seq)> _barriers = [];
    private readonly List<Logged> _unfolded = [];
    private Dictionary<string, Guid>? _components;
    private long _componentsLoadedAt;
    private long _foldRetryAt;
    private long _orphansCheckedAt;
    private TimeSpan _lastFold;
    private AsyncServiceScope? _logScope;
    private FukkyuDb? _logDb;
    private readonly bool _sqlite = !database.Value.IsPostgres;
    private AlertLogFile? _file;
    // Batches of the file at or below this are folded: deleted with the next append.
    private long _deleteThrough;
    private long? _batchFileId;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Component keys change rarely: cached, dropped on a local change, re-read every 30 s for other nodes'.
        signal.Changed += topic =>
        {
            if (topic == ChangeSignal.Components)
            {
                _components = null;
            }
        };
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = ingest.Reader;
        try
        {
            // What a crash left in the log is folded before anything new (so per key, in order).
            while (!await AdoptAsync(olderThan: null, stoppingToken))
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            ingest.Recovered();
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_fold is { IsCompleted: true })
                {
                    FinishFold(await _fold);
                    continue;
                }
                if (_fold is null && FoldDue())
                {
                    // Folds run beside logging: a sender never waits for a fold's reads.
                    _fold = FoldAsync(TakeForFold());
                    continue;
                }
                if (reader.TryPeek(out _))
                {
                    await LogNextBatchAsync(reader, CancellationToken.None);
                    continue;
                }
                if (_fold is null && Stopwatch.GetElapsedTime(_orphansCheckedAt) > TimeSpan.FromSeconds(options.Value.OrphanLogSeconds))
                {
                    await AdoptAsync(time.GetUtcNow().UtcDateTime.AddSeconds(-options.Value.OrphanLogSeconds), stoppingToken);
                    continue;
                }
                await WaitAsync(reader, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Shutting down: log what is already queued, so no waiting sender is left hanging, and
        // fold what is logged (what is not folded now is folded at the next start).
        while (reader.TryPeek(out _))
        {
            await LogNextBatchAsync(reader, CancellationToken.None);
        }
        if (_fold is not null)
        {
            FinishFold(await _fold);
        }
        if (_unfolded.Count > 0)
        {
            FinishFold(await FoldAsync(TakeForFold()));
        }
        ReleaseBarriers(all: true);
        await DropLogContextAsync();
        _file?.Dispose();
    }

    /// <summary>Waits for requests, or until the oldest logged batch is due for folding.</summary>
    private async Task WaitAsync(ChannelReader<PendingIngest> reader, CancellationToken ct)
    {
        var orphans = TimeSpan.FromSeconds(options.Value.OrphanLogSeconds) - Stopwatch.GetElapsedTime(_orphansCheckedAt);
        var wait = _fold is not null || _unfolded.Count == 0 ? orphans : Min(FoldDueIn(), orphans);
        if (wait <= TimeSpan.Zero && _fold is null)
        {
            return;
        }
        // Real time, not the injected clock: this is batching, not business time, and tests that
        // hold the clock still must not hold alerts back.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1));
        try
        {
            var requests = reader.WaitToReadAsync(timeout.Token).AsTask();
            if (_fold is null)
            {
                await requests;
            }
            else
            {
                await Task.WhenAny(requests, _fold);
                await timeout.CancelAsync(); // drops the pending wait on the queue
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private TimeSpan FoldDueIn()
    {
        var due = FoldDelay() - Stopwatch.GetElapsedTime(_unfolded[0].At);
        var retry = _foldRetryAt == 0 ? TimeSpan.Zero : -Stopwatch.GetElapsedTime(_foldRetryAt);
        return due > retry ? due : retry;
    }

    private bool FoldDue()
    {
        if (_unfolded.Count == 0 || (_foldRetryAt != 0 && Stopwatch.GetTimestamp() < _foldRetryAt))
        {
            return false;
        }
        return _barriers.Count > 0
            || ingest.Backlog >= options.Value.MaxFoldEvents
            || Stopwatch.GetElapsedTime(_unfolded[0].At) >= FoldDelay();
    }

    /// <summary>The minimum delay, or longer so the last fold's duration is the configured share of the time.</summary>
    private TimeSpan FoldDelay()
    {
        var o = options.Value;
        var share = Math.Clamp(o.FoldTimeSharePercent, 1, 100) / 100.0;
        var scaled = Math.Min(o.MaxFoldDelayMilliseconds, _lastFold.TotalMilliseconds * (1 - share) / share);
        return TimeSpan.FromMilliseconds(Math.Max(o.FoldDelayMilliseconds, scaled));
    }

    private async Task LogNextBatchAsync(ChannelReader<PendingIngest> reader, CancellationToken ct)
    {
        _batch.Clear();
        var size = 0;
        var max = Math.Max(1, options.Value.MaxBatchEvents);
        while (size < max && reader.TryRead(out var p))
        {
            if (p.IsBarrier)
            {
                _barriers.Add((p, _seq));
                continue;
            }
            _batch.Add(p);
            size += p.Size;
        }
        if (_batch.Count > 0)
        {
            var events = _batch.SelectMany(p => p.Events).ToArray();
            var result = IngestResult.Unavailable;
            _batchFileId = null;
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                try
                {
                    var id = await LogAsync(events, ct);
                    if (id is { } logged)
                    {
                        _unfolded.Add(new Logged(logged, events, Stopwatch.GetTimestamp(), ++_seq, InFile: _file is not null));
                        ingest.AddBacklog(events.Length);
                    }
                    result = IngestResult.Stored;
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A database hiccup: the batch is retried in a fresh unit of work.
                    log.LogWarning(e, "Alert batch of {Events} events was not logged (attempt {Attempt}).", size, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), ct);
                }
            }
            if (result != IngestResult.Stored && _batchFileId is { } inFile)
            {
                // The events are in the log file though their change events were not stored: they
                // are folded like the rest (the senders, told to retry, may send them again).
                _unfolded.Add(new Logged(inFile, events, Stopwatch.GetTimestamp(), ++_seq, InFile: true));
                ingest.AddBacklog(events.Length);
            }
            foreach (var p in _batch)
            {
                p.Done.TrySetResult(result);
            }
        }
        ReleaseBarriers();
    }

    /// <summary>Appends the events as one log row (and records change events) in one transaction.</summary>
    private async Task<long?> LogAsync(AlertEvent[] events, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        // One context for every batch: building a context (its internal services) cost more CPU
        // than the insert it runs. It is dropped after a failure, so a retry starts clean.
        _logScope ??= scopes.CreateAsyncScope();
        var db = _logDb ??= _logScope.Value.ServiceProvider.GetRequiredService<FukkyuDb>();
        try
        {
            long? id = null;
            if (_file is not null && events.Length > 0)
            {
                // Its own file, so no gate: a fold may be writing to the database meanwhile. Once
                // per batch: a retry after the change events failed must not log the events twice.
                id = _batchFileId ??= _file.Append(time.GetUtcNow().UtcDateTime, events, _deleteThrough);
                if (!_batch.Any(p => p.Changes.Count > 0))
                {
                    AlertMetrics.Committed(events.Length, Stopwatch.GetElapsedTime(started));
                    return id;
                }
            }
            using var gate = await WriteGateAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (_file is null && events.Length > 0)
            {
                id = await AlertLog.AppendAsync(db, time.GetUtcNow().UtcDateTime, events, ct);
            }
            var changes = false;
            foreach (var c in _batch.SelectMany(p => p.Changes))
            {
                changes = true;
                db.ChangeEvents.Add(new ChangeEvent
                {
                    IntegrationId = c.IntegrationId,
                    Summary = c.Summary,
                    Source = c.Source,
                    Timestamp = c.Timestamp,
                    ReceivedAt = c.ReceivedAt,
                    Details = c.Details,
                    Links = c.Links,
                });
            }
            if (changes)
            {
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
            await tx.CommitAsync(ct);
            AlertMetrics.Committed(events.Length, Stopwatch.GetElapsedTime(started));
            return id;
        }
        catch
        {
            await DropLogContextAsync();
            throw;
        }
    }

    private async Task DropLogContextAsync()
    {
        _logDb = null;
        if (_logScope is { } scope)
        {
            _logScope = null;
            await scope.DisposeAsync();
        }
    }

    /// <summary>
    /// Takes over log rows no batch in memory stands for: all of them at start (what a crash left),
    /// later only old ones (another node crashed). Returns false when the database did not answer.
    /// </summary>
    private async Task<bool> AdoptAsync(DateTime? olderThan, CancellationToken ct)
    {
        _orphansCheckedAt = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            var query = db.AlertLog.AsNoTracking();
            if (olderThan is { } cutoff)
            {
                query = query.Where(l => l.CreatedAt < cutoff);
            }
            var adopted = 0;
            var held = _unfolded.Where(b => !b.InFile).Select(b => b.Id).ToHashSet();
            // Oldest first, so a key's events are folded in the order they arrived.
            foreach (var row in await query.OrderBy(l => l.Id).ToListAsync(ct))
            {
                if (held.Add(row.Id))
                {
                    var events = AlertLog.Deserialize(row.Payload);
                    // Ahead of this node's own batches: the orphans are older than anything it logged since.
                    // Seq 0: no barrier waits for it (what a reader was told was accepted is this node's).
                    _unfolded.Insert(adopted, new Logged(row.Id, events, 0, 0));
                    ingest.AddBacklog(events.Length);
                    adopted++;
                }
            }
            if (olderThan is null && _sqlite && AlertLogFile.PathFor(db.Database.GetConnectionString()) is { } path)
            {
                adopted += await OpenLogFileAsync(db, path, adopted, ct);
            }
            if (adopted > 0)
            {
                log.LogInformation("Adopted {Rows} alert log batches to fold.", adopted);
            }
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Could not read the alert log.");
            return false;
        }
    }

    /// <summary>
    /// Opens the SQLite database's log file and queues what is above the mark (what a crash left),
    /// after the database's own log rows at <paramref name="position"/> — those are older.
    /// </summary>
    private async Task<int> OpenLogFileAsync(FukkyuDb db, string path, int position, CancellationToken ct)
    {
        var mark = await db.AlertLogMarks.AsNoTracking().SingleOrDefaultAsync(m => m.Id == 1, ct);
        if (mark is null)
        {
            db.AlertLogMarks.Add(mark = new AlertLogMark { Id = 1 });
            await db.SaveChangesAsync(ct);
        }
        _file ??= AlertLogFile.Open(path, mark.FoldedThrough);
        _deleteThrough = mark.FoldedThrough;
        var adopted = 0;
        foreach (var (id, events) in _file.ReadAfter(mark.FoldedThrough))
        {
            _unfolded.Insert(position + adopted, new Logged(id, events, 0, 0, InFile: true));
            ingest.AddBacklog(events.Length);
            adopted++;
        }
        return adopted;
    }

    /// <summary>The oldest logged batches, up to <see cref="AlertOptions.MaxFoldEvents"/> events.</summary>
    private List<Logged> TakeForFold()
    {
        var take = new List<Logged>();
        var size = 0;
        foreach (var b in _unfolded)
        {
            if (take.Count > 0 && size + b.Events.Length > options.Value.MaxFoldEvents)
            {
                break;
            }
            take.Add(b);
            size += b.Events.Length;
        }
        return take;
    }

    /// <summary>
    /// Folds the batches into alerts, retrying lost races. Runs beside the committer loop and
    /// touches none of its state; <see cref="FinishFold"/> applies the outcome on the loop.
    /// </summary>
    private async Task<FoldOutcome> FoldAsync(List<Logged> take)
    {
        // Off the loop at once: the reads and the folding in memory run while the loop logs.
        await Task.Yield();
        var gone = new List<Logged>();
        var size = take.Sum(b => b.Events.Length);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                var missing = await FoldOnceAsync(take, CancellationToken.None);
                if (missing.Count > 0)
                {
                    // Another node folded some of these (it adopted them while this one was slow):
                    // drop them here and fold the rest.
                    log.LogWarning("{Rows} alert log batches were already folded elsewhere.", missing.Count);
                    gone.AddRange(missing);
                    take = [.. take.Where(b => !missing.Contains(b))];
                    if (take.Count == 0)
                    {
                        return new FoldOutcome([], gone, false);
                    }
                    continue;
                }
                return new FoldOutcome(take, gone, false);
            }
            catch (Exception e)
            {
                // A lost race with another node on an alert or a database hiccup: retried from a
                // fresh read. The events stay in the log either way; nothing is lost.
                log.LogWarning(e, "Folding {Events} logged events failed (attempt {Attempt}).", size, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt));
            }
        }
        return new FoldOutcome([], gone, true);
    }

    private void FinishFold(FoldOutcome outcome)
    {
        _fold = null;
        foreach (var b in outcome.Folded.Concat(outcome.Gone).Where(b => b.InFile && b.Id > _deleteThrough))
        {
            _deleteThrough = b.Id;
        }
        Forget(outcome.Gone);
        Forget(outcome.Folded);
        if (outcome.Failed)
        {
            // Still failing: the next try is in a second, and readers are not kept waiting.
            _foldRetryAt = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
            ReleaseBarriers(all: true);
            return;
        }
        _foldRetryAt = 0;
        if (outcome.Folded.Count > 0)
        {
            router.Wakeup.Notify();
        }
        ReleaseBarriers();
    }

    private void Forget(List<Logged> batches)
    {
        foreach (var b in batches)
        {
            _unfolded.Remove(b);
            ingest.AddBacklog(-b.Events.Length);
        }
    }

    /// <summary>Releases the readers whose events are all folded (or every reader).</summary>
    private void ReleaseBarriers(bool all = false)
    {
        var oldest = _unfolded.Count == 0 ? long.MaxValue : _unfolded.Where(b => b.Seq > 0).Select(b => b.Seq).DefaultIfEmpty(long.MaxValue).Min();
        var orphans = _unfolded.Any(b => b.Seq == 0);
        _barriers.RemoveAll(b =>
        {
            if (all || (!orphans && b.Seq < oldest))
            {
                b.Barrier.Done.TrySetResult(IngestResult.Stored);
                return true;
            }
            return false;
        });
    }

    private async Task<IDisposable?> WriteGateAsync(CancellationToken ct)
    {
        if (!_sqlite)
        {
            return null;
        }
        await _writeGate.WaitAsync(ct);
        return new GateLease(_writeGate);
    }

    private sealed class GateLease(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    /// <summary>One fold transaction; returns the batches that were folded already (nothing is written then).</summary>
    private async Task<HashSet<Logged>> FoldOnceAsync(List<Logged> batches, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        var ids = batches.Where(b => !b.InFile).Select(b => b.Id).ToList();
        var inFile = batches.Where(b => b.InFile).ToList();
        var events = batches.SelectMany(b => b.Events).ToList();
        // Read and folded in memory outside the transaction (so outside SQLite's write lock); what
        // changed meanwhile is caught by the version guards of the writes, and the fold is retried.
        var plan = events.Count > 0 ? await PlanAsync(db, events, options.Value, ct) : null;
        using var gate = await WriteGateAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Deleting the rows first claims them: a node that adopted the same rows waits on the row
        // locks (PostgreSQL) or the write lock (SQLite) and then finds fewer of them.
        var deleted = ids.Count == 0 ? 0 : await db.AlertLog.Where(l => EF.Parameter(ids).Contains(l.Id)).ExecuteDeleteAsync(ct);
        if (deleted != ids.Count)
        {
            await tx.RollbackAsync(ct);
            // Rolled back, so the rows this transaction deleted are present again; the rest are gone.
            var stillThere = await db.AlertLog.AsNoTracking().Where(l => EF.Parameter(ids).Contains(l.Id)).Select(l => l.Id).ToListAsync(ct);
            return [.. batches.Where(b => !b.InFile && !stillThere.Contains(b.Id))];
        }
        if (inFile.Count > 0)
        {
            // The log file's batches are claimed by moving the mark past them (they are contiguous:
            // the oldest ones above it). Only a fold that already moved it can have folded them.
            var first = inFile[0].Id;
            var last = inFile[^1].Id;
            var moved = await db.AlertLogMarks.Where(m => m.Id == 1 && m.FoldedThrough < first)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.FoldedThrough, last), ct);
            if (moved != 1)
            {
                await tx.RollbackAsync(ct);
                return [.. inFile];
            }
        }
        if (plan is not null)
        {
            await AlertChanges.WriteTouchedAsync(db, plan.Touched, ct);
            // Changed alerts first: one resolved here may make room for a new open alert of its key.
            foreach (var a in plan.Changed)
            {
                // Every column written, guarded by the version the alert was read with.
                db.Alerts.Attach(a).State = EntityState.Modified;
            }
            await db.SaveChangesAsync(ct);
            await AlertChanges.InsertAsync(db, plan.Added, ct);
        }
        await tx.CommitAsync(ct);
        _lastFold = Stopwatch.GetElapsedTime(started);
        AlertMetrics.Folded(events.Count, _lastFold);
        return [];
    }

    /// <summary>
    /// A new alert that the rules only record is written routed: the router's outcome for it
    /// would be the same (it reads the rules as fresh as this), without a second write of each
    /// row — at 2,000 new alerts a second that second pass was ~2.5 % of the server's CPU.
    /// </summary>
    private static async Task RecordWhereRulesSayAsync(FukkyuDb db, IReadOnlyList<Alert> added, AlertOptions o, CancellationToken ct)
    {
        var rules = await AlertRouter.RulesAsync(db, ct);
        foreach (var a in added.Where(a => a.NeedsRouting))
        {
            var (action, rule) = AlertRouter.Decide(a, rules, o);
            if (action == RoutingAction.Record)
            {
                a.NeedsRouting = false;
                a.RoutedStatus = AlertStatus.Triggered;
                a.Outcome = RoutingOutcome.Recorded;
                a.RuleId = rule?.Id;
            }
        }
    }

    private sealed record FoldPlan(List<Alert> Touched, List<Alert> Changed, IReadOnlyList<Alert> Added);

    private async Task<FoldPlan> PlanAsync(FukkyuDb db, List<AlertEvent> events, AlertOptions o, CancellationToken ct)
    {
        var since = events.Min(e => e.ReceivedAt) - TimeSpan.FromSeconds(o.FlapWindowSeconds);
        var sources = events.Select(e => e.Sender.Id).Distinct().ToList();
        var keys = events.Select(e => e.DedupKey).Distinct().ToList();
        // Untracked, with the keys as one array parameter: change tracking and one SQL
        // parameter per key cost more than the commit itself for a batch of duplicates.
        var existing = await db.Alerts.AsNoTracking()
            .Where(a => sources.Contains(a.SourceId) && EF.Parameter(keys).Contains(a.DedupKey) && (a.ResolvedAt == null || a.ResolvedAt >= since))
            .ToListAsync(ct);
        var loaded = existing.ToDictionary(a => a.Id, a => a.Copy());
        var components = _components;
        if (components is null || Stopwatch.GetElapsedTime(_componentsLoadedAt) > TimeSpan.FromSeconds(30))
        {
            components = await db.Components.AsNoTracking().Select(c => new { c.Key, c.Id }).ToDictionaryAsync(c => c.Key, c => c.Id, ct);
            _components = components;
            _componentsLoadedAt = Stopwatch.GetTimestamp();
        }
        var folding = new AlertFolding(o, components);
        folding.Load(existing);
        foreach (var e in events)
        {
            folding.Apply(e);
        }
        if (folding.Added.Any(a => a.NeedsRouting))
        {
            await RecordWhereRulesSayAsync(db, folding.Added, o, ct);
        }
        var plan = new FoldPlan([], [], folding.Added);
        foreach (var a in existing)
        {
            switch (AlertChanges.Compare(db.Model, loaded[a.Id], a))
            {
                case AlertChange.Touched:
                    plan.Touched.Add(a);
                    break;
                case AlertChange.Changed:
                    plan.Changed.Add(a);
                    break;
            }
        }
        if (log.IsEnabled(LogLevel.Debug))
        {
            log.LogDebug("Folding {Events} events: {New} new alerts, {Touched} touched, {Changed} changed, {Dropped} dropped.",
                events.Count, folding.Added.Count, plan.Touched.Count, plan.Changed.Count, folding.Dropped);
        }
        return plan;
    }
}
