using System.Net;
using System.Net.Http.Headers;
using Fukkyu.Server.StatusPage;
using Fukkyu.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using static Fukkyu.Tests.Comms.CommsKit;

namespace Fukkyu.Tests.Comms;

/// <summary>
/// <c>fukkyu-edge</c> (decision 052): the public page from the snapshot the server saves, the same
/// bytes and headers, following the server's changes, and still there when the server is not.
/// Hosted in this process without inline sockets (that setting is the whole process's).
/// </summary>
public sealed class StatusEdgeTests : IDisposable
{
    private static readonly string[] Paths = ["/", "/api/v2/summary.json", "/en/api/v2/summary.json", "/ja/history", "/en/feed.rss", "/maintenance.ics"];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fukkyu-edge-" + Guid.NewGuid().ToString("N")[..8]);

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheEdgeServesTheServersBytesFollowsItsChangesAndOutlivesIt(Store store)
    {
        var app = await FukkyuApp.StartAsync(store, settings: new Dictionary<string, string?> { ["Fukkyu:StatusPage:SnapshotDirectory"] = _dir });
        await using var edge = await StartEdgeAsync();
        var ct = TestContext.Current.CancellationToken;
        try
        {
            var admin = app.Admin();
            var (_, number) = await DeclareAsync(admin, MinorIncident("Edge <script>alert(1)</script> check"));
            await RefreshAsync(app);
            var server = app.Anonymous();
            foreach (var path in Paths)
            {
                foreach (var encoding in new[] { "", "br", "gzip" })
                {
                    var (sBody, sTag, sEncoding) = await GetAsync(server, path, encoding, ct);
                    var (eBody, eTag, eEncoding) = await EventuallyAsync(edge.Client, path, encoding, b => b.AsSpan().SequenceEqual(sBody), ct);
                    Assert.Equal(sTag, eTag);
                    Assert.Equal(sEncoding, eEncoding);
                }
            }
            Assert.Equal(HttpStatusCode.NotModified, (await edge.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v2/summary.json")
            {
                Headers = { IfNoneMatch = { EntityTagHeaderValue.Parse((await edge.Client.GetAsync("/api/v2/summary.json", ct)).Headers.ETag!.ToString()) } },
            }, ct)).StatusCode);

            // A published update reaches the edge through the saved file.
            await PostNoticeAsync(admin, number, Notice("エッジ確認の更新", "Edge check update", deliver: false));
            await RefreshAsync(app);
            await EventuallyAsync(edge.Client, "/en/api/v2/summary.json", "", b => System.Text.Encoding.UTF8.GetString(b).Contains("Edge check update", StringComparison.Ordinal), ct);
        }
        finally
        {
            await app.DisposeAsync();
        }

        // The server is gone; the edge still answers with the last snapshot, and says it is healthy.
        var after = await edge.Client.GetStringAsync("/en/api/v2/summary.json", ct);
        Assert.Contains("Edge check update", after, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await edge.Client.GetAsync("/healthz", ct)).StatusCode);

        // A damaged file does not take the page down.
        await File.WriteAllTextAsync(Path.Combine(_dir, StatusSnapshots.SavedFileName), "{ not json", ct);
        var watcher = edge.App.Services.GetRequiredService<SavedSnapshotWatcher>();
        Assert.False(watcher.Check());
        Assert.NotNull(watcher.LastError);
        Assert.Equal(after, await edge.Client.GetStringAsync("/en/api/v2/summary.json", ct));
    }

    [Fact]
    public async Task WithoutASavedSnapshotTheEdgeSaysItIsNotReady()
    {
        await using var edge = await StartEdgeAsync();
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await edge.Client.GetAsync("/", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await edge.Client.GetAsync("/healthz", ct)).StatusCode);
        Assert.Contains(StatusSnapshots.SavedFileName, edge.App.Services.GetRequiredService<SavedSnapshotWatcher>().LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEdgeRefusesToStartWithoutASnapshotDirectory()
    {
        await using var app = StatusEdge.Build(["--urls", "http://127.0.0.1:0"], inlineSockets: false);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("SnapshotDirectory", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private sealed record Edge(WebApplication App, HttpClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.DisposeAsync();
        }
    }

    private async Task<Edge> StartEdgeAsync()
    {
        var app = StatusEdge.Build(
            ["--urls", "http://127.0.0.1:0", "--Fukkyu:StatusPage:SnapshotDirectory", _dir, "--Fukkyu:StatusPage:EdgePollMilliseconds", "50"],
            inlineSockets: false);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = new Uri(address) };
        return new Edge(app, client);
    }

    private static async Task<(byte[] Body, string? ETag, string? Encoding)> GetAsync(HttpClient client, string path, string encoding, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptLanguage.ParseAdd("ja");
        if (encoding.Length > 0)
        {
            request.Headers.AcceptEncoding.ParseAdd(encoding);
        }
        using var response = await client.SendAsync(request, ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} ({encoding}) answered {(int)response.StatusCode}");
        return (await response.Content.ReadAsByteArrayAsync(ct), response.Headers.ETag?.ToString(), response.Content.Headers.ContentEncoding.FirstOrDefault());
    }

    private static async Task<(byte[] Body, string? ETag, string? Encoding)> EventuallyAsync(HttpClient client, string path, string encoding, Func<byte[], bool> done, CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var got = await GetAsync(client, path, encoding, ct);
            if (done(got.Body))
            {
                return got;
            }
            Assert.True(DateTime.UtcNow < until, $"The edge did not serve the expected {path} ({encoding}) within 10 s.");
            await Task.Delay(50, ct);
        }
    }
}
