using System.Diagnostics.Metrics;

namespace Fukkyu.Server.Alerts;

/// <summary>Ingestion counters for dashboards and the benchmark (meter <c>Fukkyu.Alerts</c>).</summary>
public static class AlertMetrics
{
    private static readonly Meter Meter = new("Fukkyu.Alerts");
    private static readonly Counter<long> Events = Meter.CreateCounter<long>("fukkyu.alerts.events_committed");
    private static readonly Counter<long> Batches = Meter.CreateCounter<long>("fukkyu.alerts.batches_committed");
    private static readonly Histogram<double> CommitSeconds = Meter.CreateHistogram<double>("fukkyu.alerts.commit_duration", "s");
    private static readonly Counter<long> FoldedEvents = Meter.CreateCounter<long>("fukkyu.alerts.events_folded");
    private static readonly Histogram<double> FoldSeconds = Meter.CreateHistogram<double>("fukkyu.alerts.fold_duration", "s");
    private static readonly Histogram<long> FoldSize = Meter.CreateHistogram<long>("fukkyu.alerts.fold_events", "{event}");
    private static long _events;
    private static long _batches;

    public static long EventsCommitted => Interlocked.Read(ref _events);

    public static long BatchesCommitted => Interlocked.Read(ref _batches);

    public static void Committed(int events, TimeSpan elapsed)
    {
        Interlocked.Add(ref _events, events);
        Interlocked.Increment(ref _batches);
        Events.Add(events);
        Batches.Add(1);
        CommitSeconds.Record(elapsed.TotalSeconds);
    }

    public static void Folded(int events, TimeSpan elapsed)
    {
        FoldedEvents.Add(events);
        FoldSeconds.Record(elapsed.TotalSeconds);
        FoldSize.Record(events);
    }
}
