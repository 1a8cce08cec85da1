using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExchangeSimulator;
using Fukkyu.Tests.Alerts;
using Fukkyu.Tests.Detection;
using Fukkyu.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace Fukkyu.Tests.Monitoring;

/// <summary>A running exchange simulator on a loopback port; dispose to stop it.</summary>
internal sealed class Sim : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Sim(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri(Url) };
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public HttpClient Http { get; }

    public static async Task<Sim> StartAsync(TimeProvider? time = null)
    {
        var port = LoopbackPorts.Next();
        return new Sim(await SimulatorHost.StartAsync(port, time), port);
    }

    public async Task<string> InjectAsync(object fault)
    {
        var response = await Http.PostAsJsonAsync("/faults", fault);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Json()).GetProperty("id").GetString()!;
    }

    public async Task ClearAsync() => Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync("/faults")).StatusCode);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
    }
}

internal static class MonitorKit
{
    public static async Task<JsonElement> CreateAsync(HttpClient admin, object monitor) =>
        await admin.PostJson("/api/v1/monitors", monitor, HttpStatusCode.Created);

    public static async Task<JsonElement> CheckAsync(HttpClient admin, string id) =>
        await admin.PostJson($"/api/v1/monitors/{id}/check", new { });

    /// <summary>Checks until the monitor reports the state; returns how many checks it took.</summary>
    public static async Task<int> CheckUntilAsync(HttpClient admin, string id, string state, int max = 10)
    {
        for (var i = 1; i <= max; i++)
        {
            var r = await CheckAsync(admin, id);
            Assert.True(r.GetProperty("recorded").GetBoolean(), "the check was not recorded by the scheduler");
            if (r.GetProperty("state").GetString() == state)
            {
                return i;
            }
        }
        Assert.Fail($"Monitor {id} did not become {state} in {max} checks.");
        return max;
    }

    /// <summary>Waits until this test server's scheduler holds the lease.</summary>
    public static Task LeaderAsync(HttpClient admin) =>
        AlertKit.EventuallyAsync(() => admin.GetJson("/api/v1/monitors/stats"), s => s.GetProperty("leader").GetBoolean(), "the scheduler to lead");
}
