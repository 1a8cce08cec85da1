namespace Fukkyu.Server.Catalog;

/// <summary>The state of one monitor as other features need it (recovery gate, status page).</summary>
/// <param name="Up">Whether the monitor currently reports its target healthy.</param>
/// <param name="StateSince">When the monitor entered its current state (UTC).</param>
/// <param name="Reconciliation">The monitor is a reconciliation check (book vs on-chain balances).</param>
public sealed record MonitorHealth(Guid MonitorId, string Name, Guid? ComponentId, bool Up, DateTime StateSince, bool Reconciliation);

/// <summary>
/// Read side of monitoring, implemented by the Monitoring feature. The recovery gate asks
/// whether an incident's components have been green long enough.
/// </summary>
public interface IMonitorHealthSource
{
    /// <summary>Monitors attached to any of these components, plus every reconciliation monitor.</summary>
    Task<IReadOnlyList<MonitorHealth>> ForComponentsAsync(IReadOnlyCollection<Guid> componentIds, CancellationToken ct);
}

/// <summary>One component's availability over one Japan-time day: 0..1, or null when nothing was measured.</summary>
public sealed record DailyAvailability(Guid ComponentId, DateOnly Day, double? Availability);

/// <summary>
/// Availability history from monitor rollups, implemented by the Monitoring feature; the status
/// page's 90-day bars and the metrics read it.
/// </summary>
public interface IAvailabilitySource
{
    Task<IReadOnlyList<DailyAvailability>> DailyAsync(IReadOnlyCollection<Guid> componentIds, DateOnly from, DateOnly to, CancellationToken ct);
}
