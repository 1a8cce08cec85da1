using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fukkyu.Bench.Comms;
using Fukkyu.Server.Data;
using Fukkyu.Server.Subscribers;
using Fukkyu.Tools.SmtpSink;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

// Benchmarks for issue 5. Everything listens on loopback ports 18301–18305 and stops by itself.
//   CommsBench http|email|webhooks|latency|crash|all [--store sqlite|postgres] [--subscribers N] [--webhooks N] [--duration S]
var command = args.FirstOrDefault() ?? "all";
string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var store = Arg("--store", "sqlite");
var subscribers = int.Parse(Arg("--subscribers", "100000"), CultureInfo.InvariantCulture);
var webhooks = int.Parse(Arg("--webhooks", "10000"), CultureInfo.InvariantCulture);
var duration = int.Parse(Arg("--duration", "15"), CultureInfo.InvariantCulture);
// --env Key=Value (repeatable): extra server configuration, e.g. --env Fukkyu__Email__MaxConnections=16
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--env" && args[i + 1].Split('=', 2) is [var key, var value])
    {
        FukkyuServer.Extra[key] = value;
    }
}

var results = new List<string>();
if (command is "http" or "all")
{
    results.AddRange(await Benchmarks.HttpAsync(store, duration));
}
if (command is "latency" or "all")
{
    results.AddRange(await Benchmarks.LatencyAsync(store));
}
if (command is "email" or "all")
{
    results.AddRange(await Benchmarks.EmailAsync(store, subscribers));
}
if (command is "fanout")
{
    results.AddRange(await Benchmarks.FanoutOnlyAsync(store, subscribers));
}
if (command is "webhooks" or "all")
{
    results.AddRange(await Benchmarks.WebhooksAsync(store, webhooks));
}
if (command is "crash" or "all")
{
    results.AddRange(await Benchmarks.CrashAsync(store, Math.Min(subscribers, 30_000)));
}
Console.WriteLine();
Console.WriteLine($"== results ({store}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
foreach (var line in results)
{
    Console.WriteLine(line);
}

namespace Fukkyu.Bench.Comms
{
    internal static class Ports
    {
        public const int Server = 18301;
        public const int Nginx = 18302;
        public const int Smtp = 18303;
        public const int Receiver = 18304;
        public const int Edge = 18305;
    }

    internal static class Benchmarks
    {
        private static readonly string[] Targets = ["/", "/api/v2/summary.json"];

        public static async Task<List<string>> HttpAsync(string store, int seconds)
        {
            var lines = new List<string>();
            await using var server = await FukkyuServer.StartAsync(store, FukkyuServer.SavesSnapshot());
            await Seed.PublicPageAsync(server);
            var root = Path.Combine(server.DataDir, "static");
            await server.ExportAsync(root);
            await using var nginx = await Nginx.StartAsync(root, Ports.Nginx, server.DataDir);
            await using var edge = await FukkyuEdge.StartAsync(server);
            using var http = new HttpClient();
            foreach (var path in Targets)
            {
                var a = await http.GetByteArrayAsync($"http://127.0.0.1:{Ports.Server}{path}");
                var b = await http.GetByteArrayAsync($"http://127.0.0.1:{Ports.Nginx}{path}");
                var c = await edge.WaitForAsync(path, a);
                if (!a.AsSpan().SequenceEqual(b) || !a.AsSpan().SequenceEqual(c))
                {
                    throw new InvalidOperationException($"{path}: nginx, Fukkyu and its edge serve different bytes ({b.Length}, {a.Length}, {c.Length}).");
                }
                Console.WriteLine($"{path}: {a.Length} bytes, identical on all three");
                // nginx first, then Fukkyu and its edge, then all again: the better run of each counts, same settings.
                var runs = new List<(string Who, Wrk.Result R)>();
                foreach (var (who, port) in new[] { ("nginx", Ports.Nginx), ("fukkyu", Ports.Server), ("edge", Ports.Edge), ("nginx", Ports.Nginx), ("fukkyu", Ports.Server), ("edge", Ports.Edge) })
                {
                    var r = await Wrk.RunAsync($"http://127.0.0.1:{port}{path}", seconds);
                    Console.WriteLine($"  {who,-6} {r.RequestsPerSecond,10:N0} req/s  p50 {r.P50Ms,7:N2} ms  p99 {r.P99Ms,7:N2} ms  errors {r.Errors}");
                    runs.Add((who, r));
                }
                var n = runs.Where(x => x.Who == "nginx").MaxBy(x => x.R.RequestsPerSecond).R;
                foreach (var who in new[] { "fukkyu", "edge" })
                {
                    var f = runs.Where(x => x.Who == who).MaxBy(x => x.R.RequestsPerSecond).R;
                    lines.Add($"GET {path} ({a.Length} B): nginx {n.RequestsPerSecond:N0} req/s p99 {n.P99Ms:N2} ms; {(who == "edge" ? "Fukkyu edge" : "Fukkyu server")} {f.RequestsPerSecond:N0} req/s p99 {f.P99Ms:N2} ms "
                        + $"=> {f.RequestsPerSecond / n.RequestsPerSecond:0.00}x throughput (target >= 0.9), {f.P99Ms / n.P99Ms:0.00}x p99 (target <= 2)");
                }
            }
            return lines;
        }

        public static async Task<List<string>> LatencyAsync(string store)
        {
            await using var server = await FukkyuServer.StartAsync(store, FukkyuServer.SavesSnapshot());
            await Seed.PublicPageAsync(server);
            await using var edge = await FukkyuEdge.StartAsync(server);
            var (_, number) = await server.DeclareAsync("web", "some", 10);
            using var poll = new HttpClient();
            var sinceRequest = new List<double>();
            var sinceCommit = new List<double>();
            var onEdge = new List<double>();
            for (var i = 0; i < 30; i++)
            {
                var title = $"Latency probe {i} {Guid.NewGuid():N}";
                var started = Stopwatch.GetTimestamp();
                await server.PostNoticeAsync(number, title, deliver: false);
                var committed = Stopwatch.GetTimestamp();
                var shown = new[] { Ports.Server, Ports.Edge }.Select(async port =>
                {
                    while (!(await poll.GetStringAsync($"http://127.0.0.1:{port}/en/api/v2/summary.json")).Contains(title, StringComparison.Ordinal))
                    {
                        if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
                        {
                            throw new TimeoutException($"The update did not show on port {port} within 10 s.");
                        }
                        await Task.Delay(2);
                    }
                    return Stopwatch.GetTimestamp();
                }).ToArray();
                var at = await Task.WhenAll(shown);
                sinceRequest.Add(Stopwatch.GetElapsedTime(started, at[0]).TotalMilliseconds);
                sinceCommit.Add(Stopwatch.GetElapsedTime(committed, at[0]).TotalMilliseconds);
                onEdge.Add(Stopwatch.GetElapsedTime(started, at[1]).TotalMilliseconds);
            }
            sinceRequest.Sort();
            sinceCommit.Sort();
            onEdge.Sort();
            return [$"Published update visible in /api/v2/summary.json (30 runs): from the POST p50 {sinceRequest[15]:N0} ms, max {sinceRequest[^1]:N0} ms; "
                + $"from the committed answer p50 {sinceCommit[15]:N0} ms, max {sinceCommit[^1]:N0} ms (target <= 1000 ms)",
                $"On the edge (polling the saved snapshot every 100 ms): from the POST p50 {onEdge[15]:N0} ms, max {onEdge[^1]:N0} ms (target <= 1000 ms)"];
        }

        public static async Task<List<string>> EmailAsync(string store, int count)
        {
            await using var sink = new SmtpSinkServer(Ports.Smtp);
            await using var server = await FukkyuServer.StartAsync(store, FukkyuServer.Smtp());
            Console.WriteLine($"seeding {count:N0} email subscribers…");
            await Seed.SubscribersAsync(server, SubscriberKind.Email, count, i => $"subscriber{i:D7}@example.jp");
            var (_, number) = await server.DeclareAsync("trading", "some", 20);
            var cpuBefore = server.CpuSeconds;
            var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var started = Stopwatch.GetTimestamp();
            var noticeId = await server.PostNoticeAsync(number, "Email fan-out benchmark", deliver: true);
            var done = await WaitAsync(() => sink.Count >= count, TimeSpan.FromMinutes(10), () => $"{sink.Count:N0} delivered");
            var elapsed = Stopwatch.GetElapsedTime(started);
            var serverCpu = server.CpuSeconds - cpuBefore;
            var sinkCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - benchCpuBefore;
            var fanout = await server.FanoutSecondsAsync(noticeId, "subscriber-email", started);
            var distinct = sink.Messages.Select(m => m.To[0]).Distinct().Count();
            return [$"{count:N0} email subscribers notified through the SMTP sink in {elapsed.TotalSeconds:N1} s (target <= 60 s); "
                + $"fan-out queued all in {fanout:N1} s; {sink.Count:N0} messages, {distinct:N0} distinct recipients; "
                + $"CPU: server {serverCpu:N1} s ({serverCpu * 1000 / count:N2} ms/message), sink {sinkCpu:N1} s; load average {Load()}{(done ? "" : " — TIMED OUT")}"];
        }

        /// <summary>Only the fan-out (outbox delivery off): how fast subscribers become outbox rows, and at what CPU cost.</summary>
        public static async Task<List<string>> FanoutOnlyAsync(string store, int count)
        {
            var env = FukkyuServer.Smtp();
            env["Fukkyu__Outbox__Enabled"] = "false";
            await using var server = await FukkyuServer.StartAsync(store, env);
            await Seed.SubscribersAsync(server, SubscriberKind.Email, count, i => $"subscriber{i:D7}@example.jp");
            var (_, number) = await server.DeclareAsync("trading", "some", 20);
            var cpuBefore = server.CpuSeconds;
            var started = Stopwatch.GetTimestamp();
            var noticeId = await server.PostNoticeAsync(number, "Fan-out benchmark", deliver: true);
            double fanout = double.NaN;
            for (var i = 0; i < 6000 && double.IsNaN(fanout); i++)
            {
                await Task.Delay(100);
                fanout = await server.FanoutSecondsAsync(noticeId, "subscriber-email", started);
            }
            var cpu = server.CpuSeconds - cpuBefore;
            return [$"Fan-out of one notice to {count:N0} email subscribers (delivery off): {fanout:N1} s, server CPU {cpu:N1} s ({cpu * 1000 / count:N3} ms/subscriber); load average {Load()}"];
        }

        public static async Task<List<string>> WebhooksAsync(string store, int count)
        {
            await using var receiver = await Receiver.StartAsync(Ports.Receiver);
            await using var server = await FukkyuServer.StartAsync(store, []);
            Console.WriteLine($"registering {count:N0} webhook subscribers through the API…");
            var secrets = await Seed.WebhooksAsync(server, count, i => $"http://127.0.0.1:{Ports.Receiver}/hooks/{i}");
            var (_, number) = await server.DeclareAsync("trading", "some", 20);
            var cpuBefore = server.CpuSeconds;
            var started = Stopwatch.GetTimestamp();
            var noticeId = await server.PostNoticeAsync(number, "Webhook fan-out benchmark", deliver: true);
            var done = await WaitAsync(() => receiver.Count >= count, TimeSpan.FromMinutes(5), () => $"{receiver.Count:N0} received");
            var elapsed = Stopwatch.GetElapsedTime(started);
            var serverCpu = server.CpuSeconds - cpuBefore;
            var fanout = await server.FanoutSecondsAsync(noticeId, "subscriber-webhook", started);
            var verified = receiver.Verify(secrets);
            return [$"{count:N0} webhooks delivered to a local receiver in {elapsed.TotalSeconds:N1} s (target <= 10 s); fan-out queued all in {fanout:N1} s; "
                + $"{receiver.Count:N0} requests, {receiver.Distinct:N0} distinct subscribers, {verified:N0} signatures verified; "
                + $"CPU: server {serverCpu:N1} s ({serverCpu * 1000 / count:N2} ms/webhook); load average {Load()}{(done ? "" : " — TIMED OUT")}"];
        }

        /// <summary>kill -9 the server in the middle of an email fan-out, start it again, and count who got what.</summary>
        public static async Task<List<string>> CrashAsync(string store, int count)
        {
            await using var sink = new SmtpSinkServer(Ports.Smtp);
            var env = FukkyuServer.Smtp();
            // A dead node's claims expire after these; short, so the benchmark does not wait two minutes.
            env["Fukkyu__Outbox__ClaimSeconds"] = "5";
            env["Fukkyu__Jobs__ClaimSeconds"] = "5";
            await using var server = await FukkyuServer.StartAsync(store, env);
            await Seed.SubscribersAsync(server, SubscriberKind.Email, count, i => $"crash{i:D7}@example.jp");
            var (_, number) = await server.DeclareAsync("trading", "some", 20);
            await server.PostNoticeAsync(number, "Crash benchmark", deliver: true);
            await WaitAsync(() => sink.Count >= count / 3, TimeSpan.FromMinutes(5), () => $"{sink.Count:N0}");
            var atKill = sink.Count;
            server.Kill();
            Console.WriteLine($"killed the server (kill -9) after {atKill:N0} of {count:N0} deliveries; restarting…");
            await server.RestartAsync();
            var done = await WaitAsync(() => sink.Messages.Select(m => m.To[0]).Distinct().Count() >= count, TimeSpan.FromMinutes(5), () => $"{sink.Count:N0}");
            await Task.Delay(TimeSpan.FromSeconds(8)); // anything still in flight arrives too
            var all = sink.Messages.ToList();
            var recipients = all.Select(m => m.To[0]).Distinct().Count();
            var repeats = all.Count - recipients;
            var repeatsWithNewId = all.GroupBy(m => m.To[0]).Count(g => g.Select(m => m.Header("Message-Id")).Distinct().Count() > 1);
            return [$"Crash mid fan-out ({count:N0} subscribers, kill -9 after {atKill:N0}): {recipients:N0}/{count:N0} recipients reached (skipped {count - recipients:N0}); "
                + $"{repeats:N0} repeated SMTP deliveries, {repeatsWithNewId:N0} with a different Message-ID (a repeat keeps its Message-ID, so mail systems drop it){(done ? "" : " — TIMED OUT")}"];
        }

        /// <summary>The machine is shared: say how busy it was.</summary>
        public static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

        private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout, Func<string> progress)
        {
            var started = Stopwatch.GetTimestamp();
            var lastReport = 0.0;
            while (!condition())
            {
                var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (elapsed > timeout.TotalSeconds)
                {
                    return false;
                }
                if (elapsed - lastReport >= 5)
                {
                    Console.WriteLine($"  … {elapsed:N0} s: {progress()}");
                    lastReport = elapsed;
                }
                await Task.Delay(20);
            }
            return true;
        }
    }

    /// <summary>The real server, started as its own process from the Release build.</summary>
    internal sealed class FukkyuServer : IAsyncDisposable
    {
        public static readonly Dictionary<string, string> Extra = [];
        public const string AdminKey = "fk_bench-admin-key-0123456789abcdefghijklmnopqrstuv";
        private readonly string _store;
        private readonly Dictionary<string, string> _env;
        private Process? _process;
        private string? _postgresDatabase;

        private FukkyuServer(string store, string dataDir, Dictionary<string, string> env)
        {
            _store = store;
            DataDir = dataDir;
            _env = env;
            Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Ports.Server}/"), Timeout = TimeSpan.FromMinutes(2) };
            Api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        }

        public string DataDir { get; }
        public HttpClient Api { get; }
        public string ConnectionString { get; private set; } = "";

        /// <summary>The server saves each snapshot in its data folder, for an edge to serve.</summary>
        public static Dictionary<string, string> SavesSnapshot() => new() { ["Fukkyu__StatusPage__SnapshotDirectory"] = "status" };

        public static Dictionary<string, string> Smtp() => new()
        {
            ["Fukkyu__Email__Host"] = "127.0.0.1",
            ["Fukkyu__Email__Port"] = Ports.Smtp.ToString(CultureInfo.InvariantCulture),
            ["Fukkyu__Email__Security"] = "none",
            ["Fukkyu__Email__FromAddress"] = "status@exchange.test",
        };

        public static async Task<FukkyuServer> StartAsync(string store, Dictionary<string, string> env)
        {
            var dir = Path.Combine(Path.GetTempPath(), "fukkyu-bench-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            var server = new FukkyuServer(store, dir, env);
            if (store == "postgres")
            {
                var admin = Environment.GetEnvironmentVariable("FUKKYU_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres";
                server._postgresDatabase = "fukkyu_bench_" + Guid.NewGuid().ToString("N")[..12];
                await using var conn = new NpgsqlConnection(admin);
                await conn.OpenAsync();
                await new NpgsqlCommand($"CREATE DATABASE \"{server._postgresDatabase}\"", conn).ExecuteNonQueryAsync();
                server.ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = server._postgresDatabase }.ConnectionString;
            }
            else
            {
                server.ConnectionString = $"Data Source={Path.Combine(dir, "fukkyu.db")}";
            }
            await server.LaunchAsync();
            return server;
        }

        private async Task LaunchAsync()
        {
            var dll = Path.Combine(Repo.Root, "src/Fukkyu.Server/bin/Release/net10.0/Fukkyu.Server.dll");
            if (!File.Exists(dll))
            {
                throw new FileNotFoundException("Build the server first: dotnet build -c Release src/Fukkyu.Server", dll);
            }
            var info = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = DataDir, RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Ports.Server}";
            info.Environment["ConnectionStrings__Fukkyu"] = ConnectionString;
            info.Environment["Fukkyu__Database__Provider"] = _store;
            info.Environment["Fukkyu__Database__Migrate"] = "true";
            info.Environment["Fukkyu__Bootstrap__AdminApiKey"] = AdminKey;
            info.Environment["Fukkyu__StatusPage__BaseUrl"] = $"http://127.0.0.1:{Ports.Server}";
            info.Environment["Fukkyu__Notices__RequireApprovalFromLevel"] = "0";
            info.Environment["Fukkyu__Subscribers__AllowedWebhookHosts__0"] = "127.0.0.1";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            info.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
            foreach (var (k, v) in _env.Concat(Extra))
            {
                info.Environment[k] = v;
            }
            _process = await Processes.StartHealthyAsync(info, Path.Combine(DataDir, "server.log"), $"http://127.0.0.1:{Ports.Server}/healthz", TimeSpan.FromSeconds(90));
        }

        public void Kill() => _process?.Kill(entireProcessTree: true);

        /// <summary>CPU seconds the server process has used so far (user + system).</summary>
        public double CpuSeconds => _process is { HasExited: false } p ? p.TotalProcessorTime.TotalSeconds : double.NaN;

        public async Task RestartAsync()
        {
            if (_process is { HasExited: false })
            {
                Kill();
            }
            await (_process?.WaitForExitAsync() ?? Task.CompletedTask);
            await LaunchAsync();
        }

        public FukkyuDb OpenDb()
        {
            if (_store == "postgres")
            {
                var o = new DbContextOptionsBuilder<PostgresFukkyuDb>().UseNpgsql(ConnectionString).UseSnakeCaseNamingConvention().Options;
                return new PostgresFukkyuDb(o);
            }
            var s = new DbContextOptionsBuilder<SqliteFukkyuDb>().UseSqlite(ConnectionString + ";Default Timeout=60").UseSnakeCaseNamingConvention().Options;
            return new SqliteFukkyuDb(s);
        }

        public async Task<(string Id, string Number)> DeclareAsync(string category, string scope, int minutes)
        {
            var component = category == "trading" ? "trading.btc_jpy" : "web.site";
            var r = await Api.PostAsJsonAsync("api/v1/incidents", new { title = $"Benchmark {category}", category, impactScope = scope, expectedRecoveryMinutes = minutes, componentIds = new[] { component } });
            r.EnsureSuccessStatusCode();
            var json = await r.Content.ReadFromJsonAsync<JsonElement>();
            return (json.GetProperty("id").GetString()!, json.GetProperty("number").GetString()!);
        }

        public async Task<Guid> PostNoticeAsync(string incident, string title, bool deliver)
        {
            var r = await Api.PostAsJsonAsync($"api/v1/incidents/{incident}/updates", new
            {
                status = "investigating",
                occurredAt = DateTime.UtcNow.AddMinutes(-5),
                title = new { ja = title, en = title },
                whatHappened = new { ja = "BTC/JPY の注文が約定しない状態です。原因を調査しています。", en = "Orders on BTC/JPY are not executed. We are investigating." },
                impact = new { ja = "BTC/JPY の取引をご利用いただけません。", en = "BTC/JPY trading is unavailable." },
                recoveryOutlook = new { ja = "復旧の見込みは現在未定です。判明し次第お知らせします。", en = "No estimate yet; we will update this notice as soon as we know." },
                alternatives = new { ja = "現時点で代替手段はありません。", en = "There is no alternative at the moment." },
                deliverNotifications = deliver,
            });
            if (!r.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST notice answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
            }
            return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }

        public async Task ExportAsync(string dir)
        {
            // Wait until the snapshot has settled, so both servers serve the same version.
            string? previous = null;
            while (true)
            {
                var hash = (await Api.GetFromJsonAsync<JsonElement>("api/v1/status-page")).GetProperty("hash").GetString();
                if (hash == previous)
                {
                    break;
                }
                previous = hash;
                await Task.Delay(1500);
            }
            var export = await Api.GetFromJsonAsync<JsonElement>("api/v1/status-page/export");
            foreach (var f in export.GetProperty("files").EnumerateArray())
            {
                var target = Path.Combine(dir, f.GetProperty("file").GetString()!);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await File.WriteAllBytesAsync(target, Convert.FromBase64String(f.GetProperty("content").GetString()!));
            }
        }

        /// <summary>Seconds from the start until the channel's fan-out cursor reached the end.</summary>
        public async Task<double> FanoutSecondsAsync(Guid noticeId, string channel, long startedTimestamp)
        {
            await using var db = OpenDb();
            var d = await db.Set<NoticeDelivery>().AsNoTracking().FirstOrDefaultAsync(x => x.NoticeId == noticeId && x.Channel == channel);
            var startedUtc = DateTime.UtcNow - Stopwatch.GetElapsedTime(startedTimestamp);
            return d is { Done: true } ? (d.UpdatedAt - startedUtc).TotalSeconds : double.NaN;
        }

        public async ValueTask DisposeAsync()
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            Api.Dispose();
            var log = Path.Combine(DataDir, "server.log");
            if (File.Exists(log) && File.ReadAllLines(log) is { Length: > 0 } lines)
            {
                Console.WriteLine($"-- server log ({lines.Length} lines), last warnings:");
                foreach (var line in lines.Where(l => l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)).TakeLast(8))
                {
                    Console.WriteLine("   " + (line.Length > 300 ? line[..300] : line));
                }
                File.Copy(log, Path.Combine(Path.GetTempPath(), $"fukkyu-bench-last-server.log"), overwrite: true);
            }
            if (_postgresDatabase is not null)
            {
                NpgsqlConnection.ClearAllPools();
                var admin = Environment.GetEnvironmentVariable("FUKKYU_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres";
                await using var conn = new NpgsqlConnection(admin);
                await conn.OpenAsync();
                await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", conn).ExecuteNonQueryAsync();
            }
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
                // left for the OS to clean
            }
        }
    }

    internal static class Seed
    {
        /// <summary>A page that looks like a bad day: two incidents with a few updates each, a maintenance.</summary>
        public static async Task PublicPageAsync(FukkyuServer server)
        {
            for (var i = 0; i < 2; i++)
            {
                var (_, number) = await server.DeclareAsync(i == 0 ? "trading" : "web", "some", 20);
                for (var u = 0; u < 3; u++)
                {
                    await server.PostNoticeAsync(number, $"障害のお知らせ {i}-{u}", deliver: false);
                }
            }
            var from = DateTime.UtcNow.AddDays(1);
            var r = await server.Api.PostAsJsonAsync("api/v1/maintenances", new
            {
                title = new { ja = "定期メンテナンス", en = "Regular maintenance" },
                whatWeDo = new { ja = "サーバーを更新します。", en = "Server update." },
                impact = new { ja = "全サービス", en = "All services" },
                alternatives = new { ja = "ありません。", en = "None." },
                scheduledFor = from,
                scheduledUntil = from.AddHours(2),
                componentIds = new[] { "trading.btc_jpy", "deposit.btc.bitcoin" },
                deliverNotifications = false,
            });
            r.EnsureSuccessStatusCode();
            await Task.Delay(500); // the snapshot rebuilds after the last change
        }

        public static async Task SubscribersAsync(FukkyuServer server, SubscriberKind kind, int count, Func<int, string> address)
        {
            var now = DateTime.UtcNow;
            for (var start = 0; start < count; start += 5000)
            {
                await using var db = server.OpenDb();
                for (var i = start; i < Math.Min(count, start + 5000); i++)
                {
                    db.Subscribers.Add(new Subscriber { Kind = kind, Address = address(i), Language = i % 4 == 0 ? "en" : "ja", State = SubscriberState.Active, CreatedAt = now, UpdatedAt = now });
                }
                await db.SaveChangesAsync();
            }
        }

        public static async Task<ConcurrentDictionary<string, string>> WebhooksAsync(FukkyuServer server, int count, Func<int, string> url)
        {
            var secrets = new ConcurrentDictionary<string, string>();
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            {
                var r = await server.Api.PostAsJsonAsync("api/v1/subscribers", new { kind = "webhook", address = url(i), language = "en" }, ct);
                r.EnsureSuccessStatusCode();
                secrets[new Uri(url(i)).AbsolutePath] = (await r.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("signingSecret").GetString()!;
            });
            return secrets;
        }
    }

    /// <summary>Counts webhook deliveries on loopback and keeps their bodies for signature checks.</summary>
    internal sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, string Signature, string Body)> _received = new();

        private Receiver(WebApplication app) => _app = app;

        public int Count => _received.Count;
        public int Distinct => _received.Select(r => r.Path).Distinct().Count();

        public static async Task<Receiver> StartAsync(int port)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.Run(async ctx =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                receiver._received.Enqueue((ctx.Request.Path.Value ?? "", ctx.Request.Headers["Fukkyu-Signature"].ToString(), await reader.ReadToEndAsync()));
                ctx.Response.StatusCode = 204;
            });
            await app.StartAsync();
            return receiver;
        }

        public int Verify(IReadOnlyDictionary<string, string> secrets) =>
            _received.Count(r => secrets.TryGetValue(r.Path, out var s) && Fukkyu.Server.Notifications.WebhookSender.Verify(s, r.Signature, r.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10)));

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    internal sealed class Nginx : IAsyncDisposable
    {
        private readonly string _conf;
        private readonly string _prefix;

        private Nginx(string conf, string prefix)
        {
            _conf = conf;
            _prefix = prefix;
        }

        /// <summary>nginx serving the exported files: keep-alive, sendfile, open file cache, no access log — its best static setup.</summary>
        public static async Task<Nginx> StartAsync(string root, int port, string dataDir)
        {
            var prefix = Path.Combine(dataDir, "nginx");
            Directory.CreateDirectory(Path.Combine(prefix, "logs"));
            var conf = Path.Combine(prefix, "nginx.conf");
            await File.WriteAllTextAsync(conf, $$"""
                worker_processes auto;
                pid {{prefix}}/nginx.pid;
                error_log {{prefix}}/logs/error.log warn;
                user root;
                events { worker_connections 4096; use epoll; multi_accept on; }
                http {
                    include /etc/nginx/mime.types;
                    access_log off;
                    sendfile on; tcp_nopush on; tcp_nodelay on;
                    keepalive_timeout 65; keepalive_requests 1000000;
                    open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;
                    client_body_temp_path {{prefix}}/body; proxy_temp_path {{prefix}}/proxy; fastcgi_temp_path {{prefix}}/fastcgi;
                    uwsgi_temp_path {{prefix}}/uwsgi; scgi_temp_path {{prefix}}/scgi;
                    server {
                        listen 127.0.0.1:{{port}} reuseport;
                        root {{root}};
                        index index.html;
                    }
                }
                """);
            var p = Process.Start("/usr/sbin/nginx", ["-c", conf, "-p", prefix]) ?? throw new InvalidOperationException("nginx did not start");
            await p.WaitForExitAsync();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException("nginx failed to start; see " + prefix);
            }
            await Task.Delay(300);
            return new Nginx(conf, prefix);
        }

        public async ValueTask DisposeAsync()
        {
            var p = Process.Start("/usr/sbin/nginx", ["-c", _conf, "-p", _prefix, "-s", "stop"]);
            if (p is not null)
            {
                await p.WaitForExitAsync();
            }
        }
    }

    internal static partial class Wrk
    {
        public sealed record Result(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors);

        /// <summary>wrk with keep-alive, 256 connections, 2 threads, latency percentiles.</summary>
        public static async Task<Result> RunAsync(string url, int seconds)
        {
            var info = new ProcessStartInfo("/usr/bin/wrk", ["-t2", "-c256", $"-d{seconds}s", "--latency", "--timeout", "5s", url]) { RedirectStandardOutput = true };
            using var p = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start");
            var output = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            var rps = double.Parse(Rps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var errors = Errors().Matches(output).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            var non2xx = Non2xx().Match(output) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            return new Result(rps, Latency(output, "50%"), Latency(output, "99%"), errors + non2xx);
        }

        private static double Latency(string output, string percentile)
        {
            var m = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "us" => v / 1000, "s" => v * 1000, _ => v };
        }

        [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
        private static partial Regex Rps();

        [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
        private static partial Regex Errors();

        [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
        private static partial Regex Non2xx();
    }

    /// <summary><c>fukkyu-edge</c> on <see cref="Ports.Edge"/>, serving the snapshot the server saves in its data folder.</summary>
    internal sealed class FukkyuEdge : IAsyncDisposable
    {
        private readonly Process _process;

        private FukkyuEdge(Process process) => _process = process;

        public static async Task<FukkyuEdge> StartAsync(FukkyuServer server)
        {
            var dll = Path.Combine(Repo.Root, "src/Fukkyu.Edge/bin/Release/net10.0/fukkyu-edge.dll");
            if (!File.Exists(dll))
            {
                throw new FileNotFoundException("Build the edge first: dotnet build -c Release src/Fukkyu.Edge", dll);
            }
            var info = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = server.DataDir, RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Ports.Edge}";
            info.Environment["Fukkyu__StatusPage__SnapshotDirectory"] = Path.Combine(server.DataDir, "status");
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            return new FukkyuEdge(await Processes.StartHealthyAsync(info, Path.Combine(server.DataDir, "edge.log"), $"http://127.0.0.1:{Ports.Edge}/healthz", TimeSpan.FromSeconds(30)));
        }

        /// <summary>The edge's bytes for <paramref name="path"/> once they equal <paramref name="expected"/> (it follows the saved file), or its last answer after 5 s.</summary>
        public async Task<byte[]> WaitForAsync(string path, byte[] expected)
        {
            using var http = new HttpClient();
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                var got = await http.GetByteArrayAsync($"http://127.0.0.1:{Ports.Edge}{path}");
                if (got.AsSpan().SequenceEqual(expected) || Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(5))
                {
                    return got;
                }
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync();
        }
    }

    internal static class Processes
    {
        /// <summary>Starts a process with its output in <paramref name="logFile"/> and waits until <paramref name="health"/> answers 2xx.</summary>
        public static async Task<Process> StartHealthyAsync(ProcessStartInfo info, string logFile, string health, TimeSpan timeout)
        {
            var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName} {string.Join(' ', info.ArgumentList)}.");
            var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                try
                {
                    if ((await probe.GetAsync(health)).IsSuccessStatusCode)
                    {
                        return process;
                    }
                }
                catch (HttpRequestException)
                {
                    // not up yet
                }
                if (process.HasExited || Stopwatch.GetElapsedTime(started) > timeout)
                {
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                    }
                    throw new InvalidOperationException($"{health} did not answer; see {logFile}.");
                }
                await Task.Delay(200);
            }
        }
    }

    internal static class Repo
    {
        public static string Root { get; } = Find();

        private static string Find()
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "Fukkyu.slnx")))
                {
                    return d.FullName;
                }
            }
            throw new InvalidOperationException("Run from inside the repository.");
        }
    }
}
