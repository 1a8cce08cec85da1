using System.Collections.Concurrent;

namespace Fukkyu.Server.Monitoring;

public sealed class MonitoringOptions
{
    public const string Section = "Fukkyu:Monitoring";

    /// <summary>Whether this node may run the probe scheduler (one node runs it at a time, by lease).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>The monitors file, upserted by key at start (relative paths start at the app folder).</summary>
    public string? File { get; set; }
    /// <summary>Probes running at once; more wait, and their scheduling delay shows it.</summary>
    public int MaxConcurrentProbes { get; set; } = 2000;
    /// <summary>How often finished minutes are written and definitions re-read.</summary>
    public int FlushSeconds { get; set; } = 5;
    /// <summary>Raw samples and per-minute rollups are kept this long.</summary>
    public int RawRetentionHours { get; set; } = 24;
    /// <summary>Per-hour rollups (availability history) are kept this long.</summary>
    public int HourlyRetentionDays { get; set; } = 400;
    /// <summary>State changes are kept this long.</summary>
    public int StateChangeRetentionDays { get; set; } = 400;
    /// <summary>Resolved alerts that never joined an incident are kept this long.</summary>
    public int UnlinkedAlertRetentionDays { get; set; } = 400;
    /// <summary>The scheduler's lease; another node takes over this long after the holder stops.</summary>
    public int LeaseSeconds { get; set; } = 15;
    /// <summary>Named connections for <c>sql</c> monitors, so secrets stay in configuration.</summary>
    public Dictionary<string, SqlConnectionOptions> Connections { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Heartbeats received on this node, by monitor: the heartbeat probe reads these first.</summary>
public sealed class HeartbeatBoard
{
    private readonly ConcurrentDictionary<Guid, DateTime> _last = new();

    public void Beat(Guid monitorId, DateTime at) => _last.AddOrUpdate(monitorId, at, (_, old) => at > old ? at : old);

    public DateTime? Last(Guid monitorId) => _last.TryGetValue(monitorId, out var at) ? at : null;
}
