using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExchangeSimulator;
using Microsoft.Data.Sqlite;

namespace DetectionBench;

/// <summary>
/// Detection benchmarks (not tests): ingestion rate against a no-store baseline, 10,000 http
/// monitors, fault-to-incident latency, and kill -9 durability. See ../README.md.
/// </summary>
public static class BenchMain
{
    private const int HostPort = 18110;
    private const int SimulatorPort = 18111;

    public static async Task<int> Main(string[] argv)
    {
        var command = argv.FirstOrDefault() ?? "help";
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < argv.Length; i += 2)
        {
            args[argv[i].TrimStart('-')] = argv[i + 1];
        }
        int Arg(string name, int fallback) => args.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return command switch
        {
            "host" => await BenchFactory.RunAsync(args),
            "ingest" => await IngestAsync(Arg("seconds", 20), Arg("connections", 256), Arg("threads", 1), Arg("warmup", 5)),
            "probes" => await ProbesAsync(Arg("monitors", 10_000), Arg("interval", 5), Arg("seconds", 180)),
            "latency" => await LatencyAsync(Arg("runs", 5), Arg("interval", 1), Arg("threshold", 2)),
            "durability" => await DurabilityAsync(Arg("seconds", 6), Arg("senders", 64)),
            _ => Help(),
        };
    }

    private static int Help()
    {
        Console.WriteLine("DetectionBench ingest [--seconds 20 --connections 256 --threads 1] | probes [--monitors 10000 --interval 5 --seconds 180]");
        Console.WriteLine("               latency [--runs 5 --interval 1 --threshold 2] | durability [--seconds 6 --senders 64]");
        return 2;
    }

    private static string TempDb(string name)
    {
        var dir = Directory.CreateTempSubdirectory("fukkyu-bench-").FullName;
        return Path.Combine(dir, name + ".db");
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
    {
        var r = await http.PostAsJsonAsync(path, body);
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)r.StatusCode} {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string path) =>
        JsonDocument.Parse(await http.GetStringAsync(path)).RootElement.Clone();

    // ---------------------------------------------------------------- ingestion

    private sealed record WrkResult(long Requests, double Seconds, long Non2xx, long ConnectErrors, long ReadErrors, long Timeouts, double P50Ms, double P99Ms, double MaxMs)
    {
        public double Rate => (Requests - Non2xx - ReadErrors) / Seconds;
    }

    private static int _wrkRuns;

    private static async Task<WrkResult> WrkAsync(string url, string key, int seconds, int connections, int threads)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "enqueue.lua");
        var info = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-t", threads.ToString(), "-c", connections.ToString(), "-d", $"{seconds}s", "--timeout", "10s", "-s", script, url })
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["ROUTING_KEY"] = key;
        // Each wrk run numbers its new keys afresh; the run id keeps them new across runs.
        info.Environment["RUN"] = Interlocked.Increment(ref _wrkRuns).ToString(CultureInfo.InvariantCulture);
        using var p = Process.Start(info) ?? throw new InvalidOperationException("wrk is not installed (apt-get install wrk).");
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("wrk printed no result:\n" + output + await p.StandardError.ReadToEndAsync());
        return JsonSerializer.Deserialize<WrkResult>(line[7..], new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private static async Task<int> IngestAsync(int seconds, int connections, int threads, int warmup)
    {
        var db = TempDb("ingest");
        Console.WriteLine($"Ingestion: PagerDuty Events v2 triggers, 90% duplicates, SQLite ({db}); wrk -t{threads} -c{connections}, {seconds} s per run. Load: {Load()}");
        await using var server = await ServerProcess.StartAsync(HostPort, db);
        var integration = await PostAsync(server.Api, "/api/v1/integrations", new { name = "bench", type = "events-v2" });
        var key = integration.GetProperty("key").GetString()!;
        // Recorded only: the router's work per new alert is the cheap path; no incidents.
        await PostAsync(server.Api, "/api/v1/routing-rules", new { name = "bench: record", sourceId = integration.GetProperty("id").GetString(), action = "record" });

        var enqueue = $"{server.Url}/v2/enqueue";
        var noop = $"{server.Url}/bench/noop";
        long acknowledged = 0;
        Console.WriteLine($"Warming up ({warmup} s each)…");
        await WrkAsync(noop, key, warmup, connections, threads);
        acknowledged += Successful(await WrkAsync(enqueue, key, warmup, connections, threads));

        var cpu0 = server.Usage().CpuSeconds;
        var baseline = await WrkAsync(noop, key, seconds, connections, threads);
        var cpu1 = server.Usage().CpuSeconds;
        var stored = await WrkAsync(enqueue, key, seconds, connections, threads);
        var cpu2 = server.Usage().CpuSeconds;
        acknowledged += Successful(stored);
        var rss = server.Usage().RssMb;

        Console.WriteLine();
        Print("no-store baseline (/bench/noop)", baseline, cpu1 - cpu0);
        Print("stored (/v2/enqueue)", stored, cpu2 - cpu1);
        Console.WriteLine($"  ratio stored/baseline: {stored.Rate / baseline.Rate:P1}   server RSS {rss:0} MB   load {Load()}");

        // Every 202 must be in the database: the sum of the alerts' counts is at least the number of 202s.
        // Reading the alerts API first waits until every acknowledged event is folded into alerts.
        await GetAsync(server.Api, "/api/v1/alerts?limit=1");
        await using var conn = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*), COALESCE(SUM(count), 0) FROM alerts";
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (alerts, events) = (reader.GetInt64(0), reader.GetInt64(1));
        Console.WriteLine($"  stored: {alerts} alerts holding {events} events; answered 202: {acknowledged} → {(events >= acknowledged ? "every acknowledged event is stored" : "MISSING EVENTS")}");
        return events >= acknowledged ? 0 : 1;
    }

    private static long Successful(WrkResult r) => r.Requests - r.Non2xx - r.ReadErrors;

    private static void Print(string what, WrkResult r, double cpuSeconds) =>
        Console.WriteLine($"  {what,-34} {r.Rate,10:N0} req/s   p50 {r.P50Ms,6:0.0} ms   p99 {r.P99Ms,7:0.0} ms   non-2xx {r.Non2xx}   server CPU {cpuSeconds / r.Seconds:P0} of a core");

    // ---------------------------------------------------------------- probes

    private static async Task<int> ProbesAsync(int count, int interval, int seconds)
    {
        var db = TempDb("probes");
        Console.WriteLine($"Probes: {count:N0} http monitors every {interval} s against the simulator (loopback), {seconds} s measured. Load: {Load()}");
        await using var sim = await SimulatorHost.StartAsync(SimulatorPort);
        await using var server = await ServerProcess.StartAsync(HostPort, db);
        var monitors = Enumerable.Range(0, count).Select(i => new
        {
            key = $"bench-{i:D5}",
            name = $"Bench {i:D5}",
            kind = "http",
            intervalSeconds = interval,
            timeoutMs = Math.Min(4000, interval * 1000),
            failureThreshold = 3,
            settings = new { url = $"http://127.0.0.1:{SimulatorPort}/app/health", jsonPath = "$.status", expect = new[] { "ok" } },
        }).ToArray();
        var sw = Stopwatch.StartNew();
        var imported = await PostAsync(server.Api, "/api/v1/monitors/import", new { monitors });
        Console.WriteLine($"Imported {imported.GetProperty("created").GetInt32():N0} monitors in {sw.Elapsed.TotalSeconds:0.0} s; ramping up for {interval * 3} s…");
        await Task.Delay(TimeSpan.FromSeconds(interval * 3));

        var (cpu0, _) = server.Usage();
        var start = Stopwatch.StartNew();
        var rssMax = 0.0;
        while (start.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            var w = (await GetAsync(server.Api, "/api/v1/monitors/stats?window=10")).GetProperty("window");
            var (_, rss) = server.Usage();
            rssMax = Math.Max(rssMax, rss);
            Console.WriteLine($"  {start.Elapsed.TotalSeconds,4:0} s: {w.GetProperty("probesPerSecond").GetDouble(),7:N0} probes/s   delay p50 {w.GetProperty("delayP50Ms").GetDouble(),6:0.0} ms   p99 {w.GetProperty("delayP99Ms").GetDouble(),7:0.0} ms   RSS {rss:0} MB");
        }
        var (cpu1, _) = server.Usage();
        var stats = await GetAsync(server.Api, $"/api/v1/monitors/stats?window={Math.Min(600, seconds)}");
        var window = stats.GetProperty("window");
        var down = (await GetAsync(server.Api, "/api/v1/monitors?state=down&limit=20000")).GetArrayLength();
        var unknown = (await GetAsync(server.Api, "/api/v1/monitors?state=unknown&limit=20000")).GetArrayLength();
        Console.WriteLine();
        Console.WriteLine($"  over {window.GetProperty("seconds").GetDouble():0} s: {window.GetProperty("probesPerSecond").GetDouble():N0} probes/s (target {count / (double)interval:N0})");
        Console.WriteLine($"  scheduling delay p50 {window.GetProperty("delayP50Ms").GetDouble():0.0} ms, p99 {window.GetProperty("delayP99Ms").GetDouble():0.0} ms, max {window.GetProperty("delayMaxMs").GetDouble():0.0} ms");
        Console.WriteLine($"  overruns {stats.GetProperty("overruns").GetInt64()}, failed checks {stats.GetProperty("down").GetInt64()}, monitors down {down} (false DOWN), unknown {unknown}");
        Console.WriteLine($"  server CPU {(cpu1 - cpu0) / start.Elapsed.TotalSeconds:P0} of a core (2 cores), RSS max {rssMax:0} MB, GC heap {stats.GetProperty("process").GetProperty("gcHeapMb").GetDouble():0} MB; load {Load()}");
        await using var conn = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM monitor_minutes), (SELECT COALESCE(SUM(checks),0) FROM monitor_minutes), (SELECT COUNT(*) FROM monitor_hours)";
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Console.WriteLine($"  stored: {reader.GetInt64(0):N0} minute rows holding {reader.GetInt64(1):N0} checks, {reader.GetInt64(2):N0} hour rows; database {new FileInfo(db).Length / 1048576.0 + (File.Exists(db + "-wal") ? new FileInfo(db + "-wal").Length / 1048576.0 : 0):0.0} MB");
        return down == 0 ? 0 : 1;
    }

    // ---------------------------------------------------------------- detection latency

    private static async Task<int> LatencyAsync(int runs, int interval, int threshold)
    {
        var db = TempDb("latency");
        var bound = TimeSpan.FromSeconds((interval * threshold) + 1);
        Console.WriteLine($"Detection latency: http monitors every {interval} s, down after {threshold} failures; bound {bound.TotalSeconds:0.0} s. Load: {Load()}");
        await using var sim = await SimulatorHost.StartAsync(SimulatorPort);
        using var simHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{SimulatorPort}") };
        await using var server = await ServerProcess.StartAsync(HostPort, db);
        var pairs = Exchange.Pairs.Take(Math.Min(runs, Exchange.Pairs.Length)).Select(p => p.Name).ToList();
        foreach (var pair in pairs)
        {
            await PostAsync(server.Api, "/api/v1/monitors", new
            {
                name = $"{pair} status",
                kind = "http",
                componentId = $"trading.{pair}",
                intervalSeconds = interval,
                timeoutMs = interval * 1000,
                failureThreshold = threshold,
                settings = new { url = $"http://127.0.0.1:{SimulatorPort}/v1/spot/status", jsonPath = $"$.data.statuses[?(@.pair=='{pair}')].status", expect = new[] { "NORMAL" } },
            });
        }
        while ((await GetAsync(server.Api, "/api/v1/monitors?state=up")).GetArrayLength() < pairs.Count)
        {
            await Task.Delay(200);
        }
        var results = new List<TimeSpan>();
        foreach (var pair in pairs)
        {
            // Inject at a random point of the check cycle, as a real fault would happen.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(interval * 1000)));
            var injected = DateTime.UtcNow;
            (await simHttp.PostAsJsonAsync("/faults", new { type = "halt", pair })).EnsureSuccessStatusCode();
            DateTime? created = null;
            while (created is null && DateTime.UtcNow - injected < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50);
                var incidents = await GetAsync(server.Api, "/api/v1/incidents?open=true");
                foreach (var i in incidents.EnumerateArray())
                {
                    if (i.GetProperty("components").EnumerateArray().Any(c => c.GetProperty("key").GetString() == $"trading.{pair}"))
                    {
                        created = i.GetProperty("createdAt").GetDateTime().ToUniversalTime();
                    }
                }
            }
            var latency = created is { } c ? c - injected : TimeSpan.FromSeconds(60);
            results.Add(latency);
            Console.WriteLine($"  {pair,-9} fault → incident {latency.TotalSeconds,5:0.00} s {(latency <= bound ? "within" : "OVER")} the {bound.TotalSeconds:0.0} s bound");
        }
        Console.WriteLine($"  max {results.Max().TotalSeconds:0.00} s, mean {results.Average(r => r.TotalSeconds):0.00} s; load {Load()}");
        return results.All(r => r <= bound) ? 0 : 1;
    }

    // ---------------------------------------------------------------- kill -9

    private static async Task<int> DurabilityAsync(int seconds, int senders)
    {
        var db = TempDb("durability");
        Console.WriteLine($"Durability: {senders} senders of unique events, kill -9 after {seconds} s, restart, check every 202. SQLite {db}");
        string key;
        var acknowledged = new ConcurrentDictionary<string, bool>();
        var failed = 0;
        await using (var server = await ServerProcess.StartAsync(HostPort, db))
        {
            var integration = await PostAsync(server.Api, "/api/v1/integrations", new { name = "durability", type = "events-v2" });
            key = integration.GetProperty("key").GetString()!;
            await PostAsync(server.Api, "/api/v1/routing-rules", new { name = "durability: record", sourceId = integration.GetProperty("id").GetString(), action = "record" });
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = senders }) { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(30) };
            using var stop = new CancellationTokenSource();
            var tasks = Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var dedup = $"d-{s}-{n}";
                    try
                    {
                        var r = await http.PostAsJsonAsync("/v2/enqueue", new
                        {
                            routing_key = key,
                            event_action = "trigger",
                            dedup_key = dedup,
                            payload = new { summary = "durability " + dedup, source = "bench", severity = "info" },
                        });
                        if (r.StatusCode == HttpStatusCode.Accepted)
                        {
                            acknowledged[dedup] = true;
                        }
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref failed);
                        return; // the server is gone
                    }
                }
            })).ToList();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            Console.WriteLine($"  kill -9 {server.Process.Id} with {acknowledged.Count:N0} events acknowledged so far");
            server.KillHard();
            await Task.WhenAll(tasks);
            await stop.CancelAsync();
        }
        Console.WriteLine($"  acknowledged (202) before the kill: {acknowledged.Count:N0}; requests cut off by the kill: {failed}");
        // Restart on the same file: the server must come up cleanly and hold every acknowledged event.
        await using (var restarted = await ServerProcess.StartAsync(HostPort, db))
        {
            var alerts = await GetAsync(restarted.Api, "/api/v1/alerts?limit=1");
            Console.WriteLine($"  restarted cleanly; API answers ({alerts.GetArrayLength()} alert listed)");
        }
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await using (var conn = new SqliteConnection($"Data Source={db};Mode=ReadOnly"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT dedup_key FROM alerts";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0));
            }
        }
        var missing = acknowledged.Keys.Where(k => !stored.Contains(k)).ToList();
        Console.WriteLine($"  stored: {stored.Count:N0} events; acknowledged but missing: {missing.Count}; stored but never acknowledged (in flight at the kill): {stored.Count - acknowledged.Count(k => stored.Contains(k.Key))}");
        Console.WriteLine(missing.Count == 0 ? "  PASS: no acknowledged event was lost" : $"  FAIL: lost {string.Join(", ", missing.Take(10))}");
        return missing.Count == 0 ? 0 : 1;
    }
}
