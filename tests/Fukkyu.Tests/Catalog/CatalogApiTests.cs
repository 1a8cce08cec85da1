using System.Net;
using System.Net.Http.Json;
using Fukkyu.Tests.Infrastructure;

namespace Fukkyu.Tests.Catalog;

public sealed class CatalogApiTests
{
    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SampleExchangeIsLoadedOnFirstStart(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var components = (await app.Admin().GetJson("/api/v1/components")).EnumerateArray().ToList();

        var pairs = components.Where(c => c.GetProperty("category").GetString() == "trading").Select(c => c.GetProperty("pair").GetString()).ToList();
        Assert.True(pairs.Count >= 6);
        Assert.All(pairs, p => Assert.EndsWith("_jpy", p));
        var assets = components.Where(c => c.GetProperty("category").GetString() == "withdrawal").Select(c => c.GetProperty("asset").GetString()).Distinct().ToList();
        Assert.True(assets.Count >= 5);
        Assert.Contains(components, c => c.GetProperty("key").GetString() == "withdrawal.eth.arbitrum" && c.GetProperty("network").GetString() == "arbitrum");
        foreach (var key in new[] { "api.public", "api.private", "api.websocket", "web.site", "app.mobile", "database.core", "security.wallet" })
        {
            Assert.Contains(components, c => c.GetProperty("key").GetString() == key);
        }
        var db = components.Single(c => c.GetProperty("key").GetString() == "database.core");
        Assert.False(db.GetProperty("public").GetBoolean());
        Assert.Equal("operational", db.GetProperty("status").GetString());
        Assert.True(components.Single(c => c.GetProperty("key").GetString() == "api.private").GetProperty("mainFunction").GetBoolean());
        Assert.False(components.Single(c => c.GetProperty("key").GetString() == "api.public").GetProperty("mainFunction").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AdminsCreateUpdateAndDeleteComponents(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        var created = await admin.PostJson("/api/v1/components", new
        {
            key = "trading.link_jpy", category = "trading", group = "trading", nameJa = "LINK/JPY 取引", nameEn = "LINK/JPY trading", pair = "link_jpy",
        }, HttpStatusCode.Created);
        Assert.True(created.GetProperty("mainFunction").GetBoolean());
        Assert.Equal("trading", created.GetProperty("group").GetString());
        var id = created.GetProperty("id").GetString();

        var duplicate = await admin.PostAsJsonAsync("/api/v1/components", new { key = "trading.link_jpy", category = "trading", nameJa = "x", nameEn = "x" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        var updated = await (await admin.PatchAsJsonAsync($"/api/v1/components/{id}", new { nameEn = "LINK/JPY spot", status = "partial_outage" })).Json();
        Assert.Equal("LINK/JPY spot", updated.GetProperty("nameEn").GetString());
        Assert.Equal("partial_outage", updated.GetProperty("status").GetString());
        Assert.Equal("LINK/JPY 取引", updated.GetProperty("nameJa").GetString());

        var badStatus = await admin.PatchAsJsonAsync($"/api/v1/components/{id}", new { status = "on_fire" });
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/components/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/components/{id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ComponentsReferencedByIncidentsCannotBeDeleted(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var component = await admin.GetJson("/api/v1/components/web.site");
        await admin.PostJson("/api/v1/incidents", new { title = "Site down", category = "web", impactScope = "all", componentIds = new[] { "web.site" } }, HttpStatusCode.Created);

        var response = await admin.DeleteAsync($"/api/v1/components/{component.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task CatalogImportUpsertsByKeyAndValidatesEveryEntry(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        var bad = await admin.PostAsJsonAsync("/api/v1/catalog/import", new
        {
            components = new object[] { new { key = "x", category = "trading", nameJa = "x" }, new { key = "y", category = "nft", nameJa = "y", nameEn = "y" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var result = await admin.PostJson("/api/v1/catalog/import", new
        {
            components = new object[]
            {
                new { key = "web.site", category = "web", group = "channels", nameJa = "公式サイト", nameEn = "Official website" },
                new { key = "deposit.xlm.stellar", category = "deposit", group = "deposit", nameJa = "XLM 入金（Stellar）", nameEn = "XLM deposits (Stellar)", asset = "xlm", network = "stellar" },
            },
        });
        Assert.Equal(1, result.GetProperty("componentsCreated").GetInt32());
        Assert.Equal(1, result.GetProperty("componentsUpdated").GetInt32());
        Assert.Equal("Official website", (await admin.GetJson("/api/v1/components/web.site")).GetProperty("nameEn").GetString());
    }
}
