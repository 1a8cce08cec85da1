using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fukkyu.Tests.Drills;

public sealed record SimulatorCall(string Method, string Path, string Body);

/// <summary>
/// A real HTTP server on loopback standing in for the exchange simulator's fault API: it records
/// every call and answers like it (201 for a fault, 204 for a clear, 404 for an unknown fault).
/// Listens on this feature's port range, 18400–18499.
/// </summary>
public sealed class FakeSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeSimulator(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public ConcurrentQueue<SimulatorCall> Calls { get; } = new();

    public HashSet<string> Active { get; } = [];

    public string Url { get; }

    public static async Task<FakeSimulator> StartAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = 18400 + Random.Shared.Next(0, 100);
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var sim = new FakeSimulator(app, $"http://127.0.0.1:{port}");
            app.Map("/{**path}", async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                var body = await reader.ReadToEndAsync();
                var path = ctx.Request.Path.Value ?? "";
                sim.Calls.Enqueue(new SimulatorCall(ctx.Request.Method, path, body));
                if (ctx.Request.Method == "POST" && path == "/faults")
                {
                    var id = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
                    lock (sim.Active)
                    {
                        sim.Active.Add(id);
                    }
                    ctx.Response.StatusCode = 201;
                    return;
                }
                if (ctx.Request.Method == "DELETE" && path.StartsWith("/faults/", StringComparison.Ordinal))
                {
                    bool removed;
                    lock (sim.Active)
                    {
                        removed = sim.Active.Remove(path["/faults/".Length..]);
                    }
                    ctx.Response.StatusCode = removed ? 204 : 404;
                    return;
                }
                ctx.Response.StatusCode = 202;
            });
            try
            {
                await app.StartAsync();
                return sim;
            }
            catch (IOException) when (attempt < 20)
            {
                await app.DisposeAsync();
            }
            catch (SocketException) when (attempt < 20)
            {
                await app.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
