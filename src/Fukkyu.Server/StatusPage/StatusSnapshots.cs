using System.Text.Json;
using System.Text.Json.Serialization;
using Fukkyu.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.StatusPage;

/// <summary>A public file as exported for a CDN or object storage.</summary>
/// <param name="File">Relative file path for static hosting: <c>ja/history/index.html</c>, <c>api/v2/summary.json</c>.</param>
/// <param name="Copy">A copy at the root in the default language; the same bytes as its language's file.</param>
/// <param name="Gzip">The precompressed forms, base64, in the saved snapshot only (<c>snapshot.json</c>), so that reading it back compresses nothing.</param>
public sealed record ExportedFile(string File, string Path, string Lang, string ContentType, int Status, bool Copy, string Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Gzip = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Brotli = null);

public sealed record StatusExport(DateTime BuiltAt, DateTime DataUpdatedAt, string Hash, string DefaultLanguage, ExportedFile[] Files);

/// <summary>
/// Holds the current <see cref="StatusSnapshot"/> and rebuilds it after changes on this node
/// (<see cref="ChangeSignal"/>; at most once per <see cref="StatusPageOptions.MinRebuildMilliseconds"/>)
/// and every <see cref="StatusPageOptions.RefreshSeconds"/> for changes made elsewhere. A failed rebuild — the database is down — keeps the last snapshot in service.
/// </summary>
public sealed class StatusSnapshots(
    IServiceScopeFactory scopes,
    ChangeSignal signal,
    PageRenderer pages,
    TimeProvider time,
    IOptions<StatusPageOptions> options,
    ILogger<StatusSnapshots> log) : IStatusSnapshotSource, IHostedService, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly AsyncSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile StatusSnapshot? _current;
    private string? _modelHash;
    private Task? _loop;
    private int _stopped;

    public StatusSnapshot? Current => _current;
    public DateTime? LastSuccessAt { get; private set; }
    public DateTime? LastFailureAt { get; private set; }
    public string? LastError { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        signal.Changed += OnChanged;
        // The first snapshot exists before the server accepts requests.
        if (await RefreshAsync(cancellationToken) is null)
        {
            LoadPersisted();
        }
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        signal.Changed -= OnChanged;
        await StopLoopAsync();
        if (_loop is not null)
        {
            await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken));
        }
    }

    private void OnChanged(string topic) => _wake.Set();

    private async Task LoopAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.RefreshSeconds));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(interval, time, ct);
                var started = time.GetTimestamp();
                await RefreshAsync(ct);
                // The next rebuild starts no sooner than this after this one started; changes
                // meanwhile are taken together into it. A rebuild after a quiet spell is not delayed.
                var rest = TimeSpan.FromMilliseconds(options.Value.MinRebuildMilliseconds) - time.GetElapsedTime(started);
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, time, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Status page refresh loop failed; continuing.");
            }
        }
    }

    /// <summary>Rebuilds now; returns the snapshot in service, or null when the rebuild failed.</summary>
    public async Task<StatusSnapshot?> RefreshAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var o = options.Value;
            PublicModel model;
            await using (var scope = scopes.CreateAsyncScope())
            {
                model = await scope.ServiceProvider.GetRequiredService<PublicModelLoader>().LoadAsync(ct);
            }
            // The periodic refresh usually finds nothing new: then there is nothing to render.
            var modelHash = Fingerprint(model);
            if (_current is not null && modelHash == _modelHash)
            {
                LastSuccessAt = time.GetUtcNow().UtcDateTime;
                LastError = null;
                return _current;
            }
            var docs = await new SnapshotRenderer(pages).RenderAsync(model, o);
            var previous = _current;
            var next = new StatusSnapshot(SnapshotRenderer.Compress(docs, previous, o.BrotliQuality), time.GetUtcNow().UtcDateTime, model.UpdatedAt, (previous?.Version ?? 0) + 1);
            if (previous is null || previous.Hash != next.Hash)
            {
                _current = next;
                Persist(next);
            }
            _modelHash = modelHash;
            LastSuccessAt = time.GetUtcNow().UtcDateTime;
            LastError = null;
            return _current;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The database is down or something else failed: the last snapshot stays in service.
            LastFailureAt = time.GetUtcNow().UtcDateTime;
            LastError = e.Message;
            log.LogWarning(e, "Rebuilding the status page failed; serving the snapshot from {BuiltAt}.", _current?.BuiltAt);
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Everything the pages show, hashed: the model minus the clock (the day stays in, for the bars and history).</summary>
    private static string Fingerprint(PublicModel model) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(model with { Now = default }, Json)));

    /// <summary>
    /// The snapshot as static files: each language under its prefix, the default language also at
    /// the root. With <paramref name="compressed"/> (the saved snapshot), each language's file also
    /// carries its gzip and brotli forms.
    /// </summary>
    public static StatusExport Export(StatusSnapshot snapshot, string defaultLanguage, bool compressed = false)
    {
        var files = new List<ExportedFile>();
        foreach (var f in snapshot.Files)
        {
            var content = Convert.ToBase64String(f.Raw);
            files.Add(new ExportedFile($"{f.Lang}/{FileName(f.Path)}", f.Path, f.Lang, f.ContentType, f.Status, false, content,
                compressed ? Convert.ToBase64String(f.Gzip) : null, compressed ? Convert.ToBase64String(f.Brotli) : null));
            if (f.Lang == defaultLanguage)
            {
                files.Add(new ExportedFile(FileName(f.Path), f.Path, f.Lang, f.ContentType, f.Status, true, content));
            }
        }
        return new StatusExport(snapshot.BuiltAt, snapshot.DataUpdatedAt, snapshot.Hash, defaultLanguage, [.. files]);
    }

    /// <summary><c>/</c> → <c>index.html</c>, <c>/history</c> → <c>history/index.html</c>, files keep their names.</summary>
    public static string FileName(string path)
    {
        if (path == "/")
        {
            return "index.html";
        }
        if (path == StatusSnapshot.NotFoundPath)
        {
            return "404.html";
        }
        var trimmed = path.TrimStart('/');
        return trimmed[(trimmed.LastIndexOf('/') + 1)..].Contains('.', StringComparison.Ordinal) ? trimmed : trimmed + "/index.html";
    }

    /// <summary>The name of the saved snapshot in <see cref="StatusPageOptions.SnapshotDirectory"/>.</summary>
    public const string SavedFileName = "snapshot.json";

    /// <summary>
    /// The snapshot saved in <paramref name="directory"/>: the precompressed bytes when it carries
    /// them, else compressed here (reusing <paramref name="previous"/>'s for unchanged documents).
    /// Throws <see cref="IOException"/>, <see cref="JsonException"/> or <see cref="FormatException"/>
    /// for a missing or damaged file.
    /// </summary>
    public static StatusSnapshot ReadSaved(string directory, StatusSnapshot? previous, int brotliQuality) =>
        Restore(JsonSerializer.Deserialize<StatusExport>(File.ReadAllBytes(Path.Combine(directory, SavedFileName)), Json)
            ?? throw new JsonException("The saved snapshot holds nothing."), previous, brotliQuality);

    private static StatusSnapshot Restore(StatusExport export, StatusSnapshot? previous, int brotliQuality)
    {
        var files = new List<SnapshotFile>();
        foreach (var f in export.Files.Where(f => !f.Copy))
        {
            var raw = Convert.FromBase64String(f.Content);
            files.Add(f.Gzip is { } gz && f.Brotli is { } br
                ? new SnapshotFile(f.Path, f.Lang, f.ContentType, f.Status, raw, SnapshotRenderer.HashOf(raw), Convert.FromBase64String(gz), Convert.FromBase64String(br))
                : SnapshotRenderer.Compress([new RenderedDocument(f.Path, f.Lang, f.ContentType, f.Status, raw)], previous, brotliQuality)[0]);
        }
        return new StatusSnapshot(files, export.BuiltAt, export.DataUpdatedAt, (previous?.Version ?? 0) + 1);
    }

    private void Persist(StatusSnapshot snapshot)
    {
        if (options.Value.SnapshotDirectory is not { Length: > 0 } dir)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(dir);
            var target = Path.Combine(dir, SavedFileName);
            var temp = target + ".tmp";
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(Export(snapshot, PublicText.Lang(options.Value.DefaultLanguage), compressed: true), Json));
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning(e, "Could not write the status page snapshot to {Directory}.", dir);
        }
    }

    private void LoadPersisted()
    {
        if (options.Value.SnapshotDirectory is not { Length: > 0 } dir || !File.Exists(Path.Combine(dir, SavedFileName)))
        {
            return;
        }
        try
        {
            _current = ReadSaved(dir, null, options.Value.BrotliQuality);
            log.LogWarning("The database is unreachable; serving the status page saved at {BuiltAt}.", _current.BuiltAt);
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException)
        {
            log.LogError(e, "Could not read the saved status page snapshot.");
        }
    }

    // Stop and dispose may come in either order, and twice (the singleton is also the hosted service).
    private async Task StopLoopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _stop.CancelAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        signal.Changed -= OnChanged;
        await StopLoopAsync();
    }
}
