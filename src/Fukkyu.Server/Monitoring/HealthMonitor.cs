using System.Text.Json.Serialization;
using Fukkyu.Server.Alerts;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Monitoring;

/// <summary>The probe kinds of the issue; wire names as the issue spells them.</summary>
public enum MonitorKind
{
    Http,
    Tcp,
    Tls,
    Dns,
    Heartbeat,
    Freshness,
    Threshold,
    [JsonStringEnumMemberName("height-lag")]
    HeightLag,
    Sql,
}

public enum MonitorState
{
    /// <summary>Not enough results yet.</summary>
    Unknown,
    Up,
    Down,
}

/// <summary>Who manages a monitor's definition: people through the API and UI, or the monitors file.</summary>
public enum MonitorManagedBy
{
    Api,
    File,
}

/// <summary>
/// One monitor: what to probe (<see cref="Kind"/> and <see cref="Settings"/>), how often, how
/// many failures make it down and how many successes bring it back (flap control), and the
/// component it speaks for. Named so as not to clash with <see cref="System.Threading.Monitor"/>.
/// </summary>
public sealed class HealthMonitor : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>Stable key for the monitors file (upserted by key); optional for monitors made by hand.</summary>
    public string? Key { get; set; }
    public required string Name { get; set; }
    public MonitorKind Kind { get; set; }
    public Guid? ComponentId { get; set; }
    public Component? Component { get; set; }
    public int IntervalSeconds { get; set; } = 60;
    public int TimeoutMs { get; set; } = 5000;
    public int FailureThreshold { get; set; } = 3;
    public int RecoveryThreshold { get; set; } = 2;
    /// <summary>The kind's settings as JSON (<see cref="MonitorSettings"/>).</summary>
    public string Settings { get; set; } = "{}";
    /// <summary>Severity of the alert raised while it is down.</summary>
    public AlertSeverity Severity { get; set; } = AlertSeverity.Critical;
    /// <summary>What its component shows while it is down.</summary>
    public ComponentStatus DownStatus { get; set; } = ComponentStatus.MajorOutage;
    /// <summary>A reconciliation check (book vs on-chain): the recovery gate asks for all of them.</summary>
    public bool Reconciliation { get; set; }
    public bool Paused { get; set; }
    public DateTime? PausedAt { get; set; }
    public string? PausedBy { get; set; }
    public MonitorManagedBy ManagedBy { get; set; } = MonitorManagedBy.Api;
    /// <summary>SHA-256 of a heartbeat monitor's push token.</summary>
    public string? HeartbeatTokenHash { get; set; }
    public DateTime? LastBeatAt { get; set; }

    public MonitorState State { get; set; } = MonitorState.Unknown;
    public DateTime StateSince { get; set; }
    /// <summary>First failure of the current failing streak: a down monitor's incident is detected then.</summary>
    public DateTime? FirstFailureAt { get; set; }
    public string? LastMessage { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>A monitor's state change: results are stored as changes, never one row per check forever.</summary>
public sealed class MonitorStateChange
{
    public long Id { get; set; }
    public Guid MonitorId { get; set; }
    public DateTime At { get; set; }
    public MonitorState From { get; set; }
    public MonitorState To { get; set; }
    public string? Message { get; set; }
}

/// <summary>
/// One monitor's minute: counts and latency, plus every raw sample of that minute packed into
/// <see cref="Samples"/> (see <see cref="SampleCodec"/>). Kept for a day.
/// </summary>
public sealed class MonitorMinute
{
    public Guid MonitorId { get; set; }
    public DateTime Minute { get; set; }
    public int Checks { get; set; }
    public int Failures { get; set; }
    public long LatencySumUs { get; set; }
    public int LatencyMaxUs { get; set; }
    public byte[]? Samples { get; set; }
}

/// <summary>One monitor's hour: counts and latency. Kept for the availability history.</summary>
public sealed class MonitorHour
{
    public Guid MonitorId { get; set; }
    public DateTime Hour { get; set; }
    public int Checks { get; set; }
    public int Failures { get; set; }
    public long LatencySumUs { get; set; }
    public int LatencyMaxUs { get; set; }
}

public static class MonitoringModel
{
    public static void ConfigureMonitoring(this ModelBuilder b)
    {
        b.Entity<HealthMonitor>(e =>
        {
            e.ToTable("monitors");
            e.HasIndex(m => m.Key).IsUnique();
            e.HasIndex(m => m.ComponentId);
            e.HasIndex(m => m.HeartbeatTokenHash).IsUnique();
            e.Property(m => m.Key).HasMaxLength(100);
            e.Property(m => m.Name).HasMaxLength(200);
            e.Property(m => m.Settings).HasMaxLength(MonitorLimits.SettingsJson);
            e.Property(m => m.PausedBy).HasMaxLength(200);
            e.Property(m => m.HeartbeatTokenHash).HasMaxLength(64);
            e.Property(m => m.LastMessage).HasMaxLength(MonitorLimits.Message);
            e.Property(m => m.Version).IsConcurrencyToken();
            e.HasOne(m => m.Component).WithMany().HasForeignKey(m => m.ComponentId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<MonitorStateChange>(e =>
        {
            e.ToTable("monitor_state_changes");
            e.HasIndex(c => new { c.MonitorId, c.At });
            e.HasIndex(c => c.At);
            e.Property(c => c.Message).HasMaxLength(MonitorLimits.Message);
            e.HasOne<HealthMonitor>().WithMany().HasForeignKey(c => c.MonitorId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<MonitorMinute>(e =>
        {
            e.ToTable("monitor_minutes");
            e.HasKey(m => new { m.MonitorId, m.Minute });
            e.HasIndex(m => m.Minute);
            e.HasOne<HealthMonitor>().WithMany().HasForeignKey(m => m.MonitorId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<MonitorHour>(e =>
        {
            e.ToTable("monitor_hours");
            e.HasKey(m => new { m.MonitorId, m.Hour });
            e.HasIndex(m => m.Hour);
            e.HasOne<HealthMonitor>().WithMany().HasForeignKey(m => m.MonitorId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

public static class MonitorLimits
{
    public const int SettingsJson = 16 * 1024;
    public const int Message = 1000;
    public const int MinIntervalSeconds = 1;
    public const int MaxIntervalSeconds = 86_400;
    public const int MaxTimeoutMs = 120_000;
    public const int MaxThreshold = 100;
    /// <summary>Bytes of a response body a probe reads at most: a huge or endless body is a failure, not a crash.</summary>
    public const int MaxBodyBytes = 1024 * 1024;
}
