using System.Text.Json;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Monitoring;

/// <summary>
/// The monitors file (<c>Fukkyu:Monitoring:File</c>): monitors as code, upserted by key at start
/// and through <c>POST /api/v1/monitors/import</c>. Monitors it creates are marked as the file's;
/// with prune, the file's monitors missing from it are removed. People may still pause them.
/// </summary>
public static class MonitorsFile
{
    public const int MaxMonitors = 20_000;

    private static readonly HealthMonitor Defaults = new() { Name = "" };

    public static async Task<(MonitorImportResult? Result, Dictionary<string, string[]>? Errors)> ApplyAsync(
        FukkyuDb db, MonitorsDocument doc, bool prune, MonitoringOptions options, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        var entries = doc.Monitors ?? [];
        v.RequiredObject("monitors", doc.Monitors).Count("monitors", entries, MaxMonitors);
        for (var i = 0; i < entries.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(entries[i].Key))
            {
                v.Add($"monitors[{i}].key", Validation.Text("Required"));
            }
        }
        foreach (var dup in entries.GroupBy(e => e.Key).Where(g => g.Key is not null && g.Count() > 1))
        {
            v.Add("monitors", Validation.Text("DuplicateKey", dup.Key));
        }
        if (doc.Monitors is null || entries.Length > MaxMonitors)
        {
            return (null, v.Errors);
        }
        var existing = await db.Monitors.Where(m => m.Key != null).ToDictionaryAsync(m => m.Key!, ct);
        var now = time.GetUtcNow().UtcDateTime;
        int created = 0, updated = 0;
        var added = new List<HealthMonitor>();
        for (var i = 0; i < entries.Length; i++)
        {
            var req = entries[i];
            if (string.IsNullOrWhiteSpace(req.Key))
            {
                continue; // reported above; the others are still checked
            }
            var creating = !existing.TryGetValue(req.Key!, out var m);
            m ??= new HealthMonitor { Name = "", CreatedAt = now, StateSince = now, ManagedBy = MonitorManagedBy.File };
            // The file describes the monitor in full: what it leaves out takes the defaults.
            var d = Defaults;
            var full = creating ? req : req with
            {
                Kind = req.Kind ?? m.Kind,
                ComponentId = req.ComponentId ?? "",
                IntervalSeconds = req.IntervalSeconds ?? d.IntervalSeconds,
                FailureThreshold = req.FailureThreshold ?? d.FailureThreshold,
                RecoveryThreshold = req.RecoveryThreshold ?? d.RecoveryThreshold,
                Severity = req.Severity ?? d.Severity,
                DownStatus = req.DownStatus ?? d.DownStatus,
                Reconciliation = req.Reconciliation ?? d.Reconciliation,
                Paused = null,
            };
            var result = await MonitorsApi.ApplyAsync(db, m, full, creating: true, options, ct);
            if (!creating && req.Kind is { } kind && kind != m.Kind)
            {
                result.Add("kind", MonitoringStrings.T("KindImmutable"));
            }
            foreach (var (field, messages) in result.Errors)
            {
                foreach (var message in messages)
                {
                    v.Add($"monitors[{i}].{field}", message);
                }
            }
            if (!result.IsValid)
            {
                continue;
            }
            m.UpdatedAt = now;
            m.ManagedBy = MonitorManagedBy.File;
            if (creating)
            {
                if (m.Kind == MonitorKind.Heartbeat)
                {
                    // Push tokens of file monitors are set with POST /monitors/{id}/heartbeat-token.
                    m.HeartbeatTokenHash = null;
                }
                added.Add(m);
                created++;
            }
            else
            {
                updated++;
            }
        }
        if (!v.IsValid)
        {
            return (null, v.Errors);
        }
        db.Monitors.AddRange(added);
        var removed = 0;
        if (prune)
        {
            var keep = entries.Select(e => e.Key!).ToHashSet(StringComparer.Ordinal);
            var gone = existing.Values.Where(m => m.ManagedBy == MonitorManagedBy.File && !keep.Contains(m.Key!)).ToList();
            db.Monitors.RemoveRange(gone);
            removed = gone.Count;
        }
        await db.SaveChangesAsync(ct);
        return (new MonitorImportResult(created, updated, removed), null);
    }

    /// <summary>Applies the configured monitors file at start; an invalid file stops the start with its errors.</summary>
    public static async Task LoadMonitorsFileAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var options = sp.GetRequiredService<IOptions<MonitoringOptions>>().Value;
        if (string.IsNullOrWhiteSpace(options.File))
        {
            return;
        }
        var env = sp.GetRequiredService<IHostEnvironment>();
        var path = Path.IsPathRooted(options.File) ? options.File : Path.Combine(env.ContentRootPath, options.File);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Monitors file {path} (Fukkyu:Monitoring:File) not found.");
        }
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpDefaults.ConfigureJson(json);
        MonitorsDocument doc;
        await using (var stream = File.OpenRead(path))
        {
            doc = await JsonSerializer.DeserializeAsync<MonitorsDocument>(stream, json, ct) ?? new MonitorsDocument([]);
        }
        var (result, errors) = await ApplyAsync(sp.GetRequiredService<FukkyuDb>(), doc, prune: true, options, sp.GetRequiredService<TimeProvider>(), ct);
        if (errors is not null)
        {
            throw new InvalidOperationException($"Monitors file {path} is invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        }
        sp.GetRequiredService<ILoggerFactory>().CreateLogger("Fukkyu.Monitoring")
            .LogInformation("Monitors file {File}: {Created} created, {Updated} updated, {Removed} removed.", path, result!.Created, result.Updated, result.Removed);
    }
}
