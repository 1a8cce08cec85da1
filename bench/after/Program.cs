// Benchmark of the after-incident reads at scale: the failure register (JSON and CSV), its trends,
// the response metrics, the Prometheus scrape and a long incident report. It starts the real
// server on loopback (127.0.0.1:18450) over a fresh SQLite file, seeds the database directly,
// times a fixed number of requests, prints the figures and stops everything it started.
//
//   dotnet build -c Release src/Fukkyu.Server && dotnet run -c Release --project bench/after -- [--incidents 10000] [--runs 15]

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Register;
using Microsoft.EntityFrameworkCore;

var incidents = Arg("--incidents", 10_000, 1, 200_000);
var runs = Arg("--runs", 15, 1, 200);
const int Port = 18450;
const string Key = "fk_bench-after-key-0123456789abcdefghijklmnopqrstuv";

var repo = FindRepo();
var server = Directory.GetFiles(Path.Combine(repo, "src/Fukkyu.Server/bin"), "Fukkyu.Server.dll", SearchOption.AllDirectories)
    .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault() ?? throw new InvalidOperationException("Build src/Fukkyu.Server first.");
var dir = Directory.CreateTempSubdirectory("fukkyu-bench-after-");
var dbFile = Path.Combine(dir.FullName, "fukkyu.db");
var cs = $"Data Source={dbFile}";
Console.WriteLine($"server {server}\ndatabase {dbFile}\nincidents {incidents:N0}, {runs} runs per request\n");

using var process = Process.Start(new ProcessStartInfo("dotnet", [server])
{
    WorkingDirectory = Path.GetDirectoryName(server)!,
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    Environment =
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Urls"] = $"http://127.0.0.1:{Port}",
        ["ConnectionStrings__Fukkyu"] = cs,
        ["Fukkyu__Database__Migrate"] = "true",
        ["Fukkyu__Bootstrap__AdminApiKey"] = Key,
        ["Fukkyu__Jobs__Enabled"] = "false",
        ["Fukkyu__Outbox__Enabled"] = "false",
        ["Fukkyu__Metrics__CacheSeconds"] = "0",
        ["Logging__LogLevel__Default"] = "Warning",
    },
})!;
_ = process.StandardOutput.ReadToEndAsync();
_ = process.StandardError.ReadToEndAsync();
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromMinutes(5) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
try
{
    await WaitForServerAsync(http);
    var seeded = Stopwatch.StartNew();
    await SeedAsync(cs, incidents);
    Console.WriteLine($"seeded {incidents:N0} incidents in {seeded.Elapsed.TotalSeconds:0.0} s");
    var report = await LongIncidentAsync(http, 500);
    Console.WriteLine($"report incident {report} with 500 notes\n");

    Console.WriteLine($"{"request",-48} {"median ms",10} {"p95 ms",8} {"bytes",12}");
    await TimeAsync(http, "GET /api/v1/register (JSON, all rows)", "api/v1/register", runs);
    await TimeAsync(http, "GET /api/v1/register?format=csv (all rows)", "api/v1/register?format=csv&lang=ja", runs);
    await TimeAsync(http, "GET /api/v1/register/trends", "api/v1/register/trends", runs);
    await TimeAsync(http, "GET /api/v1/metrics/response?groupBy=month", "api/v1/metrics/response?groupBy=month", runs);
    await TimeAsync(http, "GET /metrics (no cache)", "metrics", runs);
    await TimeAsync(http, "GET report (Markdown, 500-note timeline)", $"api/v1/incidents/{report}/report?format=markdown&lang=ja", runs);
    await TimeAsync(http, "GET report (HTML, 500-note timeline)", $"api/v1/incidents/{report}/report?format=html&lang=ja", runs);
    await TimeAsync(http, "GET report (PDF via Chromium)", $"api/v1/incidents/{report}/report?format=pdf&lang=ja", Math.Min(runs, 3));
}
finally
{
    process.Kill(entireProcessTree: true);
    await process.WaitForExitAsync();
    try
    {
        dir.Delete(recursive: true);
    }
    catch (IOException)
    {
        // The OS may hold the file a moment longer; it is in the temp folder.
    }
}

static async Task TimeAsync(HttpClient http, string name, string path, int runs)
{
    var times = new List<double>();
    long bytes = 0;
    for (var i = 0; i < runs + 1; i++)
    {
        var sw = Stopwatch.StartNew();
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        sw.Stop();
        if (!response.IsSuccessStatusCode)
        {
            Console.WriteLine($"{name,-48} answered {(int)response.StatusCode}");
            return;
        }
        bytes = body.Length;
        if (i > 0)
        {
            times.Add(sw.Elapsed.TotalMilliseconds); // the first run warms up
        }
    }
    times.Sort();
    Console.WriteLine($"{name,-48} {times[times.Count / 2],10:0.0} {times[(int)Math.Min(times.Count - 1, Math.Ceiling(times.Count * 0.95) - 1)],8:0.0} {bytes,12:N0}");
}

static async Task SeedAsync(string cs, int count)
{
    var options = new DbContextOptionsBuilder<SqliteFukkyuDb>().UseSqlite(cs).UseSnakeCaseNamingConvention().Options;
    await using var db = new SqliteFukkyuDb(options);
    var components = await db.Components.AsNoTracking().ToListAsync();
    var random = new Random(42);
    var start = new DateTime(2025, 12, 1, 0, 0, 0, DateTimeKind.Utc);
    var categories = Enum.GetValues<CauseClass>();
    for (var batch = 0; batch < count; batch += 1000)
    {
        for (var i = batch; i < Math.Min(count, batch + 1000); i++)
        {
            var detected = start.AddMinutes(random.Next(0, 365 * 24 * 60));
            var component = components[random.Next(components.Count)];
            var incident = new Incident
            {
                Number = $"INC-B-{i + 1:D6}",
                Title = $"{component.NameJa} の障害 #{i + 1}",
                Category = component.Category,
                ImpactScope = (ImpactScope)random.Next(0, 3),
                Level = random.Next(1, 4),
                LevelRule = "bench",
                LevelReasonJa = "ベンチマーク",
                LevelReasonEn = "benchmark",
                Status = IncidentStatus.Closed,
                StartedAt = detected.AddMinutes(-random.Next(0, 30)),
                DetectedAt = detected,
                AcknowledgedAt = detected.AddMinutes(random.Next(1, 15)),
                MonitoringAt = detected.AddMinutes(random.Next(20, 240)),
                ResolvedAt = detected.AddMinutes(random.Next(240, 600)),
                ClosedAt = detected.AddDays(3),
                Cause = "シーケンス番号の桁あふれ, \"gateway\"",
                AffectedUsersEstimate = random.Next(0, 50_000),
                CreatedAt = detected,
                UpdatedAt = detected,
            };
            incident.Components.Add(new IncidentComponent { ComponentId = component.Id, Impact = ComponentImpact.PartialOutage });
            db.Incidents.Add(incident);
            db.RegisterEntries.Add(new RegisterEntry { IncidentId = incident.Id, CauseClass = categories[random.Next(categories.Length)], UpdatedAt = detected });
        }
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
    }
}

static async Task<string> LongIncidentAsync(HttpClient http, int notes)
{
    var created = await http.PostAsJsonAsync("api/v1/incidents", new
    {
        title = "BTC/JPY の板が更新されない", category = "trading", impactScope = "many", expectedRecoveryMinutes = 60, componentIds = new[] { "trading.btc_jpy" },
    });
    var number = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("number").GetString()!;
    for (var i = 0; i < notes; i++)
    {
        (await http.PostAsJsonAsync($"api/v1/incidents/{number}/notes", new { text = $"対応メモ {i}: ゲートウェイのログを確認し、再起動を実施した。" })).EnsureSuccessStatusCode();
    }
    return number;
}

static async Task WaitForServerAsync(HttpClient http)
{
    for (var i = 0; i < 300; i++)
    {
        try
        {
            if ((await http.GetAsync("healthz")).IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }
        await Task.Delay(200);
    }
    throw new TimeoutException("The server did not start within 60 s.");
}

int Arg(string name, int fallback, int min, int max)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? Math.Clamp(v, min, max) : fallback;
}

static string FindRepo()
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
