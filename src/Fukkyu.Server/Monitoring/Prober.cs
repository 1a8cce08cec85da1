using System.Buffers;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Fukkyu.Server.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fukkyu.Server.Monitoring;

/// <summary>Why a probe failed; packed into each raw sample, so the values never change.</summary>
public enum ProbeFailure : byte
{
    None = 0,
    Timeout = 1,
    Connect = 2,
    Status = 3,
    Latency = 4,
    Body = 5,
    Json = 6,
    Assertion = 7,
    Tls = 8,
    Dns = 9,
    Stale = 10,
    OutOfBand = 11,
    Lag = 12,
    Sql = 13,
    NoHeartbeat = 14,
    Error = 15,
}

/// <summary>One check's outcome. A probe never throws: every failure is a result.</summary>
public readonly record struct ProbeResult(bool Up, double LatencyMs, ProbeFailure Failure, string? Message)
{
    public static ProbeResult Ok(double latencyMs, string? message = null) => new(true, latencyMs, ProbeFailure.None, message);

    public static ProbeResult Fail(ProbeFailure failure, double latencyMs, string message) =>
        new(false, latencyMs, failure, message.Length > MonitorLimits.Message ? message[..MonitorLimits.Message] : message);
}

/// <summary>A monitor compiled for probing, plus what a probe remembers between checks.</summary>
public sealed class ProbeTarget
{
    public ProbeTarget(HealthMonitor m)
    {
        Id = m.Id;
        Name = m.Name;
        Kind = m.Kind;
        CreatedAt = m.CreatedAt;
        Timeout = TimeSpan.FromMilliseconds(Math.Clamp(m.TimeoutMs, 1, MonitorLimits.MaxTimeoutMs));
        Settings = MonitorSettings.FromJson(m.Settings);
        Statuses = StatusRanges.Parse(Settings.ExpectStatus) ?? [(200, 299)];
        Path = Settings.JsonPath is { } p && JsonPathExpression.TryParse(p, out var path) ? path : null;
        ReferencePath = (Settings.ReferenceJsonPath ?? Settings.JsonPath) is { } r && JsonPathExpression.TryParse(r, out var rp) ? rp : null;
    }

    public Guid Id { get; }
    public string Name { get; }
    public MonitorKind Kind { get; }
    public DateTime CreatedAt { get; }
    public TimeSpan Timeout { get; }
    public MonitorSettings Settings { get; }
    public (int From, int To)[] Statuses { get; }
    public JsonPathExpression? Path { get; }
    public JsonPathExpression? ReferencePath { get; }

    /// <summary>freshness/sequence: the last value seen and when it last changed.</summary>
    public string? LastSequence { get; set; }
    public DateTime LastSequenceChangedAt { get; set; }
}

public sealed class SqlConnectionOptions
{
    /// <summary><c>postgres</c> or <c>sqlite</c>.</summary>
    public string Provider { get; set; } = "postgres";
    public string ConnectionString { get; set; } = "";
}

/// <summary>
/// Runs one check of any kind. Every target has a timeout through a linked token; whatever
/// goes wrong — a hang, a reset, garbage, a 10 GB body — comes back as a failed result.
/// </summary>
public sealed class Prober(IHttpClientFactory httpFactory, IOptionsMonitor<MonitoringOptions> options, IServiceScopeFactory scopes, TimeProvider time, HeartbeatBoard beats)
{
    public const string HttpClientName = "fukkyu-probes";

    public async Task<ProbeResult> RunAsync(ProbeTarget t, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(t.Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return t.Kind switch
            {
                MonitorKind.Http => await HttpAsync(t, started, cts.Token),
                MonitorKind.Tcp => await TcpAsync(t, started, cts.Token),
                MonitorKind.Tls => await TlsAsync(t, started, cts.Token),
                MonitorKind.Dns => await DnsAsync(t, started, cts.Token),
                MonitorKind.Heartbeat => await HeartbeatAsync(t, started, cts.Token),
                MonitorKind.Freshness => await FreshnessAsync(t, started, cts.Token),
                MonitorKind.Threshold => await ThresholdAsync(t, started, cts.Token),
                MonitorKind.HeightLag => await HeightLagAsync(t, started, cts.Token),
                MonitorKind.Sql => await SqlAsync(t, started, cts.Token),
                _ => ProbeResult.Fail(ProbeFailure.Error, 0, $"Unknown kind {t.Kind}"),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ProbeResult.Fail(ProbeFailure.Timeout, Ms(started), $"No answer within {t.Timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException e)
        {
            return ProbeResult.Fail(ProbeFailure.Connect, Ms(started), e.Message);
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail(ProbeFailure.Connect, Ms(started), e.Message);
        }
        catch (IOException e)
        {
            return ProbeResult.Fail(ProbeFailure.Connect, Ms(started), e.Message);
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            return ProbeResult.Fail(ProbeFailure.Tls, Ms(started), e.Message);
        }
        catch (DbException e)
        {
            return ProbeResult.Fail(ProbeFailure.Sql, Ms(started), e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ProbeResult.Fail(ProbeFailure.Error, Ms(started), $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static double Ms(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private sealed record Fetched(int Status, byte[]? Body, bool TooLarge);

    private async Task<Fetched> FetchAsync(string url, MonitorSettings s, bool readBody, CancellationToken ct)
    {
        var http = httpFactory.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(new HttpMethod(s.Method ?? "GET"), url);
        foreach (var (name, value) in s.Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (s.Body is not null && s.Method == "POST")
        {
            request.Content = new StringContent(s.Body, Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!readBody)
        {
            return new Fetched((int)response.StatusCode, null, false);
        }
        if (response.Content.Headers.ContentLength > MonitorLimits.MaxBodyBytes)
        {
            return new Fetched((int)response.StatusCode, null, true);
        }
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new ArrayBufferWriter<byte>(8192);
        while (true)
        {
            var read = await stream.ReadAsync(buffer.GetMemory(8192), ct);
            if (read == 0)
            {
                return new Fetched((int)response.StatusCode, buffer.WrittenSpan.ToArray(), false);
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > MonitorLimits.MaxBodyBytes)
            {
                return new Fetched((int)response.StatusCode, null, true);
            }
        }
    }

    private async Task<ProbeResult> HttpAsync(ProbeTarget t, long started, CancellationToken ct)
    {
        var s = t.Settings;
        var needBody = s.BodyContains is not null || t.Path is not null;
        var fetched = await FetchAsync(s.Url!, s, needBody && s.Method != "HEAD", ct);
        var ms = Ms(started);
        if (!StatusRanges.Accepts(t.Statuses, fetched.Status))
        {
            return ProbeResult.Fail(ProbeFailure.Status, ms, $"HTTP {fetched.Status}");
        }
        if (s.LatencyBudgetMs is { } budget && ms > budget)
        {
            return ProbeResult.Fail(ProbeFailure.Latency, ms, $"{ms:0} ms, over the {budget} ms budget");
        }
        if (needBody)
        {
            if (fetched.TooLarge || fetched.Body is null)
            {
                return ProbeResult.Fail(ProbeFailure.Body, ms, $"Body larger than {MonitorLimits.MaxBodyBytes / 1024} KB");
            }
            if (s.BodyContains is { } text && !Encoding.UTF8.GetString(fetched.Body).Contains(text, StringComparison.Ordinal))
            {
                return ProbeResult.Fail(ProbeFailure.Body, ms, $"Body does not contain \"{Cut(text)}\"");
            }
            if (t.Path is not null)
            {
                var (value, error) = Extract(fetched, t.Path, s.JsonPath!);
                if (error is not null)
                {
                    return ProbeResult.Fail(error.Value.Failure, ms, error.Value.Message);
                }
                var actual = JsonPathExpression.Text(value!.Value);
                if (s.Expect is { Length: > 0 } expect && !expect.Contains(actual, StringComparer.Ordinal))
                {
                    return ProbeResult.Fail(ProbeFailure.Assertion, ms, $"{s.JsonPath} is \"{Cut(actual)}\", expected {string.Join(" or ", expect.Select(e => $"\"{e}\""))}");
                }
            }
        }
        return ProbeResult.Ok(ms, $"HTTP {fetched.Status}");
    }

    /// <summary>The value at the path, or why there is none (not JSON, nothing there).</summary>
    private static (JsonElement? Value, (ProbeFailure Failure, string Message)? Error) Extract(Fetched fetched, JsonPathExpression path, string pathText)
    {
        if (fetched.TooLarge || fetched.Body is null)
        {
            return (null, (ProbeFailure.Body, $"Body larger than {MonitorLimits.MaxBodyBytes / 1024} KB"));
        }
        try
        {
            using var doc = JsonDocument.Parse(fetched.Body, new JsonDocumentOptions { MaxDepth = 64 });
            var value = path.Evaluate(doc.RootElement);
            return value is null
                ? (null, (ProbeFailure.Assertion, $"Nothing at {pathText}"))
                : (value.Value.Clone(), null);
        }
        catch (JsonException)
        {
            return (null, (ProbeFailure.Json, "The answer is not JSON"));
        }
    }

    private async Task<(JsonElement? Value, ProbeResult? Failed)> FetchValueAsync(string url, ProbeTarget t, JsonPathExpression path, string pathText, long started, CancellationToken ct)
    {
        var fetched = await FetchAsync(url, t.Settings with { Method = "GET", Body = null }, readBody: true, ct);
        if (fetched.Status is < 200 or > 299)
        {
            return (null, ProbeResult.Fail(ProbeFailure.Status, Ms(started), $"HTTP {fetched.Status} from {url}"));
        }
        var (value, error) = Extract(fetched, path, pathText);
        return error is { } e ? (null, ProbeResult.Fail(e.Failure, Ms(started), e.Message)) : (value, null);
    }

    private async Task<ProbeResult> FreshnessAsync(ProbeTarget t, long started, CancellationToken ct)
    {
        var s = t.Settings;
        var (value, failed) = await FetchValueAsync(s.Url!, t, t.Path!, s.JsonPath!, started, ct);
        if (failed is { } f)
        {
            return f;
        }
        var ms = Ms(started);
        var now = Now;
        var maxAge = TimeSpan.FromSeconds(s.MaxAgeSeconds ?? 60);
        if (s.Mode == "sequence")
        {
            var current = JsonPathExpression.Text(value!.Value);
            if (t.LastSequence != current)
            {
                t.LastSequence = current;
                t.LastSequenceChangedAt = now;
                return ProbeResult.Ok(ms, $"sequence {Cut(current)}");
            }
            var unchanged = now - t.LastSequenceChangedAt;
            return unchanged > maxAge
                ? ProbeResult.Fail(ProbeFailure.Stale, ms, $"{s.JsonPath} stuck at {Cut(current)} for {unchanged.TotalSeconds:0} s (limit {maxAge.TotalSeconds:0} s)")
                : ProbeResult.Ok(ms, $"sequence {Cut(current)}");
        }
        if (ToTime(value!.Value) is not { } stamp)
        {
            return ProbeResult.Fail(ProbeFailure.Assertion, ms, $"{s.JsonPath} is not a time: {Cut(JsonPathExpression.Text(value.Value))}");
        }
        var age = now - stamp;
        return age > maxAge
            ? ProbeResult.Fail(ProbeFailure.Stale, ms, $"{s.JsonPath} is {age.TotalSeconds:0} s old (limit {maxAge.TotalSeconds:0} s)")
            : ProbeResult.Ok(ms, $"{Math.Max(0, age.TotalSeconds):0} s old");
    }

    /// <summary>An ISO 8601 time, or epoch seconds or milliseconds (as a number or a string).</summary>
    public static DateTime? ToTime(JsonElement e)
    {
        if (JsonPathExpression.Number(e) is { } n && n > 0)
        {
            var ms = n > 1e12 ? n : n * 1000;
            return ms < 253402300799000 ? DateTime.UnixEpoch.AddMilliseconds(ms) : null;
        }
        if (e.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(e.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return t.UtcDateTime;
        }
        return null;
    }

    private async Task<ProbeResult> ThresholdAsync(ProbeTarget t, long started, CancellationToken ct)
    {
        var s = t.Settings;
        var (value, failed) = await FetchValueAsync(s.Url!, t, t.Path!, s.JsonPath!, started, ct);
        if (failed is { } f)
        {
            return f;
        }
        var ms = Ms(started);
        if (JsonPathExpression.Number(value!.Value) is not { } n)
        {
            return ProbeResult.Fail(ProbeFailure.Assertion, ms, $"{s.JsonPath} is not a number: {Cut(JsonPathExpression.Text(value.Value))}");
        }
        return Band(n, s, ms, s.JsonPath!);
    }

    private static ProbeResult Band(double n, MonitorSettings s, double ms, string what)
    {
        var text = n.ToString("0.########", CultureInfo.InvariantCulture);
        if (s.Min is { } min && n < min)
        {
            return ProbeResult.Fail(ProbeFailure.OutOfBand, ms, $"{what} = {text}, below {min.ToString(CultureInfo.InvariantCulture)}");
        }
        if (s.Max is { } max && n > max)
        {
            return ProbeResult.Fail(ProbeFailure.OutOfBand, ms, $"{what} = {text}, above {max.ToString(CultureInfo.InvariantCulture)}");
        }
        return ProbeResult.Ok(ms, $"{what} = {text}");
    }

    private async Task<ProbeResult> HeightLagAsync(ProbeTarget t, long started, CancellationToken ct)
    {
        var s = t.Settings;
        var node = FetchValueAsync(s.Url!, t, t.Path!, s.JsonPath!, started, ct);
        var reference = FetchValueAsync(s.ReferenceUrl!, t, t.ReferencePath!, s.ReferenceJsonPath ?? s.JsonPath!, started, ct);
        var (nodeValue, nodeFailed) = await node;
        var (refValue, refFailed) = await reference;
        if (nodeFailed is { } nf)
        {
            return nf;
        }
        if (refFailed is { } rf)
        {
            return rf with { Message = "Reference: " + rf.Message };
        }
        var ms = Ms(started);
        if (JsonPathExpression.Number(nodeValue!.Value) is not { } h || JsonPathExpression.Number(refValue!.Value) is not { } r)
        {
            return ProbeResult.Fail(ProbeFailure.Assertion, ms, "A height is not a number");
        }
        var lag = (long)(r - h);
        return lag > (s.MaxLag ?? 0)
            ? ProbeResult.Fail(ProbeFailure.Lag, ms, $"{lag} blocks behind the reference (limit {s.MaxLag})")
            : ProbeResult.Ok(ms, $"{lag} blocks behind");
    }

    private static async Task<ProbeResult> TcpAsync(ProbeTarget t, long started, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(t.Settings.Host!, t.Settings.Port ?? 0, ct);
        return ProbeResult.Ok(Ms(started), $"Connected to {t.Settings.Host}:{t.Settings.Port}");
    }

    private async Task<ProbeResult> TlsAsync(ProbeTarget t, long started, CancellationToken ct)
    {
        var s = t.Settings;
        using var client = new TcpClient();
        await client.ConnectAsync(s.Host!, s.Port ?? 443, ct);
        X509Certificate2? certificate = null;
        var errors = SslPolicyErrors.None;
        await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = s.Host,
            // Look at the certificate whatever it is; the verdict is ours, below.
            RemoteCertificateValidationCallback = (_, cert, _, e) =>
            {
                certificate = cert is null ? null : new X509Certificate2(cert);
                errors = e;
                return true;
            },
        }, ct);
        var ms = Ms(started);
        using (certificate)
        {
            if (certificate is null)
            {
                return ProbeResult.Fail(ProbeFailure.Tls, ms, "No certificate");
            }
            if (errors != SslPolicyErrors.None && s.AllowUntrusted != true)
            {
                return ProbeResult.Fail(ProbeFailure.Tls, ms, $"Certificate not trusted: {errors}");
            }
            var daysLeft = (certificate.NotAfter.ToUniversalTime() - Now).TotalDays;
            var min = s.MinDaysLeft ?? 14;
            return daysLeft < min
                ? ProbeResult.Fail(ProbeFailure.Tls, ms, $"Certificate expires in {daysLeft:0.#} days (limit {min})")
                : ProbeResult.Ok(ms, $"Certificate valid for {daysLeft:0} more days");
        }
    }

    private static async Task<ProbeResult> DnsAsync(ProbeTarget t, long started, CancellationToken ct)
    {
        var s = t.Settings;
        var family = s.RecordType switch
        {
            "A" => AddressFamily.InterNetwork,
            "AAAA" => AddressFamily.InterNetworkV6,
            _ => AddressFamily.Unspecified,
        };
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(s.Host!, family, ct);
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail(ProbeFailure.Dns, Ms(started), $"{s.Host}: {e.SocketErrorCode}");
        }
        var ms = Ms(started);
        if (addresses.Length == 0)
        {
            return ProbeResult.Fail(ProbeFailure.Dns, ms, $"{s.Host}: no {s.RecordType ?? "A/AAAA"} records");
        }
        var found = addresses.Select(a => a.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = (s.Expect ?? []).Where(e => !found.Contains(e)).ToList();
        return missing.Count > 0
            ? ProbeResult.Fail(ProbeFailure.Dns, ms, $"{s.Host} resolves to {string.Join(", ", found)}, not {string.Join(", ", missing)}")
            : ProbeResult.Ok(ms, $"{s.Host} → {string.Join(", ", found.Take(4))}");
    }

    private async Task<ProbeResult> HeartbeatAsync(ProbeTarget t, long started, CancellationToken ct)
    {
        var last = beats.Last(t.Id);
        var grace = TimeSpan.FromSeconds(t.Settings.GraceSeconds ?? 60);
        var now = Now;
        if (last is null || now - last > grace)
        {
            // The beat may have reached another node: the database has the last one.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            var stored = await db.Monitors.Where(m => m.Id == t.Id).Select(m => m.LastBeatAt).FirstOrDefaultAsync(ct);
            if (stored > last || last is null)
            {
                last = stored;
            }
        }
        var since = last ?? t.CreatedAt;
        var ms = Ms(started);
        return now - since > grace
            ? ProbeResult.Fail(ProbeFailure.NoHeartbeat, ms, last is null ? $"No beat since the monitor was created ({(now - since).TotalSeconds:0} s)" : $"No beat for {(now - since).TotalSeconds:0} s (limit {grace.TotalSeconds:0} s)")
            : ProbeResult.Ok(ms, $"Last beat {(now - since).TotalSeconds:0} s ago");
    }

    private async Task<ProbeResult> SqlAsync(ProbeTarget t, long started, CancellationToken ct)
    {
        var s = t.Settings;
        if (!options.CurrentValue.Connections.TryGetValue(s.Connection ?? "", out var connection))
        {
            return ProbeResult.Fail(ProbeFailure.Sql, 0, $"No connection named {s.Connection} in Fukkyu:Monitoring:Connections");
        }
        await using DbConnection conn = connection.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase)
            ? new SqliteConnection(new SqliteConnectionStringBuilder(connection.ConnectionString) { Mode = SqliteOpenMode.ReadOnly }.ConnectionString)
            : new NpgsqlConnection(connection.ConnectionString);
        await conn.OpenAsync(ct);
        // Read-only: a monitor's query must never change the ledger it checks.
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (conn is NpgsqlConnection)
        {
            await using var ro = conn.CreateCommand();
            ro.Transaction = tx;
            ro.CommandText = "SET TRANSACTION READ ONLY";
            await ro.ExecuteNonQueryAsync(ct);
        }
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = s.Query!;
        cmd.CommandTimeout = Math.Max(1, (int)Math.Ceiling(t.Timeout.TotalSeconds));
        var scalar = await cmd.ExecuteScalarAsync(ct);
        await tx.RollbackAsync(ct);
        var ms = Ms(started);
        if (scalar is null or DBNull)
        {
            return ProbeResult.Fail(ProbeFailure.Sql, ms, "The query returned no value");
        }
        double n;
        try
        {
            n = Convert.ToDouble(scalar, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            return ProbeResult.Fail(ProbeFailure.Sql, ms, $"The query returned {Cut(scalar.ToString() ?? "")}, not a number");
        }
        return Band(n, s, ms, "value");
    }

    private static string Cut(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
