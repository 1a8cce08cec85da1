using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fukkyu.Tests.Comms;

public sealed record FakeRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>A real HTTP server on loopback standing in for a third-party API (FCM, X): records requests, answers with a script.</summary>
public sealed class FakeApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeApi(WebApplication app) => _app = app;

    public ConcurrentQueue<FakeRequest> Received { get; } = new();

    public string Url { get; private set; } = "";

    public static async Task<FakeApi> StartAsync(Func<FakeRequest, HttpResponse, Task> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeApi(app);
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var request = new FakeRequest(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString,
                ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), await reader.ReadToEndAsync());
            fake.Received.Enqueue(request);
            await answer(request, ctx.Response);
        });
        await app.StartAsync();
        fake.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
