using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Fukkyu.Server.ActionItems;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.Regulatory;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Metrics;

public sealed class MetricsOptions
{
    public const string Section = "Fukkyu:Metrics";

    /// <summary>Where Prometheus scrapes; it authenticates with an API key as a bearer token.</summary>
    public string Path { get; set; } = "/metrics";
    /// <summary>Database-derived values are reused for this long, so several scrapers cost one set of queries.</summary>
    public int CacheSeconds { get; set; } = 5;
    /// <summary>MTTD/MTTA/MTTR gauges cover incidents detected in this many days.</summary>
    public int ResponseWindowDays { get; set; } = 90;
}

/// <summary>
/// Collects the instruments of every <c>Fukkyu*</c> meter (System.Diagnostics.Metrics) that features
/// publish — e.g. alert ingestion counters — so they appear on <c>/metrics</c> without each feature
/// knowing about Prometheus.
/// </summary>
public sealed class MeterCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), double> _sums = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), long> _counts = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), double> _last = new();

    public MeterCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Fukkyu", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = (instrument, Labels(tags));
        switch (instrument)
        {
            case ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double> or ObservableGauge<float>
                or Gauge<long> or Gauge<int> or Gauge<double> or Gauge<float>:
                _last[key] = value;
                break;
            case ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> or ObservableCounter<float>
                or ObservableUpDownCounter<long> or ObservableUpDownCounter<int> or ObservableUpDownCounter<double> or ObservableUpDownCounter<float>:
                _last[key] = value; // observable counters report their running total
                break;
            default:
                _sums.AddOrUpdate(key, value, (_, s) => s + value);
                _counts.AddOrUpdate(key, 1, (_, c) => c + 1);
                break;
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }
        var parts = new List<string>();
        foreach (var t in tags)
        {
            parts.Add($"{PrometheusText.Name(t.Key)}=\"{PrometheusText.Escape(Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "")}\"");
        }
        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    public void Write(PrometheusText w)
    {
        _listener.RecordObservableInstruments();
        foreach (var group in _sums.Keys.Concat(_last.Keys).GroupBy(k => k.Instrument).OrderBy(g => g.Key.Meter.Name + g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            var baseName = PrometheusText.Name(instrument.Name);
            var help = instrument.Description ?? instrument.Name;
            var isHistogram = instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Histogram<>);
            var isCounter = instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal)
                || instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal);
            if (isHistogram)
            {
                var name = baseName + (instrument.Unit == "s" && !baseName.EndsWith("_seconds", StringComparison.Ordinal) ? "_seconds" : "");
                w.Type(name, "summary", help);
                foreach (var k in group.Distinct())
                {
                    w.Sample(name + "_sum", k.Labels, _sums.GetValueOrDefault(k));
                    w.Sample(name + "_count", k.Labels, _counts.GetValueOrDefault(k));
                }
            }
            else
            {
                var name = isCounter && !baseName.EndsWith("_total", StringComparison.Ordinal) ? baseName + "_total" : baseName;
                w.Type(name, isCounter ? "counter" : "gauge", help);
                foreach (var k in group.Distinct())
                {
                    w.Sample(name, k.Labels, _last.TryGetValue(k, out var last) ? last : _sums.GetValueOrDefault(k));
                }
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>Prometheus text exposition format 0.0.4.</summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _sb = new();

    public void Type(string name, string type, string help)
    {
        _sb.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public void Sample(string name, string labels, double value)
    {
        _sb.Append(name);
        if (labels.Length > 0)
        {
            _sb.Append('{').Append(labels).Append('}');
        }
        _sb.Append(' ').Append(Value(value)).Append('\n');
    }

    public void Gauge(string name, string help, double value)
    {
        Type(name, "gauge", help);
        Sample(name, "", value);
    }

    public static string Label(params (string Name, string Value)[] labels) =>
        string.Join(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\""));

    public static string Escape(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string Name(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }
        if (sb.Length == 0 || char.IsAsciiDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }
        return sb.ToString();
    }

    private static string Value(double v) => double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf"
        : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Already formatted lines (a cached block).</summary>
    public void Raw(string text) => _sb.Append(text);

    public override string ToString() => _sb.ToString();
}

/// <summary>
/// Fukkyu's own health (database reachable, outbox and job backlogs, process) and its incident
/// numbers (open incidents, overdue filings and action items, response times) for Prometheus.
/// </summary>
public sealed class PrometheusExporter(IServiceScopeFactory scopes, MeterCollector meters, TimeProvider time, IOptions<MetricsOptions> options, ILogger<PrometheusExporter> log)
{
    private static readonly string Version = typeof(PrometheusExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTime At, string Text)? _cached;

    public async Task<string> ScrapeAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var w = new PrometheusText();
        w.Gauge("fukkyu_up", "1 when this Fukkyu node answers.", 1);
        w.Type("fukkyu_build_info", "gauge", "Build of this node.");
        w.Sample("fukkyu_build_info", PrometheusText.Label(("version", Version)), 1);
        var process = Process.GetCurrentProcess();
        w.Gauge("process_start_time_seconds", "Start time of the process since the Unix epoch.", new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds());
        w.Type("process_cpu_seconds_total", "counter", "CPU time used by the process.");
        w.Sample("process_cpu_seconds_total", "", process.TotalProcessorTime.TotalSeconds);
        w.Gauge("process_resident_memory_bytes", "Resident memory of the process.", process.WorkingSet64);
        w.Gauge("dotnet_gc_heap_bytes", "Managed heap size.", GC.GetTotalMemory(false));
        w.Raw(await DatabaseAsync(ct));
        meters.Write(w);
        w.Gauge("fukkyu_scrape_duration_seconds", "Time this scrape took.", Stopwatch.GetElapsedTime(started).TotalSeconds);
        return w.ToString();
    }

    private async Task<string> DatabaseAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (_cached is { } c && now - c.At < TimeSpan.FromSeconds(options.Value.CacheSeconds))
        {
            return c.Text;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (_cached is { } again && now - again.At < TimeSpan.FromSeconds(options.Value.CacheSeconds))
            {
                return again.Text;
            }
            var w = new PrometheusText();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await WriteDatabaseAsync(w, scope.ServiceProvider.GetRequiredService<FukkyuDb>(), now, ct);
                w.Gauge("fukkyu_database_up", "1 when the database answered this scrape's queries.", 1);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The scrape itself still answers: a down database is exactly what it must report.
                log.LogWarning(e, "Metrics: the database did not answer.");
                w = new PrometheusText();
                w.Gauge("fukkyu_database_up", "1 when the database answered this scrape's queries.", 0);
            }
            var text = w.ToString();
            _cached = (now, text);
            return text;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WriteDatabaseAsync(PrometheusText w, FukkyuDb db, DateTime now, CancellationToken ct)
    {
        var open = await db.Incidents.AsNoTracking().Where(i => Lifecycle.Open.Contains(i.Status))
            .GroupBy(i => new { i.Level, i.Category, i.Drill }).Select(g => new { g.Key.Level, g.Key.Category, g.Key.Drill, Count = g.Count() }).ToListAsync(ct);
        w.Type("fukkyu_incidents_open", "gauge", "Open incidents (not yet resolved), drills excluded.");
        foreach (var g in open.Where(g => !g.Drill).OrderBy(g => g.Level).ThenBy(g => g.Category))
        {
            w.Sample("fukkyu_incidents_open", PrometheusText.Label(("level", g.Level.ToString(CultureInfo.InvariantCulture)), ("category", WireEnum.Name(g.Category))), g.Count);
        }
        w.Gauge("fukkyu_drills_open", "Drill incidents still open.", open.Where(g => g.Drill).Sum(g => g.Count));

        var all = await db.Incidents.AsNoTracking().Where(i => !i.Drill)
            .GroupBy(i => new { i.Level, i.Category }).Select(g => new { g.Key.Level, g.Key.Category, Count = g.Count() }).ToListAsync(ct);
        w.Type("fukkyu_incidents_total", "counter", "Incidents declared, drills excluded.");
        foreach (var g in all.OrderBy(g => g.Level).ThenBy(g => g.Category))
        {
            w.Sample("fukkyu_incidents_total", PrometheusText.Label(("level", g.Level.ToString(CultureInfo.InvariantCulture)), ("category", WireEnum.Name(g.Category))), g.Count);
        }

        var since = now.AddDays(-Math.Max(1, options.Value.ResponseWindowDays));
        var timings = await db.Incidents.AsNoTracking().Where(i => !i.Drill && i.DetectedAt >= since)
            .Select(i => new IncidentTiming(i.Level, i.Category, i.StartedAt, i.DetectedAt, i.AcknowledgedAt, i.ResolvedAt)).ToListAsync(ct);
        foreach (var (name, help, pick) in new (string, string, Func<IncidentTiming, double?>)[]
        {
            ("fukkyu_incident_mttd_seconds", "Mean time to detect (start to detection) over the response window.", t => t.Ttd),
            ("fukkyu_incident_mtta_seconds", "Mean time to acknowledge (detection to acknowledgement) over the response window.", t => t.Tta),
            ("fukkyu_incident_mttr_seconds", "Mean time to resolve (detection to resolved) over the response window.", t => t.Ttr),
        })
        {
            w.Type(name, "gauge", help);
            for (var level = 1; level <= 3; level++)
            {
                var values = timings.Where(t => t.Level == level).Select(pick).Where(v => v is not null).Select(v => v!.Value).ToList();
                if (values.Count > 0)
                {
                    w.Sample(name, PrometheusText.Label(("level", level.ToString(CultureInfo.InvariantCulture))), Math.Round(values.Average(), 3));
                }
            }
        }

        var today = DateOnly.FromDateTime(Tokyo.FromUtc(now));
        w.Gauge("fukkyu_action_items_open", "Prevention measures not yet done.",
            await db.ActionItems.CountAsync(a => a.Status == ActionItemStatus.Open || a.Status == ActionItemStatus.InProgress, ct));
        w.Gauge("fukkyu_action_items_overdue", "Prevention measures past their due date.",
            await db.ActionItems.CountAsync(a => (a.Status == ActionItemStatus.Open || a.Status == ActionItemStatus.InProgress) && a.DueOn < today, ct));
        w.Gauge("fukkyu_filings_pending", "Regulator filings still to submit.",
            await db.RegulatoryFilings.CountAsync(f => f.Status == FilingStatus.Pending, ct));
        w.Gauge("fukkyu_filings_overdue", "Regulator filings past their deadline.",
            await db.RegulatoryFilings.CountAsync(f => f.Status == FilingStatus.Pending && f.DueAt != null && f.DueAt < now, ct));

        var outbox = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.State != OutboxState.Delivered && m.State != OutboxState.Cancelled)
            .GroupBy(m => m.State).Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(ct);
        w.Type("fukkyu_outbox_messages", "gauge", "Outgoing messages not yet delivered, by state.");
        foreach (var state in new[] { OutboxState.Pending, OutboxState.Claimed, OutboxState.Failed })
        {
            w.Sample("fukkyu_outbox_messages", PrometheusText.Label(("state", WireEnum.Name(state))), outbox.FirstOrDefault(o => o.State == state)?.Count ?? 0);
        }
        var oldestDue = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.State == OutboxState.Pending && m.DueAt <= now)
            .OrderBy(m => m.DueAt).Select(m => (DateTime?)m.DueAt).FirstOrDefaultAsync(ct);
        w.Gauge("fukkyu_outbox_delay_seconds", "How long the oldest due message has waited (0 when none): delivery is stuck when this grows.",
            oldestDue is { } o ? Math.Max(0, (now - o).TotalSeconds) : 0);

        var jobs = await db.Set<Job>().AsNoTracking().Where(j => j.State == JobState.Pending || j.State == JobState.Claimed || j.State == JobState.Failed)
            .GroupBy(j => j.State).Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(ct);
        w.Type("fukkyu_jobs", "gauge", "Durable jobs (timers), by state.");
        foreach (var state in new[] { JobState.Pending, JobState.Claimed, JobState.Failed })
        {
            w.Sample("fukkyu_jobs", PrometheusText.Label(("state", WireEnum.Name(state))), jobs.FirstOrDefault(j => j.State == state)?.Count ?? 0);
        }
        var oldestJob = await db.Set<Job>().AsNoTracking().Where(j => j.State == JobState.Pending && j.DueAt <= now)
            .OrderBy(j => j.DueAt).Select(j => (DateTime?)j.DueAt).FirstOrDefaultAsync(ct);
        w.Gauge("fukkyu_jobs_delay_seconds", "How long the oldest due job has waited (0 when none): timers are stuck when this grows.",
            oldestJob is { } oj ? Math.Max(0, (now - oj).TotalSeconds) : 0);
    }
}
