using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using Fukkyu.Server.StatusPage.Pages;
using Microsoft.Extensions.Primitives;

namespace Fukkyu.Server.StatusPage;

/// <summary>
/// One public document in one language, with its gzip and brotli forms and the header values
/// it is served with, all computed once when the snapshot is built.
/// </summary>
public sealed class SnapshotFile
{
    public SnapshotFile(string path, string lang, string contentType, int status, byte[] raw, string hash, byte[] gzip, byte[] brotli)
    {
        Path = path;
        Lang = lang;
        ContentType = contentType;
        Status = status;
        Raw = raw;
        Hash = hash;
        Gzip = gzip;
        Brotli = brotli;
        ContentTypeHeader = contentType;
        ETagIdentity = $"\"{hash}\"";
        ETagGzip = $"\"{hash}-gz\"";
        ETagBrotli = $"\"{hash}-br\"";
        LanguageHeader = lang;
    }

    /// <summary>Canonical path without the language prefix: <c>/</c>, <c>/history</c>, <c>/api/v2/summary.json</c>.</summary>
    public string Path { get; }
    public string Lang { get; }
    public string ContentType { get; }
    public int Status { get; }
    public byte[] Raw { get; }
    /// <summary>First 128 bits of the SHA-256 of <see cref="Raw"/>, hex: the same bytes give the same ETag on every node.</summary>
    public string Hash { get; }
    public byte[] Gzip { get; }
    public byte[] Brotli { get; }
    public StringValues ContentTypeHeader { get; }
    public StringValues ETagIdentity { get; }
    public StringValues ETagGzip { get; }
    public StringValues ETagBrotli { get; }
    public StringValues LanguageHeader { get; }
    public bool IsHtml => ContentType.StartsWith("text/html", StringComparison.Ordinal);
    public bool IsApi => Path.StartsWith("/api/", StringComparison.Ordinal);
}

/// <summary>Where <see cref="StatusPageMiddleware"/> takes the snapshot in service from.</summary>
public interface IStatusSnapshotSource
{
    /// <summary>The snapshot in service, or null before the first one exists.</summary>
    StatusSnapshot? Current { get; }
}

/// <summary>An immutable set of public documents: what every request is answered from.</summary>
public sealed class StatusSnapshot
{
    private readonly Dictionary<string, SnapshotFile> _ja;
    private readonly Dictionary<string, SnapshotFile> _en;
    private readonly Dictionary<string, SnapshotFile>.AlternateLookup<ReadOnlySpan<char>> _jaLookup;
    private readonly Dictionary<string, SnapshotFile>.AlternateLookup<ReadOnlySpan<char>> _enLookup;

    public StatusSnapshot(IReadOnlyList<SnapshotFile> files, DateTime builtAt, DateTime dataUpdatedAt, long version)
    {
        Files = files;
        BuiltAt = builtAt;
        DataUpdatedAt = dataUpdatedAt;
        Version = version;
        _ja = files.Where(f => f.Lang == "ja").ToDictionary(f => f.Path, StringComparer.Ordinal);
        _en = files.Where(f => f.Lang == "en").ToDictionary(f => f.Path, StringComparer.Ordinal);
        _jaLookup = _ja.GetAlternateLookup<ReadOnlySpan<char>>();
        _enLookup = _en.GetAlternateLookup<ReadOnlySpan<char>>();
        Hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', files.Select(f => f.Lang + f.Path + f.Hash)))))[..32];
    }

    public IReadOnlyList<SnapshotFile> Files { get; }
    public DateTime BuiltAt { get; }
    /// <summary>When the public data last changed (the pages' "last updated").</summary>
    public DateTime DataUpdatedAt { get; }
    public long Version { get; }
    /// <summary>Changes exactly when some document changes.</summary>
    public string Hash { get; }

    public SnapshotFile? Find(ReadOnlySpan<char> path, string lang) =>
        (lang == "en" ? _enLookup : _jaLookup).TryGetValue(path, out var f) ? f : null;

    public const string NotFoundPath = "/404";
}

public sealed record RenderedDocument(string Path, string Lang, string ContentType, int Status, byte[] Content);

/// <summary>Renders every public document in both languages from one <see cref="PublicModel"/>.</summary>
public sealed class SnapshotRenderer(PageRenderer pages)
{
    public static readonly string[] Languages = ["ja", "en"];
    public const string Html = "text/html; charset=utf-8";
    public const string JsonType = "application/json; charset=utf-8";

    public async Task<List<RenderedDocument>> RenderAsync(PublicModel model, StatusPageOptions options)
    {
        var docs = new List<RenderedDocument>();
        foreach (var lang in Languages)
        {
            var common = new Dictionary<string, object?> { ["Model"] = model, ["Lang"] = lang, ["Options"] = options };
            async Task Page<T>(string path, Dictionary<string, object?>? extra = null, int status = 200) where T : Microsoft.AspNetCore.Components.IComponent
            {
                var parameters = new Dictionary<string, object?>(common);
                foreach (var (k, v) in extra ?? [])
                {
                    parameters[k] = v;
                }
                var html = await pages.RenderAsync<T>(parameters);
                docs.Add(new RenderedDocument(path, lang, Html, status, System.Text.Encoding.UTF8.GetBytes(html)));
            }
            await Page<HomePage>("/");
            await Page<HistoryPage>("/history");
            await Page<NoticesPage>("/notices");
            await Page<SubscribePage>("/subscribe");
            foreach (var i in model.Incidents.Concat(model.Maintenances))
            {
                await Page<PublicIncidentPage>($"/incidents/{i.Id:N}", new() { ["Incident"] = i });
            }
            var notFound = await pages.RenderAsync<NotFoundPage>(new Dictionary<string, object?> { ["Lang"] = lang, ["Options"] = options });
            docs.Add(new RenderedDocument(StatusSnapshot.NotFoundPath, lang, Html, 404, System.Text.Encoding.UTF8.GetBytes(notFound)));

            var json = new StatuspageJson(model, options, lang);
            docs.Add(new("/api/v2/summary.json", lang, JsonType, 200, json.Summary()));
            docs.Add(new("/api/v2/status.json", lang, JsonType, 200, json.StatusDocument()));
            docs.Add(new("/api/v2/components.json", lang, JsonType, 200, json.ComponentsDocument()));
            docs.Add(new("/api/v2/incidents.json", lang, JsonType, 200, json.IncidentsDocument()));
            docs.Add(new("/api/v2/incidents/unresolved.json", lang, JsonType, 200, json.UnresolvedDocument()));
            docs.Add(new("/api/v2/scheduled-maintenances.json", lang, JsonType, 200, json.MaintenancesDocument()));
            docs.Add(new("/api/v2/scheduled-maintenances/upcoming.json", lang, JsonType, 200, json.UpcomingDocument()));
            docs.Add(new("/api/v2/scheduled-maintenances/active.json", lang, JsonType, 200, json.ActiveDocument()));
            docs.Add(new("/feed.atom", lang, "application/atom+xml; charset=utf-8", 200, Feeds.Atom(model, options, lang)));
            docs.Add(new("/feed.rss", lang, "application/rss+xml; charset=utf-8", 200, Feeds.Rss(model, options, lang)));
            docs.Add(new("/maintenance.ics", lang, "text/calendar; charset=utf-8", 200, Feeds.Calendar(model, options, lang)));
        }
        return docs;
    }

    /// <summary>
    /// Turns rendered documents into snapshot files, compressing only what changed since
    /// <paramref name="previous"/> (brotli at its best level is slow; most documents rarely change).
    /// </summary>
    public static List<SnapshotFile> Compress(IEnumerable<RenderedDocument> docs, StatusSnapshot? previous, int brotliQuality = 11)
    {
        var known = previous?.Files.GroupBy(f => f.Hash).ToDictionary(g => g.Key, g => g.First()) ?? [];
        var result = new List<SnapshotFile>();
        foreach (var d in docs)
        {
            var hash = HashOf(d.Content);
            if (known.TryGetValue(hash, out var same))
            {
                result.Add(new SnapshotFile(d.Path, d.Lang, d.ContentType, d.Status, same.Raw, hash, same.Gzip, same.Brotli));
                continue;
            }
            var file = new SnapshotFile(d.Path, d.Lang, d.ContentType, d.Status, d.Content, hash, GzipBytes(d.Content), BrotliBytes(d.Content, brotliQuality));
            known[hash] = file;
            result.Add(file);
        }
        return result;
    }

    /// <summary>A document's ETag base: the first 128 bits of its SHA-256, hex.</summary>
    public static string HashOf(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content))[..32];

    private static byte[] GzipBytes(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(data);
        }
        return output.ToArray();
    }

    private static byte[] BrotliBytes(byte[] data, int quality)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(data.Length));
        try
        {
            if (!BrotliEncoder.TryCompress(data, buffer, out var written, quality: Math.Clamp(quality, 0, 11), window: 22))
            {
                throw new InvalidOperationException("Brotli compression failed.");
            }
            return buffer.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
