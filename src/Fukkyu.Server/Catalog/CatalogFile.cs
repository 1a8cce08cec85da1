using System.Text.Json;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Catalog;

public sealed class CatalogOptions
{
    public const string Section = "Fukkyu:Catalog";

    /// <summary>The catalog loaded into an empty database; relative paths start at the app folder.</summary>
    public string File { get; set; } = "Catalog/sample-exchange.json";
    public bool LoadWhenEmpty { get; set; } = true;
}

public sealed record LocalizedName(string? Ja, string? En);

public sealed record CatalogGroupEntry(string? Key, string? NameJa, string? NameEn, int? Position, bool? Public);

public sealed record CatalogComponentEntry(
    string? Key, ComponentCategory? Category, string? Group, string? NameJa, string? NameEn,
    string? DescriptionJa, string? DescriptionEn, string? Pair, string? Asset, string? Network,
    bool? Public, bool? MainFunction, int? Position);

/// <summary>The catalog file: the exchange's groups and components, upserted by key.</summary>
public sealed record CatalogDocument(LocalizedName? Name, CatalogGroupEntry[]? Groups, CatalogComponentEntry[]? Components);

public sealed record CatalogImportResult(int GroupsCreated, int GroupsUpdated, int ComponentsCreated, int ComponentsUpdated);

public static class CatalogImport
{
    public const int MaxEntries = 5000;

    public static Validation Validate(CatalogDocument doc, IEnumerable<string>? existingGroups = null)
    {
        var v = new Validation();
        v.Count("groups", doc.Groups, MaxEntries).Count("components", doc.Components, MaxEntries);
        var groups = doc.Groups ?? [];
        for (var i = 0; i < groups.Length; i++)
        {
            var g = groups[i];
            v.Text($"groups[{i}].key", g.Key, 100, required: true)
             .Text($"groups[{i}].nameJa", g.NameJa, 200, required: true)
             .Text($"groups[{i}].nameEn", g.NameEn, 200, required: true);
        }
        var groupKeys = groups.Select(g => g.Key).Concat(existingGroups ?? []).ToHashSet(StringComparer.Ordinal);
        var comps = doc.Components ?? [];
        for (var i = 0; i < comps.Length; i++)
        {
            var c = comps[i];
            var p = $"components[{i}]";
            v.Text($"{p}.key", c.Key, 100, required: true)
             .Required($"{p}.category", c.Category)
             .Text($"{p}.nameJa", c.NameJa, 200, required: true)
             .Text($"{p}.nameEn", c.NameEn, 200, required: true)
             .Text($"{p}.descriptionJa", c.DescriptionJa, 2000).Text($"{p}.descriptionEn", c.DescriptionEn, 2000)
             .Text($"{p}.pair", c.Pair, 40).Text($"{p}.asset", c.Asset, 40).Text($"{p}.network", c.Network, 60);
            if (c.Group is not null && !groupKeys.Contains(c.Group))
            {
                v.Add($"{p}.group", Validation.Text("UnknownId", c.Group));
            }
        }
        foreach (var dup in comps.GroupBy(c => c.Key).Where(g => g.Key is not null && g.Count() > 1))
        {
            v.Add("components", Validation.Text("DuplicateKey", dup.Key));
        }
        return v;
    }

    /// <summary>Creates or updates groups and components by key; never deletes, never touches status.</summary>
    public static async Task<CatalogImportResult> ApplyAsync(FukkyuDb db, CatalogDocument doc, DateTime now, CancellationToken ct)
    {
        var groups = await db.Set<ComponentGroup>().ToDictionaryAsync(g => g.Key, ct);
        int gc = 0, gu = 0, cc = 0, cu = 0;
        foreach (var g in doc.Groups ?? [])
        {
            if (!groups.TryGetValue(g.Key!, out var row))
            {
                row = new ComponentGroup { Key = g.Key!, NameJa = g.NameJa!, NameEn = g.NameEn!, CreatedAt = now };
                db.Add(row);
                groups[row.Key] = row;
                gc++;
            }
            else
            {
                gu++;
            }
            row.NameJa = g.NameJa!;
            row.NameEn = g.NameEn!;
            row.Position = g.Position ?? row.Position;
            row.Public = g.Public ?? row.Public;
            row.UpdatedAt = now;
        }
        var components = await db.Components.ToDictionaryAsync(c => c.Key, ct);
        foreach (var c in doc.Components ?? [])
        {
            var category = c.Category!.Value;
            if (!components.TryGetValue(c.Key!, out var row))
            {
                row = new Component { Key = c.Key!, NameJa = c.NameJa!, NameEn = c.NameEn!, CreatedAt = now, StatusChangedAt = now };
                db.Components.Add(row);
                components[row.Key] = row;
                cc++;
            }
            else
            {
                cu++;
            }
            row.Category = category;
            row.Group = c.Group is null ? null : groups[c.Group];
            row.NameJa = c.NameJa!;
            row.NameEn = c.NameEn!;
            row.DescriptionJa = c.DescriptionJa;
            row.DescriptionEn = c.DescriptionEn;
            row.Pair = c.Pair;
            row.Asset = c.Asset;
            row.Network = c.Network;
            row.Public = c.Public ?? (category is not (ComponentCategory.Database or ComponentCategory.Security));
            row.MainFunction = c.MainFunction ?? Component.IsMainCategory(category);
            row.Position = c.Position ?? row.Position;
            row.UpdatedAt = now;
        }
        await db.SaveChangesAsync(ct);
        return new CatalogImportResult(gc, gu, cc, cu);
    }

    /// <summary>Loads the configured catalog file into an empty database (first start).</summary>
    public static async Task LoadCatalogWhenEmptyAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var options = sp.GetRequiredService<IOptions<CatalogOptions>>().Value;
        var db = sp.GetRequiredService<FukkyuDb>();
        if (!options.LoadWhenEmpty || await db.Components.AnyAsync(ct))
        {
            return;
        }
        var env = sp.GetRequiredService<IHostEnvironment>();
        var path = ResolvePath(options.File, env.ContentRootPath);
        var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Fukkyu.Catalog");
        if (path is null)
        {
            log.LogWarning("Catalog file {File} not found; starting with an empty catalog.", options.File);
            return;
        }
        await using var stream = System.IO.File.OpenRead(path);
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpDefaults.ConfigureJson(json);
        var doc = await JsonSerializer.DeserializeAsync<CatalogDocument>(stream, json, ct)
            ?? throw new InvalidOperationException($"Catalog file {path} is empty.");
        var v = Validate(doc);
        if (!v.IsValid)
        {
            throw new InvalidOperationException($"Catalog file {path} is invalid: " +
                string.Join("; ", v.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        }
        var result = await ApplyAsync(db, doc, sp.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, ct);
        log.LogInformation("Loaded catalog {File}: {Groups} groups, {Components} components.", path, result.GroupsCreated, result.ComponentsCreated);
    }

    private static string? ResolvePath(string file, string contentRoot)
    {
        if (Path.IsPathRooted(file))
        {
            return System.IO.File.Exists(file) ? file : null;
        }
        foreach (var root in new[] { AppContext.BaseDirectory, contentRoot })
        {
            var candidate = Path.Combine(root, file);
            if (System.IO.File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
