using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Fukkyu.Server.Monitoring;
using Fukkyu.Tests.Detection;
using Fukkyu.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fukkyu.Tests.Monitoring;

/// <summary>Every probe kind against real targets; whatever a target does, the probe returns a result.</summary>
public sealed class ProbeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly string _ledger = Path.Combine(Path.GetTempPath(), $"fukkyu-ledger-{Guid.NewGuid():N}.db");
    private Sim? _sim;
    private FukkyuApp? _app;

    private Sim Sim => _sim!;

    private Prober Prober => _app!.Services.GetRequiredService<Prober>();

    public async ValueTask InitializeAsync()
    {
        // The simulator shares the clock, so "30 seconds later" is the same for both.
        _sim = await Sim.StartAsync(_clock);
        await using (var ledger = new SqliteConnection($"Data Source={_ledger}"))
        {
            await ledger.OpenAsync();
            await using var cmd = ledger.CreateCommand();
            cmd.CommandText = "CREATE TABLE balances (book REAL, chain REAL); INSERT INTO balances VALUES (100.5, 100.0);";
            await cmd.ExecuteNonQueryAsync();
        }
        _app = await FukkyuApp.StartAsync(Store.Sqlite, _clock, settings: new Dictionary<string, string?>
        {
            ["Fukkyu:Monitoring:Enabled"] = "false",
            ["Fukkyu:Monitoring:Connections:ledger:Provider"] = "sqlite",
            ["Fukkyu:Monitoring:Connections:ledger:ConnectionString"] = $"Data Source={_ledger}",
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_sim is not null)
        {
            await _sim.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        File.Delete(_ledger);
    }

    private static ProbeTarget Target(MonitorKind kind, MonitorSettings settings, int timeoutMs = 2000) =>
        new(new HealthMonitor { Name = "test", Kind = kind, TimeoutMs = timeoutMs, Settings = settings.ToJson(), CreatedAt = DateTime.UtcNow });

    private Task<ProbeResult> Run(MonitorKind kind, MonitorSettings settings, int timeoutMs = 2000) => Prober.RunAsync(Target(kind, settings, timeoutMs), default);

    [Fact]
    public async Task HttpChecksStatusBodyAndJsonPath()
    {
        Assert.True((await Run(MonitorKind.Http, new() { Url = Sim.Url + "/", BodyContains = "Sample Exchange" })).Up);
        var wrongText = await Run(MonitorKind.Http, new() { Url = Sim.Url + "/", BodyContains = "Maintenance" });
        var missing = await Run(MonitorKind.Http, new() { Url = Sim.Url + "/nope_jpy/ticker" });
        var json = await Run(MonitorKind.Http, new() { Url = Sim.Url + "/v1/spot/pairs", JsonPath = "$.data.pairs[?(@.name=='sol_jpy')].is_enabled", Expect = ["true"] });
        var notJson = await Run(MonitorKind.Http, new() { Url = Sim.Url + "/", JsonPath = "$.status", Expect = ["ok"] });

        Assert.Equal(ProbeFailure.Body, wrongText.Failure);
        Assert.Equal(ProbeFailure.Status, missing.Failure);
        Assert.Equal("HTTP 404", missing.Message);
        Assert.True(json.Up, json.Message);
        Assert.Equal(ProbeFailure.Json, notJson.Failure);
    }

    [Fact]
    public async Task HttpLatencyBudgetIsAFailureWhenExceeded()
    {
        await using var slow = await Sim.StartAsync(); // real clock: latency is real here
        await slow.InjectAsync(new { type = "latency", ms = 300, path = "/app" });

        var over = await Run(MonitorKind.Http, new() { Url = slow.Url + "/app/health", LatencyBudgetMs = 100 });
        var within = await Run(MonitorKind.Http, new() { Url = slow.Url + "/app/health", LatencyBudgetMs = 2000 });

        Assert.Equal(ProbeFailure.Latency, over.Failure);
        Assert.True(over.LatencyMs >= 300);
        Assert.True(within.Up);
    }

    [Fact]
    public async Task FreshnessSeesAStalledTickerByTimestampAndAStuckBookBySequence()
    {
        var timestamp = Target(MonitorKind.Freshness, new() { Url = Sim.Url + "/btc_jpy/ticker", JsonPath = "$.data.timestamp", MaxAgeSeconds = 10 });
        var sequence = Target(MonitorKind.Freshness, new() { Url = Sim.Url + "/btc_jpy/depth", JsonPath = "$.data.sequenceId", Mode = "sequence", MaxAgeSeconds = 10 });
        Assert.True((await Prober.RunAsync(timestamp, default)).Up);
        Assert.True((await Prober.RunAsync(sequence, default)).Up);

        await Sim.InjectAsync(new { type = "stall_ticker", pair = "btc_jpy" });
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True((await Prober.RunAsync(timestamp, default)).Up); // 5 s old: still within 10
        Assert.True((await Prober.RunAsync(sequence, default)).Up); // unchanged for only 5 s
        _clock.Advance(TimeSpan.FromSeconds(11));

        var stale = await Prober.RunAsync(timestamp, default);
        var stuck = await Prober.RunAsync(sequence, default);
        Assert.Equal(ProbeFailure.Stale, stale.Failure);
        Assert.Contains("16 s old", stale.Message);
        Assert.Equal(ProbeFailure.Stale, stuck.Failure);
    }

    [Fact]
    public async Task ThresholdWatchesQueuesAndHotWalletBands()
    {
        var queue = new MonitorSettings
        {
            Url = Sim.Url + "/v1/queues/withdrawals",
            JsonPath = "$.data.queues[?(@.asset=='eth')].statuses.EXAMINING.oldest_age_seconds",
            Max = 1800,
        };
        var wallet = new MonitorSettings { Url = Sim.Url + "/v1/wallets/hot/btc", JsonPath = "$.data.balance", Min = 10, Max = 50 };
        Assert.True((await Run(MonitorKind.Threshold, queue)).Up);
        Assert.True((await Run(MonitorKind.Threshold, wallet)).Up);

        await Sim.InjectAsync(new { type = "queue_backlog", direction = "withdrawal", asset = "eth", status = "EXAMINING", count = 400, ageSeconds = 3600 });
        await Sim.InjectAsync(new { type = "hot_wallet_outflow", asset = "btc", amountPerSecond = 1 });
        _clock.Advance(TimeSpan.FromSeconds(20));

        var backlog = await Run(MonitorKind.Threshold, queue);
        var drained = await Run(MonitorKind.Threshold, wallet);
        Assert.Equal(ProbeFailure.OutOfBand, backlog.Failure);
        Assert.Contains("above 1800", backlog.Message);
        Assert.Equal(ProbeFailure.OutOfBand, drained.Failure);
        Assert.Contains("= 5, below 10", drained.Message);
    }

    [Fact]
    public async Task HeightLagComparesTheNodeWithTheReference()
    {
        var settings = new MonitorSettings
        {
            Url = Sim.Url + "/v1/nodes/ethereum",
            ReferenceUrl = Sim.Url + "/v1/reference/ethereum",
            JsonPath = "$.data.height",
            MaxLag = 5,
        };
        Assert.True((await Run(MonitorKind.HeightLag, settings)).Up);

        await Sim.InjectAsync(new { type = "node_lag", chain = "ethereum", blocks = 30 });

        var behind = await Run(MonitorKind.HeightLag, settings);
        Assert.Equal(ProbeFailure.Lag, behind.Failure);
        Assert.Equal("30 blocks behind the reference (limit 5)", behind.Message);
    }

    [Fact]
    public async Task TcpAndDnsProbes()
    {
        var closedPort = LoopbackPorts.Next();

        Assert.True((await Run(MonitorKind.Tcp, new() { Host = "127.0.0.1", Port = Sim.Port })).Up);
        Assert.Equal(ProbeFailure.Connect, (await Run(MonitorKind.Tcp, new() { Host = "127.0.0.1", Port = closedPort })).Failure);
        Assert.True((await Run(MonitorKind.Dns, new() { Host = "localhost", RecordType = "A", Expect = ["127.0.0.1"] })).Up);
        Assert.Equal(ProbeFailure.Dns, (await Run(MonitorKind.Dns, new() { Host = "no-such-host.invalid" })).Failure);
    }

    [Fact]
    public async Task TlsReportsDaysLeftAndRefusesUntrustedCertificatesUnlessAllowed()
    {
        using var certificate = SelfSigned(TimeSpan.FromDays(10));
        await using var server = await RawServer.StartAsync(async (client, ct) =>
        {
            await using var ssl = new SslStream(client.GetStream());
            await ssl.AuthenticateAsServerAsync(certificate);
            await Task.Delay(500, ct);
        });

        var untrusted = await Run(MonitorKind.Tls, new() { Host = "localhost", Port = server.Port });
        var soon = await Run(MonitorKind.Tls, new() { Host = "localhost", Port = server.Port, AllowUntrusted = true, MinDaysLeft = 14 });
        var fine = await Run(MonitorKind.Tls, new() { Host = "localhost", Port = server.Port, AllowUntrusted = true, MinDaysLeft = 7 });

        Assert.Equal(ProbeFailure.Tls, untrusted.Failure);
        Assert.Contains("not trusted", untrusted.Message);
        Assert.Equal(ProbeFailure.Tls, soon.Failure);
        Assert.Contains("expires in", soon.Message);
        Assert.True(fine.Up, fine.Message);
    }

    [Fact]
    public async Task SqlProbeReadsAScalarAgainstItsBand()
    {
        var gap = new MonitorSettings { Connection = "ledger", Query = "SELECT abs(book - chain) FROM balances", Max = 1 };
        Assert.True((await Run(MonitorKind.Sql, gap)).Up);

        var strict = await Run(MonitorKind.Sql, gap with { Max = 0.1 });
        var broken = await Run(MonitorKind.Sql, gap with { Query = "SELECT nothing FROM nowhere" });
        var writes = await Run(MonitorKind.Sql, gap with { Query = "UPDATE balances SET book = 0 RETURNING book" });

        Assert.Equal(ProbeFailure.OutOfBand, strict.Failure);
        Assert.Equal(ProbeFailure.Sql, broken.Failure);
        Assert.Equal(ProbeFailure.Sql, writes.Failure); // read-only connection
        Assert.True((await Run(MonitorKind.Sql, gap)).Up);
    }

    [Fact]
    public async Task TargetsThatHangResetOrAnswerGarbageAreFailuresNotCrashes()
    {
        await using var hang = await RawServer.StartAsync(async (_, ct) => await Task.Delay(Timeout.Infinite, ct));
        await using var reset = await RawServer.StartAsync((client, _) =>
        {
            client.Client.LingerState = new LingerOption(true, 0); // RST instead of FIN
            client.Close();
            return Task.CompletedTask;
        });
        await using var garbage = await RawServer.StartAsync(async (client, ct) =>
        {
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("\u0001\u0002 this is not HTTP \r\n\r\n\u00ff"), ct);
            await Task.Delay(200, ct);
        });
        await using var huge = await RawServer.StartAsync(async (client, ct) =>
        {
            var stream = client.GetStream();
            // Take the request first and close only after the prober has: closing with its request
            // unread would send a reset, which the prober may see before the body (a Connect
            // failure, not the Body one this target is for) when loopback buffers take all 4 MB.
            var request = new byte[4096];
            _ = await stream.ReadAsync(request, ct);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"), ct);
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'[');
            for (var i = 0; i < 64 && !ct.IsCancellationRequested; i++)
            {
                await stream.WriteAsync(chunk, ct);
            }
            while (await stream.ReadAsync(request, ct) > 0)
            {
            }
        });

        var timedOut = await Run(MonitorKind.Http, new() { Url = $"http://127.0.0.1:{hang.Port}/" }, timeoutMs: 300);
        var wasReset = await Run(MonitorKind.Http, new() { Url = $"http://127.0.0.1:{reset.Port}/" });
        var nonsense = await Run(MonitorKind.Http, new() { Url = $"http://127.0.0.1:{garbage.Port}/" });
        var tooBig = await Run(MonitorKind.Http, new() { Url = $"http://127.0.0.1:{huge.Port}/", JsonPath = "$.a" });
        var tlsHang = await Run(MonitorKind.Tls, new() { Host = "127.0.0.1", Port = hang.Port }, timeoutMs: 300);

        Assert.Equal(ProbeFailure.Timeout, timedOut.Failure);
        Assert.InRange(timedOut.LatencyMs, 250, 2000);
        Assert.Equal(ProbeFailure.Connect, wasReset.Failure);
        Assert.False(nonsense.Up);
        Assert.Equal(ProbeFailure.Body, tooBig.Failure);
        Assert.Equal(ProbeFailure.Timeout, tlsHang.Failure);
    }

    private static X509Certificate2 SelfSigned(TimeSpan validFor)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.Add(validFor));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}

/// <summary>A TCP server on a loopback port that does whatever the test says with each connection.</summary>
internal sealed class RawServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private RawServer(int port, Func<TcpClient, CancellationToken, Task> handle)
    {
        Port = port;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await handle(client, _stop.Token);
                        }
                        catch (Exception)
                        {
                            // The point of these servers is to misbehave.
                        }
                    }
                });
            }
        });
    }

    public int Port { get; }

    public static Task<RawServer> StartAsync(Func<TcpClient, CancellationToken, Task> handle) => Task.FromResult(new RawServer(LoopbackPorts.Next(), handle));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
