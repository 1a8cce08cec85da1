using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.StatusPage;

/// <summary>
/// <c>fukkyu-edge</c> (src/Fukkyu.Edge): a process that serves the public status page, its JSON and its feeds
/// from the snapshot the server saves (<see cref="StatusPageOptions.SnapshotDirectory"/>) and does
/// nothing else — no database, no outgoing connection, no work but reading that file. Nothing in
/// it can block, so sockets complete inline and Kestrel answers on the runtime's socket threads,
/// one event loop per core as nginx's workers do (docs/decisions/052-status-edge.md). It keeps
/// answering while the server is down or restarting.
/// </summary>
public static class StatusEdge
{
    /// <summary>Read by the runtime when the first socket is used, so set before anything else.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <param name="inlineSockets">
    /// Complete sockets on the socket threads (unless the environment says otherwise). The command
    /// line always asks for it; tests that host the edge inside a test process do not, because the
    /// setting is the whole process's.
    /// </param>
    public static WebApplication Build(string[] args, bool inlineSockets = true)
    {
        if (inlineSockets && Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }
        var builder = WebApplication.CreateSlimBuilder(args);
        // Nothing per request in the log unless asked for.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var inline = inlineSockets && Environment.GetEnvironmentVariable(InlineCompletionsVariable) == "1";
        // Parse, answer and write on the thread that completed the read: no hand-off per request.
        builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = inline);
        builder.Services.AddOptions<StatusPageOptions>().BindConfiguration(StatusPageOptions.Section)
            .Validate(o => o.SnapshotDirectory is { Length: > 0 },
                "Fukkyu:StatusPage:SnapshotDirectory must name the folder the server saves the status page in (the same setting as the server's).")
            .Validate(o => o.DefaultLanguage is "ja" or "en", "Fukkyu:StatusPage:DefaultLanguage must be ja or en.")
            .Validate(o => o.EdgePollMilliseconds > 0, "Fukkyu:StatusPage:EdgePollMilliseconds must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SavedSnapshotWatcher>();
        builder.Services.AddSingleton<IStatusSnapshotSource>(sp => sp.GetRequiredService<SavedSnapshotWatcher>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SavedSnapshotWatcher>());

        var app = builder.Build();
        app.UseMiddleware<StatusPageMiddleware>();
        // Said here, after the page: left implicit, routing would run first, on every request.
        app.UseRouting();
        app.MapGet("/healthz", Health);
        app.Logger.LogInformation("Status edge: serving {Directory}, sockets inline: {Inline}.",
            app.Configuration[$"{StatusPageOptions.Section}:{nameof(StatusPageOptions.SnapshotDirectory)}"], inline);
        return app;
    }

    /// <summary>200 with the snapshot's build time while one is in service, else 503 (for load balancers).</summary>
    private static IResult Health(SavedSnapshotWatcher watcher) =>
        watcher.Current is { } s
            ? TypedResults.Text($"ok {s.BuiltAt:O}")
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: watcher.LastError);
}

/// <summary>
/// Puts the server's saved snapshot into service at start and again whenever the file changes
/// (checked every <see cref="StatusPageOptions.EdgePollMilliseconds"/>: a stat, and a read only
/// after a change). The server replaces the file atomically; a missing or unreadable file leaves
/// the last good snapshot in service. Its loop and anyone else calling <see cref="Check"/> take turns.
/// </summary>
public sealed class SavedSnapshotWatcher(IOptions<StatusPageOptions> options, TimeProvider time, ILogger<SavedSnapshotWatcher> log)
    : BackgroundService, IStatusSnapshotSource
{
    private readonly Lock _gate = new();
    private volatile StatusSnapshot? _current;
    private (DateTime Written, long Length)? _seen;

    public StatusSnapshot? Current => _current;

    /// <summary>Why the file could not be read the last time it was looked at, or null.</summary>
    public string? LastError { get; private set; }

    private string FilePath => Path.Combine(options.Value.SnapshotDirectory!, StatusSnapshots.SavedFileName);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The first snapshot is in service before the first request, when the file is there.
        Check();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.EdgePollMilliseconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Reads the file if it changed since the last look; true when a new snapshot went into service.</summary>
    public bool Check()
    {
        var directory = options.Value.SnapshotDirectory!;
        var path = Path.Combine(directory, StatusSnapshots.SavedFileName);
        lock (_gate)
        {
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    Fail($"{path} does not exist (yet): the server writes it when Fukkyu:StatusPage:SnapshotDirectory is set.");
                    return false;
                }
                var stamp = (info.LastWriteTimeUtc, info.Length);
                if (stamp == _seen)
                {
                    return false;
                }
                var next = StatusSnapshots.ReadSaved(directory, _current, options.Value.BrotliQuality);
                _seen = stamp;
                if (_current is { } current && current.Hash == next.Hash)
                {
                    return false;
                }
                _current = next;
                LastError = null;
                log.LogInformation("Serving the status page built at {BuiltAt} ({Files} documents).", next.BuiltAt, next.Files.Count);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException)
            {
                Fail($"{path}: {e.Message}");
                return false;
            }
        }
    }

    private void Fail(string error)
    {
        if (error != LastError)
        {
            log.LogWarning("{Error} Serving the snapshot built at {BuiltAt}.", error, _current?.BuiltAt);
        }
        LastError = error;
    }
}
