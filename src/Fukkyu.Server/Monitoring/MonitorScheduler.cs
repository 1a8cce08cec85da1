using System.Collections.Concurrent;
using Fukkyu.Server.Alerts;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Monitoring;

/// <summary>
/// Runs every monitor at its interval, on the one node that holds the scheduler lease (another
/// takes over when it stops renewing). A single dispatch loop keeps a priority queue of due
/// times on a fixed rate, so a slow probe never shifts the next; probes run concurrently up to a
/// limit; results go through flap control in memory and only state changes and finished minutes
/// reach the database. Checks are spread over the interval so 10,000 monitors do not fire at once.
/// </summary>
public sealed class MonitorScheduler(
    IServiceScopeFactory scopes,
    Prober prober,
    MonitorRecorder recorder,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    ILogger<MonitorScheduler> log) : BackgroundService
{
    public const string LeaseName = "monitor-scheduler";

    private readonly ConcurrentDictionary<Guid, MonitorRuntime> _runtimes = new();
    private readonly ConcurrentQueue<MonitorRuntime> _toSchedule = new();
    private readonly ConcurrentQueue<MinuteRow> _finished = new();
    private readonly Wakeup _definitionsChanged = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private TaskCompletionSource _dispatchWake = NewWake();
    private SemaphoreSlim _slots = new(1);

    public SchedulerStats Stats { get; } = new();

    /// <summary>Whether this node runs the probes now.</summary>
    public bool IsLeader { get; private set; }

    public IReadOnlyDictionary<Guid, MonitorRuntime> Runtimes => _runtimes;

    /// <summary>Monitors were created, changed, paused or deleted: re-read them now rather than at the next sweep.</summary>
    public void DefinitionsChanged() => _definitionsChanged.Notify();

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            log.LogInformation("Monitoring scheduler disabled on this node (Fukkyu:Monitoring:Enabled=false).");
            return;
        }
        _slots = new SemaphoreSlim(Math.Max(1, o.MaxConcurrentProbes));
        var lease = TimeSpan.FromSeconds(Math.Max(3, o.LeaseSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await TryLeaseAsync(lease, stoppingToken))
                {
                    await LeadAsync(lease, stoppingToken);
                }
                else
                {
                    await Task.Delay(lease / 3, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Monitor scheduler failed; starting over.");
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }
        }
    }

    private async Task<bool> TryLeaseAsync(TimeSpan duration, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LeaseManager>().TryAcquireAsync(LeaseName, duration, ct);
    }

    private async Task LeadAsync(TimeSpan lease, CancellationToken stoppingToken)
    {
        using var leadership = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var ct = leadership.Token;
        await RefreshDefinitionsAsync(ct);
        IsLeader = true;
        log.LogInformation("This node now runs {Count} monitors.", _runtimes.Count);
        // After a crash or a change of leader, say every known state again: alerts are idempotent.
        await recorder.RaiseAlertsAsync([.. _runtimes.Values.Where(r => r.State != MonitorState.Unknown).Select(r => new MonitorTransition(
            r.Id, r.Definition.Name, r.Definition.ComponentId, r.Definition.Severity, r.State, r.State, r.StateSince, r.FirstFailureAt, r.Definition.LastMessage))], ct);
        var loops = new[] { DispatchLoopAsync(ct), MaintenanceLoopAsync(lease, leadership), recorder.RunTransitionsAsync(ct) };
        try
        {
            await Task.WhenAny(loops);
        }
        finally
        {
            leadership.Cancel();
            try
            {
                await Task.WhenAll(loops);
            }
            catch (OperationCanceledException)
            {
                // Expected: leadership ended.
            }
            IsLeader = false;
            await StepDownAsync();
        }
    }

    /// <summary>Writes what is pending, so a graceful stop or hand-over loses no minute and no state change.</summary>
    private async Task StepDownAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await recorder.DrainAsync(cts.Token);
            foreach (var rt in _runtimes.Values)
            {
                if (rt.TakeMinuteIfBefore(null) is { } row)
                {
                    _finished.Enqueue(row);
                }
            }
            await FlushMinutesAsync(cts.Token);
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<LeaseManager>().ReleaseAsync(LeaseName, cts.Token);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not write everything while stepping down.");
        }
        _runtimes.Clear();
        _toSchedule.Clear();
    }

    private async Task MaintenanceLoopAsync(TimeSpan lease, CancellationTokenSource leadership)
    {
        var ct = leadership.Token;
        var flushEvery = TimeSpan.FromSeconds(Math.Max(1, options.Value.FlushSeconds));
        var nextLease = Now + (lease / 3);
        var nextRefresh = Now + flushEvery;
        while (!ct.IsCancellationRequested)
        {
            await _definitionsChanged.WaitAsync(flushEvery, time, ct);
            var now = Now;
            if (now >= nextLease)
            {
                if (!await TryLeaseAsync(lease, ct))
                {
                    log.LogWarning("Lost the monitor scheduler lease; another node runs the monitors now.");
                    leadership.Cancel();
                    return;
                }
                nextLease = now + (lease / 3);
            }
            await RefreshDefinitionsAsync(ct);
            if (now >= nextRefresh)
            {
                var currentMinute = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
                foreach (var rt in _runtimes.Values)
                {
                    if (rt.TakeMinuteIfBefore(currentMinute) is { } row)
                    {
                        _finished.Enqueue(row);
                    }
                }
                await FlushMinutesAsync(ct);
                nextRefresh = now + flushEvery;
            }
        }
    }

    private async Task FlushMinutesAsync(CancellationToken ct)
    {
        var rows = new List<MinuteRow>();
        while (_finished.TryDequeue(out var row))
        {
            rows.Add(row);
        }
        try
        {
            await recorder.WriteMinutesAsync(rows, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Put them back: the next flush tries again.
            log.LogWarning(e, "Writing {Count} monitor minutes failed; retrying at the next flush.", rows.Count);
            foreach (var row in rows)
            {
                _finished.Enqueue(row);
            }
        }
    }

    /// <summary>Adds, updates and removes runtimes to match the database (only changed rows are read in full).</summary>
    private async Task RefreshDefinitionsAsync(CancellationToken ct)
    {
        await _refreshing.WaitAsync(ct);
        try
        {
            await RefreshLockedAsync(ct);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task RefreshLockedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        var versions = await db.Monitors.AsNoTracking().Where(m => !m.Paused).Select(m => new { m.Id, m.Version }).ToListAsync(ct);
        var wanted = versions.ToDictionary(v => v.Id, v => v.Version);
        var changed = versions.Where(v => !_runtimes.TryGetValue(v.Id, out var rt) || rt.Version != v.Version).Select(v => v.Id).ToList();
        foreach (var (id, rt) in _runtimes)
        {
            if (!wanted.ContainsKey(id) && _runtimes.TryRemove(id, out _))
            {
                rt.Removed = true;
            }
        }
        var now = Now;
        foreach (var chunk in changed.Chunk(500))
        {
            var rows = await db.Monitors.AsNoTracking().Where(m => chunk.Contains(m.Id)).ToListAsync(ct);
            foreach (var m in rows)
            {
                if (_runtimes.TryGetValue(m.Id, out var rt))
                {
                    var interval = rt.Definition.IntervalSeconds;
                    rt.Apply(m);
                    if (interval == m.IntervalSeconds)
                    {
                        continue;
                    }
                }
                else
                {
                    rt = new MonitorRuntime(m, now);
                    _runtimes[m.Id] = rt;
                }
                // Spread first checks over the interval by id, so they do not all fire together.
                var phase = (long)((uint)m.Id.GetHashCode() % (ulong)rt.IntervalTicks);
                rt.NextDueTicks = now.Ticks + phase;
                rt.Generation++;
                _toSchedule.Enqueue(rt);
            }
        }
        if (changed.Count > 0)
        {
            _dispatchWake.TrySetResult();
        }
    }

    private async Task DispatchLoopAsync(CancellationToken ct)
    {
        var queue = new PriorityQueue<(MonitorRuntime Runtime, int Generation), long>();
        while (!ct.IsCancellationRequested)
        {
            var wake = _dispatchWake;
            if (wake.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _dispatchWake, NewWake(), wake);
            }
            while (_toSchedule.TryDequeue(out var added))
            {
                queue.Enqueue((added, added.Generation), added.NextDueTicks);
            }
            var now = Now.Ticks;
            while (queue.TryPeek(out var entry, out var due) && due <= now)
            {
                queue.Dequeue();
                var rt = entry.Runtime;
                if (rt.Removed || entry.Generation != rt.Generation)
                {
                    continue;
                }
                Dispatch(rt, due, ct);
                var next = due + rt.IntervalTicks;
                if (next <= now)
                {
                    // Behind by more than an interval (a pause, a stall): skip the missed checks, keep the phase.
                    next += ((now - next) / rt.IntervalTicks + 1) * rt.IntervalTicks;
                }
                rt.NextDueTicks = next;
                queue.Enqueue((rt, rt.Generation), next);
            }
            var wait = queue.TryPeek(out _, out var nextDue) ? TimeSpan.FromTicks(Math.Max(0, nextDue - Now.Ticks)) : TimeSpan.FromSeconds(1);
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(_dispatchWake.Task, Task.Delay(wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), time, ct));
            }
        }
    }

    private void Dispatch(MonitorRuntime rt, long dueTicks, CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref rt.Running, 1, 0) != 0)
        {
            Stats.Overrun();
            return;
        }
        _ = Task.Run(() => ProbeAsync(rt, dueTicks, ct), CancellationToken.None);
    }

    private async Task<ProbeResult?> ProbeAsync(MonitorRuntime rt, long dueTicks, CancellationToken ct)
    {
        try
        {
            await _slots.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            Volatile.Write(ref rt.Running, 0);
            return null;
        }
        try
        {
            Stats.Started(TimeSpan.FromTicks(Math.Max(0, Now.Ticks - dueTicks)));
            var result = await prober.RunAsync(rt.Target, ct);
            Accept(rt, result);
            return result;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e)
        {
            // Prober turns failures into results; this is a bug, and the worker carries on.
            log.LogError(e, "Probe of monitor {Monitor} threw.", rt.Id);
            return null;
        }
        finally
        {
            _slots.Release();
            Volatile.Write(ref rt.Running, 0);
        }
    }

    private void Accept(MonitorRuntime rt, ProbeResult result)
    {
        if (rt.Removed)
        {
            return;
        }
        var (finished, transition) = rt.Record(result, Now);
        Stats.Result(result.Up);
        if (finished is not null)
        {
            _finished.Enqueue(finished);
        }
        if (transition is not null)
        {
            recorder.Enqueue(transition);
        }
    }

    /// <summary>
    /// Checks a monitor now, outside its schedule. On the scheduling node the result counts like
    /// any other (flap control, state, alerts); elsewhere it is only reported.
    /// </summary>
    public async Task<(ProbeResult Result, bool Recorded, MonitorState? State)> CheckNowAsync(HealthMonitor monitor, CancellationToken ct)
    {
        if (IsLeader && !monitor.Paused && (!_runtimes.TryGetValue(monitor.Id, out var known) || known.Version != monitor.Version))
        {
            await RefreshDefinitionsAsync(ct); // just created or changed: check what the person sees
        }
        // A paused monitor is probed but never recorded, even while the scheduler still holds its
        // runtime from before the pause (it drops it at its next refresh).
        if (IsLeader && !monitor.Paused && _runtimes.TryGetValue(monitor.Id, out var rt))
        {
            var deadline = Now + rt.Target.Timeout + TimeSpan.FromSeconds(5);
            while (Interlocked.CompareExchange(ref rt.Running, 1, 0) != 0)
            {
                if (Now > deadline)
                {
                    break;
                }
                await Task.Delay(10, ct);
            }
            try
            {
                var result = await prober.RunAsync(rt.Target, ct);
                Accept(rt, result);
                return (result, true, rt.State);
            }
            finally
            {
                Volatile.Write(ref rt.Running, 0);
            }
        }
        return (await prober.RunAsync(new ProbeTarget(monitor), ct), false, null);
    }
}

/// <summary>
/// What the benchmark and operators want to know about the scheduler: probes per second and
/// how late checks start against their due time (p50/p99/max), over a recent window.
/// </summary>
public sealed class SchedulerStats
{
    private const int Capacity = 1 << 19;
    private readonly long[] _at = new long[Capacity];
    private readonly float[] _delayMs = new float[Capacity];
    private long _count;
    private long _overruns;
    private long _up;
    private long _down;

    public long Probes => Interlocked.Read(ref _count);
    public long Overruns => Interlocked.Read(ref _overruns);
    public long Up => Interlocked.Read(ref _up);
    public long Down => Interlocked.Read(ref _down);

    public void Started(TimeSpan delay)
    {
        var i = Interlocked.Increment(ref _count) - 1;
        var slot = (int)(i & (Capacity - 1));
        _delayMs[slot] = (float)delay.TotalMilliseconds;
        Volatile.Write(ref _at[slot], Environment.TickCount64);
    }

    public void Overrun() => Interlocked.Increment(ref _overruns);

    public void Result(bool up) => Interlocked.Increment(ref up ? ref _up : ref _down);

    public SchedulerWindow Window(TimeSpan window)
    {
        var since = Environment.TickCount64 - (long)window.TotalMilliseconds;
        var n = (int)Math.Min(Probes, Capacity);
        var delays = new List<float>(n);
        for (var i = 0; i < n; i++)
        {
            if (Volatile.Read(ref _at[i]) >= since)
            {
                delays.Add(_delayMs[i]);
            }
        }
        delays.Sort();
        float At(double q) => delays.Count == 0 ? 0 : delays[Math.Min(delays.Count - 1, (int)Math.Ceiling(q * delays.Count) - 1 < 0 ? 0 : (int)Math.Ceiling(q * delays.Count) - 1)];
        return new SchedulerWindow(window.TotalSeconds, delays.Count, delays.Count / window.TotalSeconds, At(0.5), At(0.99), delays.Count == 0 ? 0 : delays[^1]);
    }
}

public sealed record SchedulerWindow(double Seconds, int Probes, double ProbesPerSecond, double DelayP50Ms, double DelayP99Ms, double DelayMaxMs);
