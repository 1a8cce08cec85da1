using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fukkyu.Tools.SmtpSink;
using Npgsql;

// Paging latency of a real Fukkyu server (issue 4's numbers):
//  1. incident created → first page accepted by the SMTP server or the webhook receiver, with N
//     incidents opened at once (p50/p95/p99/max);
//  2. an escalation step's lateness against its due time under that load: server side (the step's
//     notifications recorded) and end to end (the step's webhook received).
// Everything listens on loopback ports 18200–18299 and stops by itself.
//
//   dotnet run -c Release --project bench/response/ResponseBench -- [--incidents 100] [--warmup N [--warmup-rounds R]] [--postgres "Host=…"]
var incidents = Arg("--incidents", 100);
var warmup = Arg("--warmup", 1);
var warmupRounds = Arg("--warmup-rounds", 1);
var postgresAdmin = ArgText("--postgres");
const int ServerPort = 18240, SmtpPort = 18241, ReceiverPort = 18242;
const string Key = "fk_bench-admin-key-0123456789abcdefghijklmnopqrstu";

var work = Path.Combine(Path.GetTempPath(), $"fukkyu-bench-{Guid.NewGuid():N}");
Directory.CreateDirectory(work);
string connection;
string? pgDatabase = null;
if (postgresAdmin is not null)
{
    pgDatabase = "fukkyu_bench_" + Guid.NewGuid().ToString("N")[..12];
    await Exec(postgresAdmin, $"CREATE DATABASE \"{pgDatabase}\"");
    connection = new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = pgDatabase }.ConnectionString;
}
else
{
    connection = $"Data Source={Path.Combine(work, "bench.db")}";
}

// Receivers: they stamp the time each page is accepted.
var accepted = new ConcurrentDictionary<string, DateTime>();        // incident number → first page accepted
var stepTwo = new ConcurrentDictionary<string, DateTime>();         // incident number → escalation step 2 received
await using var smtp = new SmtpSinkServer(SmtpPort);
var receiverBuilder = WebApplication.CreateSlimBuilder();
receiverBuilder.WebHost.UseUrls($"http://127.0.0.1:{ReceiverPort}");
receiverBuilder.Logging.ClearProviders();
await using var receiver = receiverBuilder.Build();
receiver.MapPost("/{who}", async (string who, HttpContext ctx) =>
{
    var at = DateTime.UtcNow;
    var json = await JsonDocument.ParseAsync(ctx.Request.Body);
    var number = json.RootElement.GetProperty("incident").GetProperty("number").GetString()!;
    if (who == "first")
    {
        accepted.AddOrUpdate(number, at, (_, old) => old < at ? old : at);
    }
    else
    {
        stepTwo.TryAdd(number, at);
    }
    return Results.Ok();
});
await receiver.StartAsync();
var smtpWatch = Task.Run(async () =>
{
    var seen = 0;
    while (true)
    {
        var messages = smtp.Messages.ToList();
        for (; seen < messages.Count; seen++)
        {
            var at = DateTime.UtcNow;
            if (Regex.Match(messages[seen].Data, @"INC-\d{4}-\d{4}") is { Success: true } m)
            {
                accepted.AddOrUpdate(m.Value, at, (_, old) => old < at ? old : at);
            }
        }
        await Task.Delay(2);
    }
});

var server = StartServer();
try
{
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ServerPort}/"), Timeout = TimeSpan.FromSeconds(120) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    await WaitHealthy(http);

    // One on-call person (email and webhook), a second step one minute later (webhook).
    var first = await Create(http, "/api/v1/users", new { userName = "bench-first", displayName = "First", roles = new[] { "responder" } });
    var second = await Create(http, "/api/v1/users", new { userName = "bench-second", displayName = "Second", roles = new[] { "responder" } });
    await Create(http, $"/api/v1/users/{first}/contact-methods", new { kind = "email", address = "first@bench.example" });
    await Create(http, $"/api/v1/users/{first}/contact-methods", new { kind = "webhook", address = $"http://127.0.0.1:{ReceiverPort}/first" });
    await Create(http, $"/api/v1/users/{second}/contact-methods", new { kind = "webhook", address = $"http://127.0.0.1:{ReceiverPort}/second" });
    await Put(http, "/api/v1/escalation-policies/bench", new
    {
        name = "Bench",
        steps = new object[]
        {
            new { delayMinutes = 1, targets = new[] { new { kind = "user", @ref = "bench-first" } } },
            new { delayMinutes = 1, targets = new[] { new { kind = "user", @ref = "bench-second" } } },
        },
    });
    await Put(http, "/api/v1/teams/bench", new { nameJa = "ベンチ", nameEn = "Bench", escalationPolicy = "bench", members = new[] { new { user = "bench-first" } }, components = new[] { "web.site" } });

    // Warm-up: --warmup incidents at once through the whole path first (not measured), so the
    // figures can be of a running server rather than of the JIT compiling declaration, paging and
    // delivery code on first use. --warmup 1 measures a freshly started server. With
    // --warmup-rounds R the warm-up runs R times with a pause between: .NET counts calls towards
    // optimised code only once first-use compilation has been quiet for a moment, so a single
    // burst leaves the code unoptimised and the measured burst would pay for the optimisation.
    for (var round = 0; round < Math.Max(1, warmupRounds); round++)
    {
        if (round > 0)
        {
            await JitQuietAsync(server.Id);
        }
        var warmNumbers = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, warmup)).Select(async n =>
        {
            var warm = await http.PostAsJsonAsync("api/v1/incidents", new { title = $"Bench warm-up {round}.{n}", category = "web", impactScope = "some", expectedRecoveryMinutes = 10, componentIds = new[] { "web.site" } });
            warm.EnsureSuccessStatusCode();
            warmNumbers.Add((await warm.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetString()!);
        }));
        var warmDeadline = DateTime.UtcNow.AddSeconds(60);
        while (!warmNumbers.All(accepted.ContainsKey) && DateTime.UtcNow < warmDeadline)
        {
            await Task.Delay(20);
        }
        Console.WriteLine($"Warm-up round {round + 1}: {warmNumbers.Count} incident(s) declared and paged.");
    }
    if (warmupRounds > 1)
    {
        // The optimised (tier-1) code for what the warm-up ran compiles on one background thread:
        // some 10,000 methods here, a full core for 10–20 s. A server that has been running for a
        // while has done that; measuring before it is done measures the JIT competing with the burst.
        await JitQuietAsync(server.Id);
    }

    Console.WriteLine($"Opening {incidents} incidents at once ({(postgresAdmin is null ? "SQLite" : "PostgreSQL")})…");
    var sent = new ConcurrentDictionary<string, DateTime>();
    var createdAt = new ConcurrentDictionary<string, DateTime>(); // the incident's own creation time (server clock, same machine)
    var ids = new ConcurrentDictionary<string, string>();
    var declareTimes = new ConcurrentBag<double>();
    await Task.WhenAll(Enumerable.Range(0, incidents).Select(async n =>
    {
        var at = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        var response = await http.PostAsJsonAsync("api/v1/incidents", new
        {
            title = $"Bench incident {n}",
            category = "web",
            impactScope = "some",
            expectedRecoveryMinutes = 10,
            componentIds = new[] { "web.site" },
        });
        declareTimes.Add(watch.Elapsed.TotalMilliseconds);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var number = json.GetProperty("number").GetString()!;
        sent[number] = at;
        createdAt[number] = json.GetProperty("createdAt").GetDateTime().ToUniversalTime();
        ids[number] = json.GetProperty("id").GetString()!;
    }));

    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (accepted.Count(a => sent.ContainsKey(a.Key)) < incidents && DateTime.UtcNow < deadline)
    {
        await Task.Delay(20);
    }
    var firstPage = sent.Where(s => accepted.ContainsKey(s.Key)).Select(s => (accepted[s.Key] - s.Value).TotalMilliseconds).ToList();
    Report("POST /api/v1/incidents answered (ms)", [.. declareTimes]);
    Report("POST sent → first page accepted (ms)", firstPage);
    Report("incident created (its createdAt) → first page accepted (ms)",
        [.. createdAt.Where(c => accepted.ContainsKey(c.Key)).Select(c => (accepted[c.Key] - c.Value).TotalMilliseconds)]);
    Console.WriteLine($"  pages accepted for {firstPage.Count} of {incidents} incidents; SMTP sink holds {smtp.Count} mails");

    // In a burst the checklists and the regulatory track are left to jobs that run once the
    // declarations are through (docs/decisions/049): check that every incident got them.
    var missing = ids.Values.ToHashSet();
    deadline = DateTime.UtcNow.AddSeconds(60);
    while (missing.Count > 0 && DateTime.UtcNow < deadline)
    {
        foreach (var id in missing.ToList())
        {
            var checklists = await http.GetFromJsonAsync<JsonElement>($"api/v1/incidents/{id}/checklist");
            var track = await http.GetFromJsonAsync<JsonElement>($"api/v1/incidents/{id}/regulatory");
            if (checklists.GetArrayLength() > 0 && track.GetProperty("filings").GetArrayLength() > 0)
            {
                missing.Remove(id);
            }
        }
        if (missing.Count > 0)
        {
            await Task.Delay(100);
        }
    }
    var firstSent = sent.Values.DefaultIfEmpty(DateTime.UtcNow).Min();
    Console.WriteLine($"  checklists and regulatory filings in place for {ids.Count - missing.Count} of {ids.Count} incidents, "
        + $"{(DateTime.UtcNow - firstSent).TotalSeconds:F1} s after the first POST");

    Console.WriteLine("Waiting for escalation step 2 (due one minute after each page)…");
    deadline = DateTime.UtcNow.AddSeconds(150);
    while (stepTwo.Keys.Count(sent.ContainsKey) < incidents && DateTime.UtcNow < deadline) // warm-up incidents escalate too
    {
        await Task.Delay(100);
    }
    var serverLate = new List<double>();
    var endToEnd = new List<double>();
    foreach (var (number, id) in ids)
    {
        var pages = await http.GetFromJsonAsync<JsonElement>($"api/v1/incidents/{id}/pages");
        var page = pages.GetProperty("pages")[0];
        var created = page.GetProperty("createdAt").GetDateTime().ToUniversalTime();
        var due = created.AddMinutes(1);
        var fired = page.GetProperty("notifications").EnumerateArray().Where(x => x.GetProperty("step").GetInt32() == 2)
            .Select(x => x.GetProperty("at").GetDateTime().ToUniversalTime()).DefaultIfEmpty(DateTime.MaxValue).Min();
        if (fired != DateTime.MaxValue)
        {
            serverLate.Add((fired - due).TotalMilliseconds);
        }
        if (stepTwo.TryGetValue(number, out var got))
        {
            endToEnd.Add((got - due).TotalMilliseconds);
        }
    }
    Report("escalation step fired after its due time, server side (ms)", serverLate);
    Report("escalation step received after its due time, end to end (ms)", endToEnd);
}
finally
{
    if (!server.HasExited)
    {
        server.Kill();
        server.WaitForExit();
    }
    await receiver.StopAsync();
    if (pgDatabase is not null)
    {
        await Exec(postgresAdmin!, $"DROP DATABASE IF EXISTS \"{pgDatabase}\" WITH (FORCE)");
    }
    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
        // A handle may linger; the temp folder is cleaned eventually.
    }
}
return;

// Waits until the server's tiered-compilation thread has been (nearly) idle for two seconds in a
// row, at most two minutes; Linux only (/proc), elsewhere it waits five seconds.
static async Task JitQuietAsync(int pid)
{
    var task = $"/proc/{pid}/task";
    var jit = Directory.Exists(task)
        ? Directory.GetDirectories(task).FirstOrDefault(t => File.ReadAllText(Path.Combine(t, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
        : null;
    if (jit is null)
    {
        await Task.Delay(TimeSpan.FromSeconds(5));
        return;
    }
    static long Ticks(string thread)
    {
        // utime and stime, fields 14 and 15, after the parenthesised name.
        var stat = File.ReadAllText(Path.Combine(thread, "stat"));
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
    var watch = Stopwatch.StartNew();
    var first = Ticks(jit);
    var last = first;
    var quiet = 0;
    while (quiet < 2 && watch.Elapsed < TimeSpan.FromMinutes(2))
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        var now = Ticks(jit);
        quiet = now - last <= 5 ? quiet + 1 : 0; // ≤ 5 % of a core (100 ticks a second)
        last = now;
    }
    Console.WriteLine($"JIT quiet after {watch.Elapsed.TotalSeconds:0} s (it compiled for {(last - first) / 100.0:0.0} s of CPU meanwhile).");
}

Process StartServer()
{
    var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Fukkyu.Server.dll"), "--urls", $"http://127.0.0.1:{ServerPort}" })
    {
        psi.ArgumentList.Add(a);
    }
    psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
    psi.Environment["ConnectionStrings__Fukkyu"] = connection;
    psi.Environment["Fukkyu__Database__Provider"] = postgresAdmin is null ? "sqlite" : "postgres";
    psi.Environment["Fukkyu__Database__Migrate"] = "true";
    psi.Environment["Fukkyu__Bootstrap__AdminApiKey"] = Key;
    psi.Environment["Fukkyu__Bootstrap__AdminPassword"] = "bench-password-123";
    psi.Environment["Fukkyu__Email__Host"] = "127.0.0.1";
    psi.Environment["Fukkyu__Email__Port"] = SmtpPort.ToString(CultureInfo.InvariantCulture);
    psi.Environment["Fukkyu__Email__Security"] = "none";
    psi.Environment["Logging__LogLevel__Default"] = "Warning";
    var p = Process.Start(psi)!;
    p.OutputDataReceived += (_, _) => { };
    p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
    p.BeginOutputReadLine();
    p.BeginErrorReadLine();
    return p;
}

static async Task WaitHealthy(HttpClient http)
{
    for (var i = 0; i < 600; i++)
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
        }
        await Task.Delay(100);
    }
    throw new TimeoutException("Fukkyu did not start.");
}

static async Task<string> Create(HttpClient http, string path, object body)
{
    var r = await http.PostAsJsonAsync(path.TrimStart('/'), body);
    var text = await r.Content.ReadAsStringAsync();
    if (!r.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"POST {path}: {(int)r.StatusCode} {text}");
    }
    var json = JsonDocument.Parse(text).RootElement;
    return json.TryGetProperty("id", out var id) ? id.GetString()! : json.GetProperty("method").GetProperty("id").GetString()!;
}

static async Task Put(HttpClient http, string path, object body)
{
    var r = await http.PutAsJsonAsync(path.TrimStart('/'), body);
    if (!r.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"PUT {path}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }
}

static void Report(string what, List<double> ms)
{
    if (ms.Count == 0)
    {
        Console.WriteLine($"{what}: no samples");
        return;
    }
    ms.Sort();
    double P(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
    Console.WriteLine(FormattableString.Invariant($"{what}: n={ms.Count} p50={P(0.50):F0} p95={P(0.95):F0} p99={P(0.99):F0} max={ms[^1]:F0}"));
}

static async Task Exec(string cs, string sql)
{
    await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
    await conn.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, conn);
    await cmd.ExecuteNonQueryAsync();
}

int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

string? ArgText(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
