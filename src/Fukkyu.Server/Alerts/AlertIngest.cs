using System.Threading.Channels;
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
/// one committer takes everything that queued up while the previous commit ran and appends it to
/// the alert log in a single transaction, then answers every waiting request. So a request is
/// answered only after its events are durable, and the database sees one round trip per batch,
/// never per event. The committer folds the log into alerts a moment later (decision 010).
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

    private long _backlog;
    private readonly TaskCompletionSource _recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal ChannelReader<PendingIngest> Reader => _queue.Reader;

    /// <summary>Events acknowledged on this node and not yet folded into alerts.</summary>
    public long Backlog => Interlocked.Read(ref _backlog);

    internal void AddBacklog(long events) => Interlocked.Add(ref _backlog, events);

    /// <summary>The committer has read back what a crash left in the log (it counts in the backlog from then on).</summary>
    internal void Recovered() => _recovered.TrySetResult();

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

    /// <summary>
    /// Completes once every event this node acknowledged before the call is folded into alerts,
    /// so a reader sees what it was just told was accepted. Gives up waiting (and the caller reads
    /// what is there) when the queue is full or after <paramref name="timeout"/>.
    /// </summary>
    public async Task ProjectedAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        if (Backlog == 0 && _recovered.Task.IsCompleted)
        {
            return;
        }
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await _recovered.Task.WaitAsync(timeout, ct);
            var barrier = new PendingIngest([], [], barrier: true);
            if (Backlog == 0 || !_queue.Writer.TryWrite(barrier))
            {
                return;
            }
            var left = timeout - TimeProvider.System.GetElapsedTime(started);
            await barrier.Done.Task.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, ct);
        }
        catch (TimeoutException)
        {
            // Overloaded: the reader gets what is folded so far.
        }
    }

    public Task ProjectedAsync(CancellationToken ct = default) => ProjectedAsync(TimeSpan.FromSeconds(10), ct);
}

internal sealed class PendingIngest(IReadOnlyList<AlertEvent> events, IReadOnlyList<ChangeEventInput> changes, bool barrier = false)
{
    /// <summary>Not events: a reader waiting until everything logged before it is folded.</summary>
    public bool IsBarrier { get; } = barrier;
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

