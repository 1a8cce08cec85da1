using System.Globalization;
using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Catalog;

public sealed record ComponentDto(
    Guid Id, string Key, ComponentCategory Category, string? Group, string Name, string NameJa, string NameEn,
    string? DescriptionJa, string? DescriptionEn, string? Pair, string? Asset, string? Network,
    bool Public, bool MainFunction, int Position, ComponentStatus Status, DateTime StatusChangedAt,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static ComponentDto From(Component c) => new(
        c.Id, c.Key, c.Category, c.Group?.Key, c.Name(CatalogApi.Japanese), c.NameJa, c.NameEn, c.DescriptionJa, c.DescriptionEn,
        c.Pair, c.Asset, c.Network, c.Public, c.MainFunction, c.Position, c.Status, c.StatusChangedAt, c.CreatedAt, c.UpdatedAt);
}

public sealed record ComponentGroupDto(Guid Id, string Key, string NameJa, string NameEn, int Position, bool Public)
{
    public static ComponentGroupDto From(ComponentGroup g) => new(g.Id, g.Key, g.NameJa, g.NameEn, g.Position, g.Public);
}

public sealed record ComponentRequest(
    string? Key, ComponentCategory? Category, string? Group, string? NameJa, string? NameEn,
    string? DescriptionJa, string? DescriptionEn, string? Pair, string? Asset, string? Network,
    bool? Public, bool? MainFunction, int? Position, ComponentStatus? Status);

public static class CatalogApi
{
    internal static bool Japanese => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ja";

    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.Section);
        builder.Services.AddNavItem(new NavItem(58, "/ops/components", () => CatalogStrings.T("ComponentsTitle")));
        return builder;
    }

    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Catalog");
        api.MapGet("/components", List).RequireAuthorization(Policies.Read);
        api.MapGet("/components/{idOrKey}", Get).RequireAuthorization(Policies.Read);
        api.MapPost("/components", Create).RequireAuthorization(Policies.Admin);
        api.MapPatch("/components/{id:guid}", Update).RequireAuthorization(Policies.Admin);
        api.MapDelete("/components/{id:guid}", Delete).RequireAuthorization(Policies.Admin);
        api.MapGet("/component-groups", ListGroups).RequireAuthorization(Policies.Read);
        api.MapGet("/catalog", Export).RequireAuthorization(Policies.Read);
        api.MapPost("/catalog/import", Import).RequireAuthorization(Policies.Admin)
            .WithMetadata(new RequestSizeLimitAttribute(8 * 1024 * 1024));
        return app;
    }

    private static async Task<Ok<ComponentDto[]>> List(FukkyuDb db, ComponentCategory? category, string? group, bool? @public, CancellationToken ct)
    {
        var query = db.Components.AsNoTracking().Include(c => c.Group).AsQueryable();
        if (category is { } cat)
        {
            query = query.Where(c => c.Category == cat);
        }
        if (!string.IsNullOrEmpty(group))
        {
            query = query.Where(c => c.Group != null && c.Group.Key == group);
        }
        if (@public is { } p)
        {
            query = query.Where(c => c.Public == p);
        }
        var rows = await query.ToListAsync(ct);
        return TypedResults.Ok(rows
            .OrderBy(c => c.Group?.Position ?? int.MaxValue).ThenBy(c => c.Position).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(ComponentDto.From).ToArray());
    }

    private static async Task<Results<Ok<ComponentDto>, ProblemHttpResult>> Get(string idOrKey, FukkyuDb db, CancellationToken ct)
    {
        var c = await Find(db.Components.AsNoTracking().Include(x => x.Group), idOrKey, ct);
        return c is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(ComponentDto.From(c));
    }

    internal static Task<Component?> Find(IQueryable<Component> query, string idOrKey, CancellationToken ct) =>
        Guid.TryParse(idOrKey, out var id)
            ? query.FirstOrDefaultAsync(c => c.Id == id, ct)
            : query.FirstOrDefaultAsync(c => c.Key == idOrKey, ct);

    private static async Task<Results<Created<ComponentDto>, ValidationProblem, ProblemHttpResult>> Create(
        ComponentRequest req, ClaimsPrincipal user, FukkyuDb db, TimeProvider time, ChangeSignal changes, CancellationToken ct)
    {
        var v = Validate(req, creating: true);
        var group = await ResolveGroup(db, req.Group, v, ct);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        if (await db.Components.AnyAsync(c => c.Key == req.Key, ct))
        {
            return TypedResults.Problem(new ProblemDetails { Status = 409, Detail = Validation.Text("KeyTaken", req.Key) });
        }
        var now = time.GetUtcNow().UtcDateTime;
        var c = new Component { Key = req.Key!, NameJa = req.NameJa!, NameEn = req.NameEn!, CreatedAt = now, StatusChangedAt = now, Category = req.Category!.Value };
        Apply(c, req, group, now, user);
        db.Components.Add(c);
        await db.SaveChangesAsync(ct);
        changes.Raise(ChangeSignal.Components);
        return TypedResults.Created($"/api/v1/components/{c.Id}", ComponentDto.From(c));
    }

    private static async Task<Results<Ok<ComponentDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, ComponentRequest req, ClaimsPrincipal user, FukkyuDb db, TimeProvider time, ChangeSignal changes, CancellationToken ct)
    {
        var v = Validate(req, creating: false);
        var group = await ResolveGroup(db, req.Group, v, ct);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var c = await db.Components.Include(x => x.Group).FirstOrDefaultAsync(x => x.Id == id, ct);
        if (c is null)
        {
            return AuthApi.NotFoundProblem();
        }
        if (req.Key is not null && req.Key != c.Key)
        {
            v.Add("key", Validation.Text("KeyImmutable"));
            return TypedResults.ValidationProblem(v.Errors);
        }
        Apply(c, req, group ?? c.Group, time.GetUtcNow().UtcDateTime, user);
        await db.SaveChangesAsync(ct);
        changes.Raise(ChangeSignal.Components);
        return TypedResults.Ok(ComponentDto.From(c));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, FukkyuDb db, ChangeSignal changes, CancellationToken ct)
    {
        if (await db.IncidentComponents.AnyAsync(ic => ic.ComponentId == id, ct))
        {
            return TypedResults.Problem(new ProblemDetails { Status = 409, Detail = Validation.Text("InUse") });
        }
        var n = await db.Components.Where(c => c.Id == id).ExecuteDeleteAsync(ct);
        if (n == 0)
        {
            return AuthApi.NotFoundProblem();
        }
        changes.Raise(ChangeSignal.Components);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ComponentGroupDto[]>> ListGroups(FukkyuDb db, CancellationToken ct) =>
        TypedResults.Ok((await db.Set<ComponentGroup>().AsNoTracking().OrderBy(g => g.Position).ToListAsync(ct)).Select(ComponentGroupDto.From).ToArray());

    private static async Task<Ok<CatalogDocument>> Export(FukkyuDb db, CancellationToken ct)
    {
        var groups = await db.Set<ComponentGroup>().AsNoTracking().OrderBy(g => g.Position).ToListAsync(ct);
        var comps = await db.Components.AsNoTracking().Include(c => c.Group).OrderBy(c => c.Key).ToListAsync(ct);
        return TypedResults.Ok(new CatalogDocument(null,
            [.. groups.Select(g => new CatalogGroupEntry(g.Key, g.NameJa, g.NameEn, g.Position, g.Public))],
            [.. comps.Select(c => new CatalogComponentEntry(c.Key, c.Category, c.Group?.Key, c.NameJa, c.NameEn, c.DescriptionJa, c.DescriptionEn,
                c.Pair, c.Asset, c.Network, c.Public, c.MainFunction, c.Position))]));
    }

    private static async Task<Results<Ok<CatalogImportResult>, ValidationProblem>> Import(
        CatalogDocument doc, FukkyuDb db, TimeProvider time, ChangeSignal changes, CancellationToken ct)
    {
        // Components may refer to groups that already exist in the database.
        var v = CatalogImport.Validate(doc, await db.Set<ComponentGroup>().Select(g => g.Key).ToListAsync(ct));
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await CatalogImport.ApplyAsync(db, doc, time.GetUtcNow().UtcDateTime, ct);
        changes.Raise(ChangeSignal.Components);
        return TypedResults.Ok(result);
    }

    private static Validation Validate(ComponentRequest req, bool creating)
    {
        var v = new Validation();
        v.Text("key", req.Key, 100, required: creating)
         .Text("nameJa", req.NameJa, 200, required: creating)
         .Text("nameEn", req.NameEn, 200, required: creating)
         .Text("descriptionJa", req.DescriptionJa, 2000).Text("descriptionEn", req.DescriptionEn, 2000)
         .Text("pair", req.Pair, 40).Text("asset", req.Asset, 40).Text("network", req.Network, 60)
         .Range("position", req.Position, 0, 100_000);
        if (creating)
        {
            v.Required("category", req.Category);
        }
        return v;
    }

    private static async Task<ComponentGroup?> ResolveGroup(FukkyuDb db, string? key, Validation v, CancellationToken ct)
    {
        if (key is null)
        {
            return null;
        }
        var g = await db.Set<ComponentGroup>().FirstOrDefaultAsync(x => x.Key == key, ct);
        if (g is null)
        {
            v.Add("group", Validation.Text("UnknownId", key));
        }
        return g;
    }

    private static void Apply(Component c, ComponentRequest req, ComponentGroup? group, DateTime now, ClaimsPrincipal user)
    {
        c.Category = req.Category ?? c.Category;
        c.Group = group;
        c.NameJa = req.NameJa ?? c.NameJa;
        c.NameEn = req.NameEn ?? c.NameEn;
        c.DescriptionJa = req.DescriptionJa ?? c.DescriptionJa;
        c.DescriptionEn = req.DescriptionEn ?? c.DescriptionEn;
        c.Pair = req.Pair ?? c.Pair;
        c.Asset = req.Asset ?? c.Asset;
        c.Network = req.Network ?? c.Network;
        c.Public = req.Public ?? c.Public;
        c.MainFunction = req.MainFunction ?? (c.CreatedAt == now ? Component.IsMainCategory(c.Category) : c.MainFunction);
        c.Position = req.Position ?? c.Position;
        if (req.Status is { } status && status != c.Status)
        {
            c.Status = status;
            c.StatusChangedAt = now;
            // A person's status is theirs: monitoring will not undo it.
            c.StatusSetBy = "user:" + Actor.From(user).Name;
        }
        c.UpdatedAt = now;
    }
}
