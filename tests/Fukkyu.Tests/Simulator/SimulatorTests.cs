using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ExchangeSimulator;
using Fukkyu.Tests.Detection;
using Fukkyu.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;

namespace Fukkyu.Tests.Simulator;

/// <summary>The exchange simulator: bitbank-shaped answers and every fault, deterministic under a fake clock.</summary>
public sealed class SimulatorTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 5, 0, 0, TimeSpan.Zero));
    private WebApplication? _sim;
    private HttpClient _http = new();

    public async ValueTask InitializeAsync()
    {
        var port = LoopbackPorts.Next();
        _sim = await SimulatorHost.StartAsync(port, _time);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_sim is not null)
        {
            await _sim.DisposeAsync();
        }
    }

    private async Task<JsonElement> Get(string path) => await _http.GetJson(path);

    private async Task<string> Inject(object fault)
    {
        var response = await _http.PostAsJsonAsync("/faults", fault);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Json()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task StatusAndPairsAreBitbankShapedAndHaltShowsEverywhere()
    {
        var status = await Get("/v1/spot/status");
        Assert.Equal(1, status.GetProperty("success").GetInt32());
        Assert.All(status.GetProperty("data").GetProperty("statuses").EnumerateArray(), s => Assert.Equal("NORMAL", s.GetProperty("status").GetString()));

        await Inject(new { type = "halt", pair = "eth_jpy" });

        var halted = (await Get("/v1/spot/status")).GetProperty("data").GetProperty("statuses").EnumerateArray().Single(s => s.GetProperty("pair").GetString() == "eth_jpy");
        Assert.Equal("HALT", halted.GetProperty("status").GetString());
        var pair = (await Get("/v1/spot/pairs")).GetProperty("data").GetProperty("pairs").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "eth_jpy");
        Assert.False(pair.GetProperty("is_enabled").GetBoolean());
        Assert.True(pair.GetProperty("stop_order").GetBoolean());
    }

    [Fact]
    public async Task TickerAndDepthAdvanceWithTimeUntilStalled()
    {
        var t0 = (await Get("/btc_jpy/ticker")).GetProperty("data").GetProperty("timestamp").GetInt64();
        var s0 = (await Get("/btc_jpy/depth")).GetProperty("data").GetProperty("sequenceId").GetString();
        _time.Advance(TimeSpan.FromSeconds(2));
        var t1 = (await Get("/btc_jpy/ticker")).GetProperty("data").GetProperty("timestamp").GetInt64();
        var s1 = (await Get("/btc_jpy/depth")).GetProperty("data").GetProperty("sequenceId").GetString();
        Assert.Equal(t0 + 2000, t1);
        Assert.Equal(long.Parse(s0!) + 8, long.Parse(s1!));

        await Inject(new { type = "stall_ticker", pair = "btc_jpy" });
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(t1, (await Get("/btc_jpy/ticker")).GetProperty("data").GetProperty("timestamp").GetInt64());
        Assert.Equal(s1, (await Get("/btc_jpy/depth")).GetProperty("data").GetProperty("sequenceId").GetString());
        Assert.NotEqual(t1, (await Get("/eth_jpy/ticker")).GetProperty("data").GetProperty("timestamp").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/nope_jpy/ticker")).StatusCode);
    }

    [Fact]
    public async Task ErrorRateFailsExactlyThatShareOfRequests()
    {
        await Inject(new { type = "error_rate", rate = 0.25, path = "/v1/spot" });

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            codes.Add((await _http.GetAsync("/v1/spot/status")).StatusCode);
        }

        Assert.Equal(5, codes.Count(c => c == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, codes[3]);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/app/health")).StatusCode); // other paths untouched
    }

    [Fact]
    public async Task NodeLagQueueBacklogAndHotWalletOutflowMoveTheirNumbers()
    {
        await Inject(new { type = "node_lag", chain = "ethereum", blocks = 25 });
        await Inject(new { type = "queue_backlog", direction = "withdrawal", asset = "btc", network = "bitcoin", status = "EXAMINING", count = 300, ageSeconds = 3600 });
        await Inject(new { type = "hot_wallet_outflow", asset = "btc", amountPerSecond = 0.5 });
        _time.Advance(TimeSpan.FromSeconds(10));

        var node = (await Get("/v1/nodes/ethereum")).GetProperty("data").GetProperty("height").GetInt64();
        var reference = (await Get("/v1/reference/ethereum")).GetProperty("data").GetProperty("height").GetInt64();
        Assert.Equal(25, reference - node);
        var queue = (await Get("/v1/queues/withdrawals")).GetProperty("data").GetProperty("queues").EnumerateArray()
            .Single(q => q.GetProperty("asset").GetString() == "btc" && q.GetProperty("network").GetString() == "bitcoin");
        Assert.Equal(302, queue.GetProperty("statuses").GetProperty("EXAMINING").GetProperty("count").GetInt32());
        Assert.Equal(3610, queue.GetProperty("statuses").GetProperty("EXAMINING").GetProperty("oldest_age_seconds").GetInt64());
        Assert.Equal("20", (await Get("/v1/wallets/hot/btc")).GetProperty("data").GetProperty("balance").GetString());
    }

    [Fact]
    public async Task WebsiteAndAppGoDownAndClearingRestoresThem()
    {
        var site = await Inject(new { type = "website_down" });
        await Inject(new { type = "app_down", statusCode = 502 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, (await _http.GetAsync("/app/health")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync($"/faults/{site}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _http.DeleteAsync("/faults")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/app/health")).StatusCode);
    }

    [Fact]
    public async Task LatencyDelaysAnswersOnTheSimulatorsClock()
    {
        await Inject(new { type = "latency", ms = 1500, path = "/app" });

        var pending = _http.GetAsync("/app/health");
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1500));

        Assert.Equal(HttpStatusCode.OK, (await pending).StatusCode);
    }

    [Fact]
    public async Task ScenarioPlaysItsStepsAtTheirTimes()
    {
        var scenario = """{"steps":[{"at":5,"inject":{"type":"website_down","id":"site"}},{"at":20,"clear":"site"}]}""";
        var response = await _http.PostAsync("/scenario", new StringContent(scenario, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/")).StatusCode);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync("/")).StatusCode);
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/")).StatusCode);
    }

    [Theory]
    [InlineData("""{"type":"halt"}""", "pair")]
    [InlineData("""{"type":"error_rate","rate":2}""", "rate")]
    [InlineData("""{"type":"queue_backlog","direction":"deposit","asset":"btc","status":"SENDING","count":5}""", "status")]
    [InlineData("""{"type":"meteor"}""", "type")]
    [InlineData("""not json""", "body")]
    public async Task BadFaultsAreRefusedNamingTheField(string json, string field)
    {
        var response = await _http.PostAsync("/faults", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Json()).GetProperty("errors").EnumerateArray(), e => e.GetString()!.StartsWith(field, StringComparison.Ordinal));
        Assert.Equal(0, (await Get("/faults")).GetProperty("faults").GetArrayLength());
    }
}
