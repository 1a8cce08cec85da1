using System.Diagnostics;
using System.Threading.Channels;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Notifications;

public enum SendOutcome
{
    Delivered,
    Retry,
    Failed,
}

/// <summary>What one delivery attempt came to.</summary>
public sealed record SendResult(SendOutcome Outcome, int? Code = null, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static SendResult Delivered(int? code = null) => new(SendOutcome.Delivered, code);

    public static SendResult Retry(string error, int? code = null, TimeSpan? retryAfter = null) => new(SendOutcome.Retry, code, error, retryAfter);

    public static SendResult Failed(string error, int? code = null) => new(SendOutcome.Failed, code, error);
}

/// <summary>Delivers the messages of one channel. Never throws for a delivery problem: it returns it.</summary>
public interface IOutboxSender
{
    string Channel { get; }

    Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct);
}

public sealed class OutboxOptions
{
    public const string Section = "Fukkyu:Outbox";

    public bool Enabled { get; set; } = true;
    public int PollMilliseconds { get; set; } = 250;
    public int BatchSize { get; set; } = 500;
    /// <summary>Deliveries in flight at once on this node.</summary>
    public int Parallelism { get; set; } = 32;
    public int MaxAttempts { get; set; } = 12;
    public int FirstRetrySeconds { get; set; } = 5;
    public int MaxRetrySeconds { get; set; } = 900;
    /// <summary>The longest <c>Retry-After</c> honoured; longer ones are cut to this.</summary>
    public int MaxRetryAfterSeconds { get; set; } = 3600;
    /// <summary>How long a claim holds; a node that dies releases its messages after this.</summary>
    public int ClaimSeconds { get; set; } = 120;
    /// <summary>
    /// Deliveries in flight or done but not yet recorded, at most. A crash repeats at most these
    /// (with the same idempotency key); when recording falls behind (the database is busy) new
    /// deliveries wait instead of widening that window.
    /// </summary>
    public int MaxUnrecorded { get; set; } = 64;
    /// <summary>Delivered and cancelled messages (and their attempts) are deleted after this many days; failed ones stay.</summary>
    public int KeepDays { get; set; } = 90;
}

/// <summary>
/// Claims due messages, delivers them in parallel through their channel's sender, and records
/// every attempt. Results are committed in small groups as deliveries finish, so after a crash at
/// most the last few milliseconds of deliveries can repeat — and those carry the same idempotency
/// key for the receiver to drop.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IEnumerable<IOutboxSender> senders,
    NodeIdentity node,
    TimeProvider time,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> log)
{
    private readonly Dictionary<string, IOutboxSender> _senders = senders.ToDictionary(s => s.Channel, StringComparer.Ordinal);
    private readonly SemaphoreSlim _unrecorded = new(Math.Max(1, options.Value.MaxUnrecorded));

    private sealed record Done(Guid Id, SendResult Result, DateTime At, int DurationMs);

    /// <summary>Delivers what is due now; returns how many messages were attempted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        List<OutboxMessage> batch;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            var ids = await RowClaimer.ClaimAsync(db, "outbox_messages", node.Id, time.GetUtcNow().UtcDateTime,
                TimeSpan.FromSeconds(o.ClaimSeconds), o.BatchSize, ct);
            if (ids.Count == 0)
            {
                return 0;
            }
            batch = await db.Set<OutboxMessage>().AsNoTracking().Where(m => EF.Parameter(ids).Contains(m.Id)).ToListAsync(ct);
        }

        var results = Channel.CreateUnbounded<Done>(new UnboundedChannelOptions { SingleReader = true });
        var recorder = RecordAsync(results.Reader);
        try
        {
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Parallelism), CancellationToken = ct },
                async (message, token) =>
                {
                    // Released by the recorder once the result is committed.
                    await _unrecorded.WaitAsync(token);
                    SendResult result;
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        result = await SendOneAsync(message, token);
                    }
                    catch
                    {
                        _unrecorded.Release();
                        throw;
                    }
                    await results.Writer.WriteAsync(new Done(message.Id, result, time.GetUtcNow().UtcDateTime,
                        (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds), CancellationToken.None);
                });
        }
        finally
        {
            results.Writer.Complete();
            await recorder;
        }
        return batch.Count;
    }

    private async Task<SendResult> SendOneAsync(OutboxMessage message, CancellationToken ct)
    {
        if (!_senders.TryGetValue(message.Channel, out var sender))
        {
            return SendResult.Failed($"No sender for channel '{message.Channel}'.");
        }
        try
        {
            return await sender.SendAsync(message, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A sender should return failures; one that throws is treated as a transient fault.
            return SendResult.Retry(e.Message);
        }
    }

    // Commits delivery results in groups as they arrive: one round trip for many messages. A group
    // waits a few milliseconds for company, so a busy dispatcher commits hundreds at a time rather
    // than a handful (each commit is a disk flush); the crash window stays milliseconds.
    private async Task RecordAsync(ChannelReader<Done> reader)
    {
        var group = new List<Done>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            var lingerUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000 * GroupLingerMilliseconds;
            while (group.Count < MaxGroup)
            {
                if (reader.TryRead(out var done))
                {
                    group.Add(done);
                    continue;
                }
                var left = lingerUntil - Stopwatch.GetTimestamp();
                // No company is coming when every slot waits for this commit.
                if (left <= 0 || reader.Completion.IsCompleted || _unrecorded.CurrentCount == 0)
                {
                    break;
                }
                using var wait = new CancellationTokenSource(TimeSpan.FromTicks(Math.Max(1, left * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
                try
                {
                    if (!await reader.WaitToReadAsync(wait.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            try
            {
                await CommitAsync(group);
            }
            catch (Exception e)
            {
                // The claims expire and the messages are retried; receivers drop repeats by key.
                log.LogError(e, "Recording {Count} outbox results failed.", group.Count);
            }
            finally
            {
                _unrecorded.Release(group.Count);
            }
            group.Clear();
        }
    }

    private const int MaxGroup = 500;
    private const int GroupLingerMilliseconds = 20;

    private async Task CommitAsync(List<Done> group)
    {
        var o = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        // Delivered, the common case, in one set-based statement per group.
        var delivered = group.Where(d => d.Result.Outcome == SendOutcome.Delivered).ToList();
        if (delivered.Count > 0)
        {
            var ids = delivered.Select(d => d.Id).ToList();
            var at = delivered.Max(d => d.At);
            var node1 = node.Id;
            await db.Set<OutboxMessage>().Where(m => EF.Parameter(ids).Contains(m.Id) && m.ClaimedBy == node1).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, OutboxState.Delivered)
                .SetProperty(m => m.DeliveredAt, at)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.LastError, (string?)null)
                .SetProperty(m => m.ClaimedBy, (string?)null)
                .SetProperty(m => m.ClaimedUntil, (DateTime?)null), CancellationToken.None);
        }
        var others = group.Where(d => d.Result.Outcome != SendOutcome.Delivered).ToList();
        if (others.Count > 0)
        {
            var ids = others.Select(d => d.Id).ToList();
            var rows = await db.Set<OutboxMessage>().Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id);
            foreach (var done in others)
            {
                if (!rows.TryGetValue(done.Id, out var m))
                {
                    continue;
                }
                m.Attempts++;
                m.ClaimedBy = null;
                m.ClaimedUntil = null;
                var r = done.Result;
                if (r.Outcome == SendOutcome.Retry && m.Attempts < o.MaxAttempts)
                {
                    m.State = OutboxState.Pending;
                    m.LastError = Truncate(r.Error);
                    m.DueAt = done.At + (r.RetryAfter is { } after
                        ? TimeSpan.FromSeconds(Math.Clamp(after.TotalSeconds, 0, o.MaxRetryAfterSeconds))
                        : Backoff.Delay(m.Attempts, TimeSpan.FromSeconds(o.FirstRetrySeconds), TimeSpan.FromSeconds(o.MaxRetrySeconds)));
                }
                else
                {
                    m.State = OutboxState.Failed;
                    m.LastError = Truncate(r.Error);
                }
            }
        }
        await db.SaveChangesAsync(CancellationToken.None);
        await InsertAttemptsAsync(db, group);
        await tx.CommitAsync(CancellationToken.None);
    }

    private static readonly string[] AttemptColumns = ["message_id", "at", "success", "code", "error", "duration_ms", "node"];

    // Written without change tracking: an attempt row per delivery is most of what a busy
    // dispatcher writes, and tracking them cost more than sending.
    private Task InsertAttemptsAsync(FukkyuDb db, List<Done> group) =>
        BulkInsert.RunAsync(db, "outbox_attempts", AttemptColumns, [.. group.Select(done => new object?[]
        {
            done.Id, done.At, done.Result.Outcome == SendOutcome.Delivered, done.Result.Code, Truncate(done.Result.Error), done.DurationMs, node.Id,
        })], CancellationToken.None);

    private static string? Truncate(string? s) => s is { Length: > 2000 } ? s[..2000] : s;
}

public sealed class OutboxWorker(OutboxDispatcher dispatcher, WorkSignals signals, TimeProvider time, IOptions<OutboxOptions> options, ILogger<OutboxWorker> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.PollMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await dispatcher.RunOnceAsync(stoppingToken) > 0)
                {
                    continue;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Outbox sweep failed; retrying.");
            }
            await signals.Outbox.WaitAsync(poll, time, stoppingToken);
        }
    }
}
