using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Tests.Detection;
using Fukkyu.Tests.Infrastructure;
using static Fukkyu.Tests.Alerts.AlertKit;

namespace Fukkyu.Tests.Alerts;

/// <summary>
/// The real sender: Debian's <c>prometheus-alertmanager</c> on loopback with a webhook receiver
/// pointing at Fukkyu (Kestrel), an alert posted to its API, resolved, and seen in Fukkyu.
/// Skipped on a machine without Alertmanager; in CI (CI=true) a missing binary fails the test.
/// </summary>
public sealed class RealAlertmanagerTests
{
    private static string? Binary()
    {
        var configured = Environment.GetEnvironmentVariable("FUKKYU_ALERTMANAGER");
        foreach (var path in new[] { configured, "/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager", "/usr/local/bin/alertmanager" })
        {
            if (!string.IsNullOrEmpty(path) && File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    [Fact]
    public async Task AlertmanagerDeliversAFiringAndAResolvedAlertThatFukkyuRoutes()
    {
        var binary = Binary();
        if (binary is null)
        {
            Assert.False(Stores.InCi, "prometheus-alertmanager is not installed in CI (.ci/setup.d/detection.packages).");
            Assert.Skip("prometheus-alertmanager is not installed; set FUKKYU_ALERTMANAGER or install the Debian package.");
        }
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, kestrel: true);
        // A real socket, so the clients speak to the Kestrel address.
        using var admin = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", FukkyuApp.AdminKey);
        var (_, key) = await IntegrationAsync(admin, "alertmanager", name: "Alertmanager prod");
        await using var am = await AlertmanagerProcess.StartAsync(binary!, $"{app.BaseUrl}/api/v1/integrations/alertmanager", key);

        var startsAt = DateTime.UtcNow.AddMinutes(-2);
        var alert = new Dictionary<string, object>
        {
            ["labels"] = new Dictionary<string, string> { ["alertname"] = "BtcTickerStale", ["severity"] = "critical", ["component"] = "trading.btc_jpy", ["instance"] = "ticker-1" },
            ["annotations"] = new Dictionary<string, string> { ["summary"] = "BTC/JPY ticker has not moved for 2 minutes" },
            ["startsAt"] = startsAt.ToString("O"),
            ["generatorURL"] = "http://prometheus.local/graph?g0.expr=ticker_age",
        };
        Assert.Equal(HttpStatusCode.OK, (await am.Http.PostAsJsonAsync("/api/v2/alerts", new[] { alert })).StatusCode);

        var fired = await EventuallyAsync(() => AlertsAsync(admin), a => a.GetArrayLength() == 1 && a[0].GetProperty("routed").GetBoolean(), "Alertmanager's notification", seconds: 60);
        var received = fired[0];
        Assert.Equal("BTC/JPY ticker has not moved for 2 minutes", received.GetProperty("summary").GetString());
        Assert.Equal("critical", received.GetProperty("severity").GetString());
        Assert.Equal("Alertmanager", received.GetProperty("client").GetString());
        Assert.Equal("opened", received.GetProperty("outcome").GetString());
        var number = received.GetProperty("incident").GetProperty("number").GetString()!;
        var incident = await admin.GetJson($"/api/v1/incidents/{number}");
        Assert.Equal("trading", incident.GetProperty("category").GetString());
        Assert.InRange(incident.GetProperty("detectedAt").GetDateTime().ToUniversalTime(), startsAt.AddSeconds(-1), startsAt.AddSeconds(1));

        alert["endsAt"] = DateTime.UtcNow.AddSeconds(-1).ToString("O");
        Assert.Equal(HttpStatusCode.OK, (await am.Http.PostAsJsonAsync("/api/v2/alerts", new[] { alert })).StatusCode);

        await EventuallyAsync(() => AlertsAsync(admin), a => a[0].GetProperty("status").GetString() == "resolved" && a[0].GetProperty("routed").GetBoolean(),
            "the resolved notification", seconds: 60);
        var timeline = await admin.GetJson($"/api/v1/incidents/{number}/timeline");
        Assert.Equal("alert_resolved", timeline.EnumerateArray().Last().GetProperty("kind").GetString());
        Assert.Equal("detected", (await admin.GetJson($"/api/v1/incidents/{number}")).GetProperty("status").GetString());
    }
}

/// <summary>A real Alertmanager on a loopback port with one webhook receiver; killed on dispose.</summary>
internal sealed class AlertmanagerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private AlertmanagerProcess(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public HttpClient Http { get; }

    public static async Task<AlertmanagerProcess> StartAsync(string binary, string webhookUrl, string bearer)
    {
        var dir = Directory.CreateTempSubdirectory("fukkyu-am-").FullName;
        var port = LoopbackPorts.Next();
        // Fast grouping so the test is quick; send_resolved so Fukkyu hears the recovery.
        await File.WriteAllTextAsync(Path.Combine(dir, "alertmanager.yml"), $"""
            route:
              receiver: fukkyu
              group_by: ['alertname']
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: fukkyu
                webhook_configs:
                  - url: '{webhookUrl}'
                    send_resolved: true
                    http_config:
                      authorization:
                        type: Bearer
                        credentials: '{bearer}'
            """);
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            $"--config.file={Path.Combine(dir, "alertmanager.yml")}", $"--storage.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn",
        })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => log.AppendLine(e.Data);
        process.ErrorDataReceived += (_, e) => log.AppendLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var am = new AlertmanagerProcess(process, dir, port);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Alertmanager exited with {process.ExitCode}: {log}");
            }
            try
            {
                if ((await am.Http.GetAsync("/-/ready")).IsSuccessStatusCode)
                {
                    return am;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        await am.DisposeAsync();
        throw new TimeoutException($"Alertmanager did not become ready: {log}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it is a temp folder.
        }
    }
}
