using System.Diagnostics;
using System.Threading.Channels;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Alerts;

public enum IngestResult
{
    /// <summary>Committed: the sender may be told 202.</summary>
    Stored,
    /// <summary>Too many requests are waiting for a commit: the sender should retry later (429).</summary>
    Throttled,
    /// <summary>The database did not take the batch: the sender should retry (503).</summary>
    Unavailable,
}

/// <summary>
/// Group commit for alert ingestion. Requests put their events on an in-memory queue and wait;
/// one committer takes everything that queued up while the previous commit ran and writes it
/// in a single transaction, then answers every waiting request. So a request is answered only
/// after its events are durable, and the database sees one round trip per batch, never per event.
/// </summary>
public sealed class AlertIngest
{
    private readonly Channel<PendingIngest> _queue;

    public AlertIngest(IOptions<AlertOptions> options)
    {
        _queue = Channel.CreateBounded<PendingIngest>(new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    internal ChannelReader<PendingIngest> Reader => _queue.Reader;

    /// <summary>Queues events (and change events) and completes once they are committed.</summary>
    public Task<IngestResult> SubmitAsync(IReadOnlyList<AlertEvent> events, IReadOnlyList<ChangeEventInput>? changes = null)
    {
        if (events.Count == 0 && (changes is null || changes.Count == 0))
        {
            return Task.FromResult(IngestResult.Stored);
        }
        var pending = new PendingIngest(events, changes ?? []);
        return _queue.Writer.TryWrite(pending) ? pending.Done.Task : Task.FromResult(IngestResult.Throttled);
    }

    public Task<IngestResult> SubmitAsync(AlertEvent e) => SubmitAsync([e]);
}

internal sealed class PendingIngest(IReadOnlyList<AlertEvent> events, IReadOnlyList<ChangeEventInput> changes)
{
    public IReadOnlyList<AlertEvent> Events { get; } = events;
    public IReadOnlyList<ChangeEventInput> Changes { get; } = changes;
    public int Size => Events.Count + Changes.Count;
    public TaskCompletionSource<IngestResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Wakes a worker without polling; several signals before it wakes count as one.</summary>
public sealed class Wakeup
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a signal or the timeout, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        // The timeout runs on the injected clock, so tests that move time also move sweeps.
        using var timeoutCts = new CancellationTokenSource(timeout, time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        try
        {
            await _channel.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Timed out: look anyway.
        }
    }
}

/// <summary>Signals the alert router that committed alerts need routing.</summary>
public sealed class AlertRouterWakeup
{
    public Wakeup Wakeup { get; } = new();
}

/// <summary>The single committer behind <see cref="AlertIngest"/>.</summary>
public sealed class AlertCommitWorker(
    AlertIngest ingest,
    IServiceScopeFactory scopes,
    IOptions<AlertOptions> options,
    TimeProvider time,
    AlertRouterWakeup router,
    ChangeSignal signal,
    ILogger<AlertCommitWorker> log) : BackgroundService
{
    private readonly List<PendingIngest> _batch = [];
    private Dictionary<string, Guid>? _components;
    private long _componentsLoadedAt;

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
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await CommitNextBatchAsync(reader, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: commit what is already queued, so no waiting sender is left hanging.
            while (reader.TryPeek(out _))
            {
                await CommitNextBatchAsync(reader, CancellationToken.None);
            }
        }
    }

    private async Task CommitNextBatchAsync(ChannelReader<PendingIngest> reader, CancellationToken ct)
    {
        _batch.Clear();
        var size = 0;
        var max = Math.Max(1, options.Value.MaxBatchEvents);
        while (size < max && reader.TryRead(out var p))
        {
            _batch.Add(p);
            size += p.Size;
        }
        if (_batch.Count == 0)
        {
            return;
        }
        var result = IngestResult.Unavailable;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                await CommitAsync(_batch, ct);
                result = IngestResult.Stored;
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A unique-key race with another node, a lost optimistic-concurrency race or a
                // database hiccup: the whole batch is retried from scratch in a fresh unit of work.
                log.LogWarning(e, "Alert batch of {Events} events failed (attempt {Attempt}).", size, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), ct);
            }
        }
        foreach (var p in _batch)
        {
            p.Done.TrySetResult(result);
        }
        if (result == IngestResult.Stored)
        {
            router.Wakeup.Notify();
        }
    }

    private async Task CommitAsync(List<PendingIngest> batch, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        var o = options.Value;
        var events = batch.SelectMany(p => p.Events).ToList();
        // On SQLite this takes the write lock at once (BEGIN IMMEDIATE), so the read below and
        // the writes after it see the same database.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (events.Count > 0)
        {
            var now = time.GetUtcNow().UtcDateTime;
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
            db.Alerts.AddRange(folding.Added);
            var touched = new List<Alert>();
            foreach (var a in existing)
            {
                switch (AlertChanges.Compare(db.Model, loaded[a.Id], a))
                {
                    case AlertChange.Touched:
                        touched.Add(a);
                        break;
                    case AlertChange.Changed:
                        // Every column written, guarded by the version the alert was read with.
                        db.Alerts.Attach(a).State = EntityState.Modified;
                        break;
                }
            }
            await AlertChanges.WriteTouchedAsync(db, touched, ct);
            if (log.IsEnabled(LogLevel.Debug))
            {
                log.LogDebug("Folding {Events} events at {Now}: {New} new alerts, {Dropped} dropped.", events.Count, now, folding.Added.Count, folding.Dropped);
            }
        }
        foreach (var c in batch.SelectMany(p => p.Changes))
        {
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
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        AlertMetrics.Committed(events.Count, Stopwatch.GetElapsedTime(started));
    }
}
