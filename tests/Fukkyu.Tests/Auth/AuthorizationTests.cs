using System.Net;
using System.Net.Http.Json;
using System.Text;
using Fukkyu.Server.Auth;
using Fukkyu.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Auth;

public sealed class AuthorizationTests
{
    /// <summary>Pages and endpoints outside /api/v1 that are public on purpose.</summary>
    private static readonly string[] PublicPaths = ["/healthz", "/openapi/{documentName}.json", "/ops/signin", "/ops/lang", "/ops", "/ops/signout"];

    private static List<RouteEndpoint> ApiEndpoints(FukkyuApp app) =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)];

    private static HttpRequestMessage RequestFor(RouteEndpoint endpoint, string method)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(endpoint.RoutePattern.RawText!, @"\{([^}:]+)(:[^}]*)?\}",
            m => m.Groups[2].Value.Contains("guid") ? Guid.NewGuid().ToString() : "INC-2026-0001");
        return new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method is "POST" or "PATCH" or "PUT" ? new StringContent("{}", Encoding.UTF8, "application/json") : null,
        };
    }

    private static IEnumerable<(RouteEndpoint Endpoint, string Method)> EachMethod(IEnumerable<RouteEndpoint> endpoints) =>
        endpoints.SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (e, m)));

    [Fact]
    public async Task EveryApiEndpointRequiresARole()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var endpoints = ApiEndpoints(app);
        Assert.NotEmpty(endpoints);

        Assert.All(endpoints, e =>
        {
            var policies = e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            Assert.True(policies.Count > 0 && policies.All(p => p is not null && Policies.RolesFor.ContainsKey(p)),
                $"{e.RoutePattern.RawText} has no role policy");
            Assert.Null(e.Metadata.GetMetadata<IAllowAnonymous>());
        });
    }

    [Fact]
    public async Task EveryOperatorPageRequiresSignInExceptSignInItself()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var pages = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/ops", StringComparison.Ordinal) == true)
            .Where(e => !PublicPaths.Contains(e.RoutePattern.RawText))
            .ToList();
        Assert.NotEmpty(pages);
        Assert.All(pages, e => Assert.NotEmpty(e.Metadata.GetOrderedMetadata<IAuthorizeData>()));

        var anonymous = app.Anonymous();
        var list = await anonymous.GetAsync("/ops/incidents");
        Assert.Equal(HttpStatusCode.Redirect, list.StatusCode);
        Assert.StartsWith("/ops/signin", list.Headers.Location?.PathAndQuery);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WithoutCredentialsEveryApiEndpointAnswers401(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var anonymous = app.Anonymous();
        var badKey = app.Client("fk_not-a-real-key");

        foreach (var (endpoint, method) in EachMethod(ApiEndpoints(app)))
        {
            var response = await anonymous.SendAsync(RequestFor(endpoint, method));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {endpoint.RoutePattern.RawText} answered {(int)response.StatusCode} without credentials");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.Unauthorized, (await badKey.SendAsync(RequestFor(endpoint, method))).StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EachRoleIsForbiddenExactlyWhereItsPolicyDoesNotReach(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var endpoints = EachMethod(ApiEndpoints(app)).ToList();
        foreach (var role in Roles.All)
        {
            var user = await app.UserAsync(role);
            foreach (var (endpoint, method) in endpoints)
            {
                var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy!).Single();
                var allowed = Policies.RolesFor[policy].Contains(role);
                var response = await user.Client.SendAsync(RequestFor(endpoint, method));
                Assert.True(allowed == (response.StatusCode != HttpStatusCode.Forbidden),
                    $"{role}: {method} {endpoint.RoutePattern.RawText} answered {(int)response.StatusCode}, allowed={allowed}");
                Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RolesMapToWhatTheManualExpects(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var viewer = await app.UserAsync(Roles.Viewer);
        var support = await app.UserAsync(Roles.Support);
        var responder = await app.UserAsync(Roles.Responder);
        var executive = await app.UserAsync(Roles.Executive);
        var incident = new { title = "API errors", category = "api", impactScope = "some", componentIds = new[] { "api.public" } };

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Client.PostAsJsonAsync("/api/v1/incidents", incident)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await support.Client.PostAsJsonAsync("/api/v1/incidents", incident)).StatusCode);
        var id = (await responder.Client.PostJson("/api/v1/incidents", incident, HttpStatusCode.Created)).GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.Created, (await support.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/notes", new { text = "3 customers called" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/notes", new { text = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await responder.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/level", new { level = 3, reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await executive.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/level", new { level = 3, reason = "Board asked" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.Client.GetAsync($"/api/v1/incidents/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await responder.Client.PostAsJsonAsync("/api/v1/users", new { userName = "x1", displayName = "x", roles = new[] { "admin" } })).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SecurityIncidentsAreVisibleOnlyToAdminsCommandersAndMembers(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var responder = await app.UserAsync(Roles.Responder);
        var commander = await app.UserAsync(Roles.Commander);
        var executive = await app.UserAsync(Roles.Executive);
        var created = await admin.PostJson("/api/v1/incidents",
            new { title = "Hot wallet outflow", category = "security", impactScope = "some", security = true }, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        var number = created.GetProperty("number").GetString()!;
        var open = await admin.PostJson("/api/v1/incidents", new { title = "Slow site", category = "web", impactScope = "some" }, HttpStatusCode.Created);

        // Not a member: the incident does not exist for them.
        Assert.Equal([open.GetProperty("number").GetString()!], (await responder.Client.GetJson("/api/v1/incidents")).EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToArray());
        Assert.Equal(HttpStatusCode.NotFound, (await responder.Client.GetAsync($"/api/v1/incidents/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await responder.Client.GetAsync($"/api/v1/incidents/{number}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await responder.Client.GetAsync($"/api/v1/incidents/{id}/timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await responder.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/notes", new { text = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await executive.Client.GetAsync($"/api/v1/incidents/{id}")).StatusCode);

        // Commanders see every security incident.
        Assert.Equal(HttpStatusCode.OK, (await commander.Client.GetAsync($"/api/v1/incidents/{id}")).StatusCode);

        // Once assigned, the responder sees it.
        await admin.PostJson($"/api/v1/incidents/{id}/members", new { userId = responder.Id.ToString(), role = "responder" });
        Assert.Equal(HttpStatusCode.OK, (await responder.Client.GetAsync($"/api/v1/incidents/{id}")).StatusCode);
        Assert.Equal(2, (await responder.Client.GetJson("/api/v1/incidents")).GetArrayLength());

        // Whoever declares a security incident keeps seeing it.
        var own = await responder.Client.PostJson("/api/v1/incidents", new { title = "Phishing site", category = "security", impactScope = "some", security = true }, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await responder.Client.GetAsync($"/api/v1/incidents/{own.GetProperty("id").GetString()}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ApiKeysAreStoredHashedAndCanBeRevoked(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var user = await app.UserAsync(Roles.Responder);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/v1/me")).StatusCode);

        var stored = await app.WithDbAsync(db => Task.FromResult(db.ApiKeys.Select(k => k.Hash).ToList()));
        Assert.DoesNotContain(user.ApiKey, stored);
        Assert.DoesNotContain(FukkyuApp.AdminKey, stored);

        var keys = await user.Client.GetJson("/api/v1/api-keys");
        var keyId = keys[0].GetProperty("id").GetString();
        Assert.False(keys[0].TryGetProperty("key", out _));
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/api-keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ScopedKeyActsWithOnlyItsRolesAndCannotExceedTheUsers(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var user = await app.UserAsync(Roles.Commander, Roles.Responder);

        var tooMuch = await user.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "ci", roles = new[] { "admin" } });
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);

        var scoped = await user.Client.PostJson("/api/v1/api-keys", new { name = "read-only", roles = new[] { "responder" } }, HttpStatusCode.Created);
        var client = app.Client(scoped.GetProperty("key").GetString()!);
        var me = await client.GetJson("/api/v1/me");
        Assert.Equal(["responder"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task DisabledUsersKeysStopWorking(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var user = await app.UserAsync(Roles.Responder);

        var patched = await app.Admin().PatchAsJsonAsync($"/api/v1/users/{user.Id}", new { active = false });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/v1/me")).StatusCode);
    }
}
