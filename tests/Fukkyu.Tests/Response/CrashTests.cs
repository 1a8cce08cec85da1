using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Fukkyu.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fukkyu.Tests.Response;

/// <summary>
/// The server as a real process, killed with SIGKILL between the commit of a page and its
/// delivery: after a restart the page is delivered, and a receiver that drops repeats by their
/// Idempotency-Key sees it once.
/// </summary>
public sealed class CrashTests
{
    private const string Key = "fk_crash-test-admin-key-0123456789abcdefghijklmn";

    /// <summary>A receiver that can hold the first request open, like a slow endpoint while the sender dies.</summary>
    private sealed class GatedReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private GatedReceiver(WebApplication app) => _app = app;

        public ConcurrentQueue<(string Key, string Body)> Received { get; } = new();
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool HoldFirst { get; set; }
        public string Url { get; private set; } = "";

        public static async Task<GatedReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var r = new GatedReceiver(app);
            app.MapPost("/{**path}", async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                r.Received.Enqueue((ctx.Request.Headers["Idempotency-Key"].ToString(), await reader.ReadToEndAsync()));
                if (r.HoldFirst && r.Received.Count == 1)
                {
                    await r.Gate.Task;
                }
                return Results.Ok();
            });
            await app.StartAsync();
            r.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return r;
        }

        public async Task<bool> WaitForAsync(int count, TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (Received.Count < count && DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
            return Received.Count >= count;
        }

        public async ValueTask DisposeAsync()
        {
            Gate.TrySetResult();
            await _app.DisposeAsync();
        }
    }

    /// <summary>A Fukkyu server process on a loopback port of this feature's range (18200–18299).</summary>
    private sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _log = new();

        private ServerProcess(Process process, int port)
        {
            _process = process;
            Port = port;
            Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
            Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        }

        public int Port { get; }
        public HttpClient Client { get; }

        public static async Task<ServerProcess> StartAsync(Store store, string connectionString, bool outbox, IReadOnlyDictionary<string, string>? environment = null)
        {
            var port = FreePort();
            var dll = Path.Combine(AppContext.BaseDirectory, "Fukkyu.Server.dll");
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}" })
            {
                psi.ArgumentList.Add(a);
            }
            psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            psi.Environment["ConnectionStrings__Fukkyu"] = connectionString;
            psi.Environment["Fukkyu__Database__Provider"] = store == Store.Postgres ? "postgres" : "sqlite";
            psi.Environment["Fukkyu__Database__Migrate"] = "true";
            psi.Environment["Fukkyu__Bootstrap__AdminApiKey"] = Key;
            psi.Environment["Fukkyu__Bootstrap__AdminPassword"] = "crash-test-password";
            psi.Environment["Fukkyu__Outbox__Enabled"] = outbox ? "true" : "false";
            psi.Environment["Fukkyu__Outbox__ClaimSeconds"] = "3";
            psi.Environment["Logging__LogLevel__Default"] = "Warning";
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                psi.Environment[name] = value;
            }
            var process = Process.Start(psi)!;
            var server = new ServerProcess(process, port);
            process.OutputDataReceived += (_, e) => server.Note(e.Data);
            process.ErrorDataReceived += (_, e) => server.Note(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var until = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < until)
            {
                Assert.False(process.HasExited, "The server exited: " + string.Join("\n", server._log));
                try
                {
                    if ((await server.Client.GetAsync("healthz")).IsSuccessStatusCode)
                    {
                        return server;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.Delay(200);
            }
            throw new TimeoutException("The server did not start: " + string.Join("\n", server._log));
        }

        private void Note(string? line)
        {
            if (line is not null)
            {
                _log.Enqueue(line);
                while (_log.Count > 200)
                {
                    _log.TryDequeue(out _);
                }
            }
        }

        private static int FreePort()
        {
            for (var port = 18200 + Random.Shared.Next(100); ; port = 18200 + (port - 18200 + 1) % 100)
            {
                try
                {
                    var l = new TcpListener(IPAddress.Loopback, port);
                    l.Start();
                    l.Stop();
                    return port;
                }
                catch (SocketException)
                {
                    // Taken: try the next one in the range.
                }
            }
        }

        /// <summary>SIGKILL: no shutdown, no flush, nothing finishes.</summary>
        public void KillHard()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<(string ConnectionString, Func<Task> Cleanup)> DatabaseAsync(Store store)
    {
        if (store == Store.Postgres)
        {
            if (Stores.PostgresConnection is null)
            {
                Assert.False(Stores.InCi, "FUKKYU_TEST_POSTGRES is not set in CI.");
                Assert.Skip("FUKKYU_TEST_POSTGRES is not set; PostgreSQL tests are skipped on this machine.");
            }
            var (cs, db) = await PostgresDatabases.CreateAsync();
            return (cs, () => PostgresDatabases.DropAsync(db));
        }
        var file = Path.Combine(Path.GetTempPath(), "fukkyu-tests", $"crash-{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        return ($"Data Source={file}", () =>
        {
            foreach (var f in new[] { file, file + "-alert-log" }.SelectMany(f => new[] { f, f + "-wal", f + "-shm" }))
            {
                File.Delete(f);
            }
            return Task.CompletedTask;
        });
    }

    /// <summary>One on-call person whose pages go to the receiver; the team owns the website.</summary>
    private static async Task<string> DeclareWithPageAsync(ServerProcess server, string receiverUrl)
    {
        var user = await server.Client.PostJson("/api/v1/users", new { userName = "oncall", displayName = "On call", roles = new[] { "responder" } }, HttpStatusCode.Created);
        var userId = user.GetProperty("id").GetString();
        await server.Client.PostJson($"/api/v1/users/{userId}/contact-methods", new { kind = "webhook", address = receiverUrl + "/pager" }, HttpStatusCode.Created);
        var team = await server.Client.PutAsJsonAsync("/api/v1/teams/web", new { nameJa = "ウェブ", nameEn = "Web", members = new[] { new { user = "oncall" } }, components = new[] { "web.site" } });
        Assert.Equal(HttpStatusCode.Created, team.StatusCode);
        var incident = await server.Client.PostJson("/api/v1/incidents",
            new { title = "Website down", category = "web", impactScope = "some", expectedRecoveryMinutes = 10, componentIds = new[] { "web.site" } }, HttpStatusCode.Created);
        return incident.GetProperty("id").GetString()!;
    }

    private static async Task<(string State, int Attempts)> PageStateAsync(ServerProcess server, string incidentId)
    {
        var messages = await server.Client.GetJson($"/api/v1/outbox?incidentId={incidentId}");
        var page = Assert.Single(messages.EnumerateArray(), m => m.GetProperty("purpose").GetString() == "page");
        return (page.GetProperty("state").GetString()!, page.GetProperty("attempts").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EventsAnsweredButNotYetFoldedWhenKilledAreFoldedOnceAfterTheRestart(Store store)
    {
        var (cs, cleanup) = await DatabaseAsync(store);
        try
        {
            await AnswerFiveEventsThenDieAsync(store, cs);
            Assert.Equal((5L, 0L), await LogAndAlertsAsync(store, cs));

            await using var second = await ServerProcess.StartAsync(store, cs, outbox: false);
            var alerts = await second.Client.GetJson("/api/v1/alerts");
            Assert.Equal(2, alerts.GetArrayLength());
            var btc = alerts.EnumerateArray().Single(a => a.GetProperty("dedupKey").GetString() == "btc-ticker");
            Assert.Equal(3, btc.GetProperty("count").GetInt32());
            var eth = alerts.EnumerateArray().Single(a => a.GetProperty("dedupKey").GetString() == "eth-node");
            Assert.Equal("resolved", eth.GetProperty("status").GetString());
            Assert.Equal((0L, 2L), await LogAndAlertsAsync(store, cs));
        }
        finally
        {
            await cleanup();
        }
    }

    [Fact]
    public async Task OnSqliteLogBatchesAtOrBelowTheFoldMarkAreNotFoldedAgain()
    {
        // A fold moves the mark in the database and deletes the batches from the log file only
        // afterwards: a crash in between leaves folded batches in the file, which a restart skips.
        var (cs, cleanup) = await DatabaseAsync(Store.Sqlite);
        try
        {
            await AnswerFiveEventsThenDieAsync(Store.Sqlite, cs);
            // As if the first two batches (the two btc-ticker triggers) had been folded just before the kill.
            var path = Fukkyu.Server.Alerts.AlertLogFile.PathFor(cs)!;
            long secondBatch;
            await using (var log = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await log.OpenAsync();
                await using var cmd = log.CreateCommand();
                cmd.CommandText = "SELECT id, events FROM alert_log ORDER BY id";
                await using var reader = await cmd.ExecuteReaderAsync();
                var batches = new List<(long Id, long Events)>();
                while (await reader.ReadAsync())
                {
                    batches.Add((reader.GetInt64(0), reader.GetInt64(1)));
                }
                Assert.Equal(5, batches.Sum(b => b.Events));
                Assert.Equal(1, batches[0].Events);
                Assert.Equal(1, batches[1].Events);
                secondBatch = batches[1].Id;
            }
            await using (var db = new Microsoft.Data.Sqlite.SqliteConnection(cs + ";Pooling=False"))
            {
                await db.OpenAsync();
                await using var cmd = db.CreateCommand();
                cmd.CommandText = $"UPDATE alert_log_mark SET folded_through = {secondBatch}";
                Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
            }

            await using var second = await ServerProcess.StartAsync(Store.Sqlite, cs, outbox: false);
            var alerts = await second.Client.GetJson("/api/v1/alerts");
            var btc = alerts.EnumerateArray().Single(a => a.GetProperty("dedupKey").GetString() == "btc-ticker");
            Assert.Equal(1, btc.GetProperty("count").GetInt32());
            var eth = alerts.EnumerateArray().Single(a => a.GetProperty("dedupKey").GetString() == "eth-node");
            Assert.Equal("resolved", eth.GetProperty("status").GetString());
            Assert.Equal((0L, 2L), await LogAndAlertsAsync(Store.Sqlite, cs));
        }
        finally
        {
            await cleanup();
        }
    }

    /// <summary>
    /// A node answers five events one by one (btc-ticker triggered three times, eth-node triggered
    /// and resolved), then dies before folding any (its fold delay is an hour).
    /// </summary>
    private static async Task AnswerFiveEventsThenDieAsync(Store store, string cs)
    {
        await using var first = await ServerProcess.StartAsync(store, cs, outbox: false,
            new Dictionary<string, string> { ["Fukkyu__Alerts__FoldDelayMilliseconds"] = "3600000" });
        var key = (await first.Client.PostJson("/api/v1/integrations", new { name = "crash", type = "events-v2" }, HttpStatusCode.Created)).GetProperty("key").GetString()!;
        foreach (var (action, dedup) in new[] { ("trigger", "btc-ticker"), ("trigger", "btc-ticker"), ("trigger", "eth-node"), ("resolve", "eth-node"), ("trigger", "btc-ticker") })
        {
            var answer = await first.Client.PostAsJsonAsync("/v2/enqueue", new { routing_key = key, event_action = action, dedup_key = dedup,
                payload = new { summary = "crash test " + dedup, source = "crash.local", severity = "error" } });
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        }
        first.KillHard();
    }

    /// <summary>Events waiting in the alert log, and alerts, read behind the server's back.</summary>
    private static async Task<(long Logged, long Alerts)> LogAndAlertsAsync(Store store, string cs)
    {
        await using System.Data.Common.DbConnection conn = store == Store.Postgres ? new Npgsql.NpgsqlConnection(cs) : new Microsoft.Data.Sqlite.SqliteConnection(cs);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COALESCE(SUM(events), 0) FROM alert_log), (SELECT COUNT(*) FROM alerts)";
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var logged = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
        var alerts = Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        await reader.CloseAsync();
        if (store == Store.Sqlite && Fukkyu.Server.Alerts.AlertLogFile.PathFor(cs) is { } path)
        {
            // On SQLite the log is a file of its own; what is above the mark is not folded yet.
            cmd.CommandText = "SELECT COALESCE(MAX(folded_through), 0) FROM alert_log_mark";
            var mark = Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            logged += Fukkyu.Server.Alerts.AlertLogFile.CountEvents(path, mark);
        }
        return (logged, alerts);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task APageCommittedBeforeAKillIsDeliveredOnceAfterTheRestart(Store store)
    {
        var (cs, cleanup) = await DatabaseAsync(store);
        try
        {
            await using var receiver = await GatedReceiver.StartAsync();
            string incidentId;
            // The first node commits the page and dies before any delivery (its outbox is off).
            await using (var first = await ServerProcess.StartAsync(store, cs, outbox: false))
            {
                incidentId = await DeclareWithPageAsync(first, receiver.Url);
                first.KillHard();
            }
            Assert.Empty(receiver.Received);

            await using var second = await ServerProcess.StartAsync(store, cs, outbox: true);
            Assert.True(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(30)), "the page was not delivered after the restart");
            await Task.Delay(TimeSpan.FromSeconds(4)); // longer than a claim: a repeat would have come by now
            Assert.Single(receiver.Received);
            Assert.Equal(("delivered", 1), await PageStateAsync(second, incidentId));
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task APageInFlightWhenTheSenderIsKilledIsResentWithTheSameIdempotencyKey(Store store)
    {
        var (cs, cleanup) = await DatabaseAsync(store);
        try
        {
            await using var receiver = await GatedReceiver.StartAsync();
            receiver.HoldFirst = true;
            string incidentId;
            await using (var first = await ServerProcess.StartAsync(store, cs, outbox: true))
            {
                incidentId = await DeclareWithPageAsync(first, receiver.Url);
                Assert.True(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(30)), "the first node never sent the page");
                // The request has arrived, its answer not: the sender dies between delivery and recording it.
                first.KillHard();
            }
            receiver.Gate.SetResult();

            await using var second = await ServerProcess.StartAsync(store, cs, outbox: true);
            Assert.True(await receiver.WaitForAsync(2, TimeSpan.FromSeconds(30)), "the page was not resent after its claim expired");
            await Task.Delay(TimeSpan.FromSeconds(4));

            var received = receiver.Received.ToList();
            Assert.Equal(2, received.Count);
            // The receiver sees one message: both carry the same key (and body), so it drops the repeat.
            Assert.Single(received.Select(r => r.Key).Distinct());
            Assert.StartsWith("page:", received[0].Key);
            Assert.Equal(received[0].Body, received[1].Body);
            Assert.Equal(("delivered", 1), await PageStateAsync(second, incidentId));
        }
        finally
        {
            await cleanup();
        }
    }
}
