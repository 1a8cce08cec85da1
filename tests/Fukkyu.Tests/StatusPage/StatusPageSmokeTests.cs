using System.Net;
using Fukkyu.Tests.Infrastructure;

namespace Fukkyu.Tests.StatusPage;

public sealed class StatusPageSmokeTests
{
    [Fact]
    public async Task HomePageAndComponentsJsonAreServed()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var client = app.Anonymous("ja");
        var home = await client.GetAsync("/");
        var html = await home.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("BTC/JPY 取引", html);
        var json = await client.GetJson("/api/v2/components.json");
        Assert.True(json.GetProperty("components").GetArrayLength() > 10);
    }
}
