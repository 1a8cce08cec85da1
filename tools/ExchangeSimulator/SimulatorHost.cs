using System.Net;
using System.Text.Json;

namespace ExchangeSimulator;

/// <summary>Builds the simulator's web app; tests and benchmarks start it in-process with their own clock.</summary>
public static class SimulatorHost
{
    private static readonly JsonSerializerOptions Verbatim = new() { PropertyNamingPolicy = null };

    /// <summary>Paths the fault middleware never touches: the controls themselves.</summary>
    private static readonly string[] ControlPaths = ["/faults", "/scenario", "/state"];

    public static WebApplication Build(int port, TimeProvider? time = null, bool quiet = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Loopback only, whatever the environment says: this is a fake that must never face a network.
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton<Exchange>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        if (quiet)
        {
            builder.Logging.ClearProviders();
        }
        var app = builder.Build();
        app.Use(ApplyFaultsAsync);
        Map(app);
        return app;
    }

    /// <summary>Starts the simulator and returns it running; dispose to stop.</summary>
    public static async Task<WebApplication> StartAsync(int port, TimeProvider? time = null)
    {
        var app = Build(port, time, quiet: true);
        await app.StartAsync();
        return app;
    }

    private static async Task ApplyFaultsAsync(HttpContext ctx, RequestDelegate next)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (ControlPaths.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            await next(ctx);
            return;
        }
        var exchange = ctx.RequestServices.GetRequiredService<Exchange>();
        var faults = exchange.Faults.Active(exchange.Now);
        ctx.Items[typeof(List<ActiveFault>)] = faults;
        var delay = faults.Where(f => f.Spec.Type == FaultTypes.Latency && f.AppliesTo(path)).Sum(f => f.Spec.Ms ?? 0);
        if (delay > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay), exchange.Time, ctx.RequestAborted);
        }
        var failing = faults.FirstOrDefault(f => f.Spec.Type == FaultTypes.ErrorRate && f.AppliesTo(path) && f.NextRequestFails());
        if (failing is not null)
        {
            // bitbank's "system busy" error.
            await Results.Json(new { success = 0, data = new { code = 70011 } }, Verbatim, statusCode: failing.Spec.StatusCode ?? 503).ExecuteAsync(ctx);
            return;
        }
        await next(ctx);
    }

    private static List<ActiveFault> FaultsOf(HttpContext ctx) => (List<ActiveFault>)ctx.Items[typeof(List<ActiveFault>)]!;

    private static IResult Bitbank(object? body) =>
        body is null ? Results.Json(new { success = 0, data = new { code = 10000 } }, Verbatim, statusCode: 404) : Results.Json(body, Verbatim);

    private static void Map(WebApplication app)
    {
        // bitbank-shaped public API.
        app.MapGet("/v1/spot/status", (HttpContext ctx, Exchange x) => Bitbank(x.Status(FaultsOf(ctx))));
        app.MapGet("/v1/spot/pairs", (HttpContext ctx, Exchange x) => Bitbank(x.PairsInfo(FaultsOf(ctx))));
        app.MapGet("/{pair}/ticker", (string pair, HttpContext ctx, Exchange x) => Bitbank(x.Ticker(pair, FaultsOf(ctx))));
        app.MapGet("/{pair}/depth", (string pair, HttpContext ctx, Exchange x) => Bitbank(x.Depth(pair, FaultsOf(ctx))));

        // Back office: queues, nodes, hot wallets.
        app.MapGet("/v1/queues/deposits", (HttpContext ctx, Exchange x) => Bitbank(x.Queues("deposit", FaultsOf(ctx))));
        app.MapGet("/v1/queues/withdrawals", (HttpContext ctx, Exchange x) => Bitbank(x.Queues("withdrawal", FaultsOf(ctx))));
        app.MapGet("/v1/nodes", (HttpContext ctx, Exchange x) => Bitbank(new
        {
            success = 1,
            data = new { nodes = Exchange.Chains.Select(c => new { chain = c.Name, height = x.NodeHeight(c, FaultsOf(ctx)), reference_height = x.ReferenceHeight(c) }).ToArray() },
        }));
        app.MapGet("/v1/nodes/{chain}", (string chain, HttpContext ctx, Exchange x) =>
            Exchange.Chains.FirstOrDefault(c => c.Name == chain) is { } c
                ? Bitbank(new { success = 1, data = new { chain = c.Name, height = x.NodeHeight(c, FaultsOf(ctx)) } })
                : Bitbank(null));
        app.MapGet("/v1/reference/{chain}", (string chain, Exchange x) =>
            Exchange.Chains.FirstOrDefault(c => c.Name == chain) is { } c
                ? Bitbank(new { success = 1, data = new { chain = c.Name, height = x.ReferenceHeight(c) } })
                : Bitbank(null));
        app.MapGet("/v1/wallets/hot", (HttpContext ctx, Exchange x) => Bitbank(new
        {
            success = 1,
            data = new { wallets = Exchange.HotWallets.Keys.Select(a => new { asset = a, balance = Exchange.Num(x.HotWalletBalance(a, FaultsOf(ctx))) }).ToArray() },
        }));
        app.MapGet("/v1/wallets/hot/{asset}", (string asset, HttpContext ctx, Exchange x) =>
            Exchange.HotWallets.ContainsKey(asset)
                ? Bitbank(new { success = 1, data = new { asset, balance = Exchange.Num(x.HotWalletBalance(asset, FaultsOf(ctx))) } })
                : Bitbank(null));

        // Channels: the website and the app's health endpoint.
        app.MapGet("/", (HttpContext ctx) =>
        {
            var down = FaultsOf(ctx).FirstOrDefault(f => f.Spec.Type == FaultTypes.WebsiteDown);
            return down is null
                ? Results.Content("<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>Sample Exchange</title></head><body><h1>Sample Exchange</h1><p>取引所は正常に稼働しています。</p></body></html>", "text/html; charset=utf-8")
                : Results.Content("<!DOCTYPE html><html><head><title>503</title></head><body><h1>Service Unavailable</h1></body></html>", "text/html; charset=utf-8", statusCode: down.Spec.StatusCode ?? 503);
        });
        app.MapGet("/app/health", (HttpContext ctx) =>
        {
            var down = FaultsOf(ctx).FirstOrDefault(f => f.Spec.Type == FaultTypes.AppDown);
            return down is null ? Results.Json(new { status = "ok" }) : Results.Json(new { status = "down" }, statusCode: down.Spec.StatusCode ?? 503);
        });

        // Fault injection: the API demos, tests, benchmarks and drills use.
        app.MapGet("/faults", (Exchange x) => Results.Json(new
        {
            faults = x.Faults.Active(x.Now).Select(Describe).ToArray(),
            scheduled = x.Faults.Pending(),
        }, ScenarioParser.Json));
        app.MapPost("/faults", async (HttpContext ctx, Exchange x) =>
        {
            var spec = await ReadAsync<FaultSpec>(ctx);
            var errors = spec is null ? ["body: a JSON fault object is required"] : FaultTypes.Validate(spec);
            if (errors.Count > 0)
            {
                return Results.Json(new { errors }, statusCode: 400);
            }
            var fault = x.Faults.Inject(spec!, x.Now);
            return Results.Json(Describe(fault), ScenarioParser.Json, statusCode: 201);
        });
        app.MapDelete("/faults", (Exchange x) =>
        {
            x.Faults.ClearAll();
            return Results.NoContent();
        });
        app.MapDelete("/faults/{id}", (string id, Exchange x) => x.Faults.Clear(id) ? Results.NoContent() : Results.Json(new { errors = new[] { $"no fault {id}" } }, statusCode: 404));
        app.MapPost("/scenario", async (HttpContext ctx, Exchange x) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var text = await reader.ReadToEndAsync(ctx.RequestAborted);
            var steps = ScenarioParser.Parse(text, out var errors);
            if (steps is not null)
            {
                errors.AddRange(x.Faults.Schedule(steps, x.Now));
            }
            return errors.Count > 0 ? Results.Json(new { errors }, statusCode: 400) : Results.Json(new { scheduled = steps!.Count }, statusCode: 202);
        });
        app.MapGet("/state", (Exchange x) =>
        {
            var faults = x.Faults.Active(x.Now);
            return Results.Json(new
            {
                now = x.Now,
                faults = faults.Select(Describe).ToArray(),
                pairs = Exchange.Pairs.Select(p => new { pair = p.Name, halted = x.Halted(p.Name, faults) }).ToArray(),
                nodes = Exchange.Chains.Select(c => new { chain = c.Name, height = x.NodeHeight(c, faults), reference = x.ReferenceHeight(c) }).ToArray(),
                hotWallets = Exchange.HotWallets.Keys.ToDictionary(a => a, a => x.HotWalletBalance(a, faults)),
            }, ScenarioParser.Json);
        });
    }

    private static object Describe(ActiveFault f) => new { id = f.Id, startedAt = f.StartedAt, endsAt = f.EndsAt, fault = f.Spec };

    private static async Task<T?> ReadAsync<T>(HttpContext ctx) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(ctx.Request.Body, ScenarioParser.Json, ctx.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
