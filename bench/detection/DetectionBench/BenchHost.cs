using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DetectionBench;

/// <summary>
/// The Fukkyu server as the benchmarks run it: the real <c>Program</c> on Kestrel, SQLite file,
/// plus one extra route, <c>/bench/noop</c>, that reads the body and answers 202 without storing —
/// the baseline the ingestion rate is compared with, on the same server in the same run.
/// </summary>
internal sealed class BenchFactory(int port, string db, string adminKey, IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:Fukkyu", $"Data Source={db}");
        builder.UseSetting("Fukkyu:Database:Provider", "sqlite");
        builder.UseSetting("Fukkyu:Bootstrap:AdminApiKey", adminKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Error");
        foreach (var (k, v) in settings)
        {
            builder.UseSetting(k, v);
        }
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, NoopRoute>());
    }

    public int Port { get; } = port;

    private sealed class NoopRoute : IStartupFilter
    {
        private static readonly byte[] Accepted = """{"status":"success","message":"Event processed"}"""u8.ToArray();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, inner) =>
            {
                if (ctx.Request.Path != "/bench/noop")
                {
                    await inner(ctx);
                    return;
                }
                var buffer = new byte[16 * 1024];
                while (await ctx.Request.Body.ReadAsync(buffer, ctx.RequestAborted) > 0)
                {
                }
                ctx.Response.StatusCode = 202;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.WriteAsync(Accepted, ctx.RequestAborted);
            });
            next(app);
        };
    }

    /// <summary><c>host</c> mode: serve until SIGTERM/SIGINT.</summary>
    public static async Task<int> RunAsync(Dictionary<string, string> args)
    {
        var port = int.Parse(args["port"]);
        var settings = args.Where(a => a.Key.StartsWith("Fukkyu:", StringComparison.Ordinal)).ToDictionary(a => a.Key, a => a.Value);
        // The server's content root (catalog file, static assets): src/Fukkyu.Server of this repository.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Fukkyu.slnx")))
        {
            root = root.Parent;
        }
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_FUKKYU_SERVER",
            Path.Combine(root?.FullName ?? throw new InvalidOperationException("Run from a Fukkyu checkout."), "src", "Fukkyu.Server"));
        await using var factory = new BenchFactory(port, args["db"], args["key"], settings);
        factory.UseKestrel(port);
        factory.StartServer();
        Console.WriteLine($"ready on {port}");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task;
        return 0;
    }
}

/// <summary>A bench host in its own process, so its CPU and memory are its own — and kill -9 is real.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    public const string AdminKey = "fk_bench-admin-key-00000000000000000000000000000";

    private readonly Process _process;

    private ServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public int Port { get; }
    public HttpClient Api { get; }
    public Process Process => _process;
    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<ServerProcess> StartAsync(int port, string db, IReadOnlyDictionary<string, string>? settings = null)
    {
        var self = typeof(ServerProcess).Assembly.Location;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { self, "host", "--port", port.ToString(), "--db", db, "--key", AdminKey })
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
        {
            info.ArgumentList.Add("--" + k);
            info.ArgumentList.Add(v);
        }
        var process = Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, port);
        var until = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The bench host exited with {process.ExitCode}:\n{log}");
            }
            try
            {
                if ((await server.Api.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The bench host did not start:\n{log}");
    }

    public (double CpuSeconds, double RssMb) Usage()
    {
        _process.Refresh();
        return (_process.TotalProcessorTime.TotalSeconds, _process.WorkingSet64 / 1048576.0);
    }

    /// <summary>kill -9: no shutdown, no flush, nothing.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (!_process.HasExited)
        {
            // SIGTERM: a graceful stop (the committer drains its queue).
            Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
