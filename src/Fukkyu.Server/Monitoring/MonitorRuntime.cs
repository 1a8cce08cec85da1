using Fukkyu.Server.Alerts;
using Fukkyu.Server.Catalog;

namespace Fukkyu.Server.Monitoring;

/// <summary>A state change the recorder must store, alert on and reflect in component status.</summary>
public sealed record MonitorTransition(Guid MonitorId, string Name, Guid? ComponentId, AlertSeverity Severity, MonitorState From, MonitorState To,
    DateTime At, DateTime? FirstFailureAt, string? Message);

/// <summary>A finished minute of one monitor, ready to be written.</summary>
public sealed record MinuteRow(Guid MonitorId, DateTime Minute, int Checks, int Failures, long LatencySumUs, int LatencyMaxUs, byte[] Samples);

/// <summary>The last check, for lists and the API.</summary>
public sealed record LastCheck(DateTime At, bool Up, double LatencyMs, ProbeFailure Failure, string? Message);

/// <summary>
/// One monitor on the scheduling node: its compiled probe, its flap-control counters, and the
/// minute being aggregated. Only one check of a monitor runs at a time, and its result is
/// applied under <see cref="Gate"/>.
/// </summary>
public sealed class MonitorRuntime
{
    public MonitorRuntime(HealthMonitor m, DateTime now)
    {
        Id = m.Id;
        State = m.State;
        StateSince = m.StateSince == default ? now : m.StateSince;
        FirstFailureAt = m.FirstFailureAt;
        Apply(m);
    }

    public Guid Id { get; }
    public object Gate { get; } = new();
    public HealthMonitor Definition { get; private set; } = null!;
    public ProbeTarget Target { get; private set; } = null!;
    public int Version { get; private set; }
    /// <summary>Bumped when the schedule changes, so stale queue entries are skipped.</summary>
    public int Generation { get; set; }
    public long IntervalTicks => TimeSpan.FromSeconds(Math.Max(1, Definition.IntervalSeconds)).Ticks;
    public long NextDueTicks { get; set; }
    public bool Removed { get; set; }
    public int Running;

    public MonitorState State { get; private set; }
    public DateTime StateSince { get; private set; }
    public DateTime? FirstFailureAt { get; private set; }
    public int ConsecutiveFailures { get; private set; }
    public int ConsecutiveSuccesses { get; private set; }
    public LastCheck? Last { get; private set; }

    private DateTime _minute;
    private int _checks;
    private int _failures;
    private long _latencySumUs;
    private int _latencyMaxUs;
    private readonly List<byte> _samples = [];

    /// <summary>Takes a new definition; a different probe starts its flap counters over.</summary>
    public void Apply(HealthMonitor m)
    {
        lock (Gate)
        {
            ApplyLocked(m);
        }
    }

    private void ApplyLocked(HealthMonitor m)
    {
        var probeChanged = Definition is null || Definition.Kind != m.Kind || Definition.Settings != m.Settings;
        Definition = m;
        Version = m.Version;
        if (probeChanged)
        {
            Target = new ProbeTarget(m);
            ConsecutiveFailures = 0;
            ConsecutiveSuccesses = 0;
        }
        else
        {
            // Same probe: keep what it remembers (a freshness sequence) but take the new timeout.
            var old = Target;
            Target = new ProbeTarget(m) { LastSequence = old?.LastSequence, LastSequenceChangedAt = old?.LastSequenceChangedAt ?? default };
        }
    }

    /// <summary>
    /// Counts the result into the current minute and runs flap control: down after
    /// FailureThreshold failures in a row, up again after RecoveryThreshold successes.
    /// Returns the finished minute (if this result began a new one) and the transition, if any.
    /// </summary>
    public (MinuteRow? Finished, MonitorTransition? Transition) Record(ProbeResult r, DateTime at)
    {
        lock (Gate)
        {
            var minute = new DateTime(at.Ticks - (at.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
            MinuteRow? finished = null;
            if (minute != _minute)
            {
                finished = TakeMinute();
                _minute = minute;
            }
            var latencyUs = (int)Math.Clamp(r.LatencyMs * 1000, 0, int.MaxValue);
            _checks++;
            _failures += r.Up ? 0 : 1;
            _latencySumUs += latencyUs;
            _latencyMaxUs = Math.Max(_latencyMaxUs, latencyUs);
            SampleCodec.Append(_samples, _minute, at, r.Up, r.LatencyMs, r.Failure);
            Last = new LastCheck(at, r.Up, r.LatencyMs, r.Failure, r.Message);

            var from = State;
            if (r.Up)
            {
                ConsecutiveFailures = 0;
                ConsecutiveSuccesses++;
                if (State != MonitorState.Up && (State == MonitorState.Unknown || ConsecutiveSuccesses >= Definition.RecoveryThreshold))
                {
                    State = MonitorState.Up;
                    FirstFailureAt = null;
                }
            }
            else
            {
                ConsecutiveSuccesses = 0;
                ConsecutiveFailures++;
                if (ConsecutiveFailures == 1 && State != MonitorState.Down)
                {
                    FirstFailureAt = at;
                }
                if (State != MonitorState.Down && ConsecutiveFailures >= Definition.FailureThreshold)
                {
                    State = MonitorState.Down;
                }
            }
            if (State == from)
            {
                return (finished, null);
            }
            StateSince = at;
            return (finished, new MonitorTransition(Id, Definition.Name, Definition.ComponentId, Definition.Severity, from, State, at,
                State == MonitorState.Down ? FirstFailureAt : null, r.Message));
        }
    }

    /// <summary>Hands over the minute being aggregated if it is older than <paramref name="before"/>, or (at shutdown) any.</summary>
    public MinuteRow? TakeMinuteIfBefore(DateTime? before)
    {
        lock (Gate)
        {
            return before is { } b && _minute >= b ? null : TakeMinute();
        }
    }

    private MinuteRow? TakeMinute()
    {
        if (_checks == 0)
        {
            return null;
        }
        var row = new MinuteRow(Id, _minute, _checks, _failures, _latencySumUs, _latencyMaxUs, [.. _samples]);
        _checks = 0;
        _failures = 0;
        _latencySumUs = 0;
        _latencyMaxUs = 0;
        _samples.Clear();
        return row;
    }

    public ComponentStatus DownStatus => Definition.DownStatus;
}
