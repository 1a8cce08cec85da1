using System.Net;
using System.Net.Http.Json;
using System.Text;
using Fukkyu.Tests.Infrastructure;

namespace Fukkyu.Tests.Incidents;

/// <summary>What a client can send is answered 4xx with the field and the reason, never 500, and stores nothing.</summary>
public sealed class BadInputTests
{
    private static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertNothingStored(HttpClient admin) =>
        Assert.Equal(0, (await admin.GetJson("/api/v1/incidents")).GetArrayLength());

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task MalformedJsonIsAProblemNamingTheField(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        var truncated = await admin.PostAsync("/api/v1/incidents", Raw("{\"title\": \"x\", \"category\": "));
        var wrongType = await admin.PostAsync("/api/v1/incidents", Raw("{\"title\": \"x\", \"category\": \"api\", \"impactScope\": \"some\", \"expectedRecoveryMinutes\": \"soon\"}"));
        var notJson = await admin.PostAsync("/api/v1/incidents", Raw("<incident/>"));

        foreach (var r in new[] { truncated, wrongType, notJson })
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
        Assert.True((await wrongType.Json()).GetProperty("errors").TryGetProperty("expectedRecoveryMinutes", out _));
        await AssertNothingStored(admin);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task MissingFieldsAreEachNamed(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        var response = await admin.PostAsync("/api/v1/incidents", Raw("{}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("title", out _));
        Assert.True(errors.TryGetProperty("category", out _));
        Assert.True(errors.TryGetProperty("impactScope", out _));
        await AssertNothingStored(admin);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task UnknownEnumValueListsTheAcceptedOnes(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        var response = await admin.PostAsync("/api/v1/incidents", Raw("{\"title\":\"x\",\"category\":\"blockchain\",\"impactScope\":\"some\"}"));
        var badTransition = await admin.PostAsync("/api/v1/incidents/INC-2026-0001/transitions", Raw("{\"to\":\"done\"}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await response.Json()).GetProperty("errors").GetProperty("category")[0].GetString();
        Assert.Contains("blockchain", message);
        Assert.Contains("trading", message);
        Assert.Contains("security", message);
        Assert.Equal(HttpStatusCode.BadRequest, badTransition.StatusCode);
        await AssertNothingStored(admin);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task OverlongTitleIsRefused(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        var response = await admin.PostAsJsonAsync("/api/v1/incidents", new { title = new string('x', 100_000), category = "api", impactScope = "some" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("200", (await response.Json()).GetProperty("errors").GetProperty("title")[0].GetString());
        await AssertNothingStored(admin);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TwentyMegabyteBodyIs413(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var body = "{\"title\":\"" + new string('a', 20 * 1024 * 1024) + "\",\"category\":\"api\",\"impactScope\":\"some\"}";

        var response = await admin.PostAsync("/api/v1/incidents", Raw(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertNothingStored(admin);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task UnknownIdsAre404AndUnknownComponentsAreNamed(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/incidents/INC-2026-9999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/incidents/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/api/v1/incidents/{Guid.NewGuid()}/transitions", new { to = "triaging" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/v1/incidents/nope/notes", new { text = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/incidents/nope/timeline/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/components/no.such.component")).StatusCode);

        var unknownComponent = await admin.PostAsJsonAsync("/api/v1/incidents", new { title = "x", category = "api", impactScope = "some", componentIds = new[] { "api.nope" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknownComponent.StatusCode);
        Assert.Contains("api.nope", (await unknownComponent.Json()).GetProperty("errors").GetProperty("componentIds")[0].GetString());
        await AssertNothingStored(admin);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WrongContentTypeIs415(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        var response = await admin.PostAsync("/api/v1/incidents", new StringContent("title=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertNothingStored(admin);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ErrorsSpeakTheCallersLanguage(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);

        var ja = await app.Admin("ja").PostAsync("/api/v1/incidents", Raw("{}"));
        var en = await app.Admin("en").PostAsync("/api/v1/incidents", Raw("{}"));

        Assert.Equal("この項目は必須です。", (await ja.Json()).GetProperty("errors").GetProperty("title")[0].GetString());
        Assert.Equal("This field is required.", (await en.Json()).GetProperty("errors").GetProperty("title")[0].GetString());
    }
}
