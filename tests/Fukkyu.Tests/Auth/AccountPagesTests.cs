using System.Net;
using Fukkyu.Cli;
using Fukkyu.Server.Auth;
using Fukkyu.Tests.Infrastructure;

namespace Fukkyu.Tests.Auth;

public sealed class AccountPagesTests
{
    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AnAdminAddsAUserWhoCanThenSignIn(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = UiSession.Start(app);
        await admin.SignInAsync("admin", FukkyuApp.AdminPassword);

        var added = await admin.SubmitAsync("/ops/users", "adduser", new()
        {
            ["Input.UserName"] = "Tanaka",
            ["Input.DisplayName"] = "田中 一郎",
            ["Input.Email"] = "tanaka@example.jp",
            ["Input.Password"] = "correct-horse-battery",
            ["Input.Language"] = "ja",
        }, [new("roles", "commander"), new("roles", "responder")]);
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);

        var users = await app.Admin().GetJson("/api/v1/users");
        var tanaka = users.EnumerateArray().Single(u => u.GetProperty("userName").GetString() == "tanaka");
        Assert.Equal(["commander", "responder"], tanaka.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).Order().ToArray());
        var signIn = await UiSession.Start(app).SignInAsync("tanaka", "correct-horse-battery");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        var invalid = await admin.SubmitAsync("/ops/users", "adduser", new() { ["Input.UserName"] = "x", ["Input.DisplayName"] = "" });
        Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
        Assert.Contains("2–64", await invalid.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task OnlyAdminsOpenTheUsersPage(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var responder = await app.UserAsync(Roles.Responder);
        var ui = UiSession.Start(app);
        await ui.SignInAsync(responder.UserName, "password-" + responder.UserName);

        var page = await ui.Client.GetAsync("/ops/users");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/ops/denied", UiSession.LocalPath(page));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task APersonCreatesAKeySeesItOnceAndRevokesIt(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var responder = await app.UserAsync(Roles.Responder);
        var ui = UiSession.Start(app);
        await ui.SignInAsync(responder.UserName, "password-" + responder.UserName);

        var created = await ui.SubmitAsync("/ops/keys", "createkey", new() { ["name"] = "laptop CLI" });
        var html = await created.Content.ReadAsStringAsync();
        var key = System.Text.RegularExpressions.Regex.Match(html, "<code class=\"secret\">(fk_[^<]+)</code>").Groups[1].Value;
        Assert.StartsWith("fk_", key);
        Assert.Equal(HttpStatusCode.OK, (await app.Client(key).GetAsync("/api/v1/me")).StatusCode);
        Assert.DoesNotContain(key, await ui.Client.GetStringAsync("/ops/keys"));

        var keyId = (await app.Client(key).GetJson("/api/v1/api-keys")).EnumerateArray().Single(k => k.GetProperty("name").GetString() == "laptop CLI").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Redirect, (await ui.SubmitAsync("/ops/keys", "revoke-" + keyId, [])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(key).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task UsersAndKeysAreManagedFromTheCommandLine()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var dir = Directory.CreateTempSubdirectory("fukkyu-cli-").FullName;
        var settings = new CliSettings(Path.Combine(dir, "c.json"), "http://localhost", FukkyuApp.AdminKey, app.Server.CreateHandler(), "en");
        async Task<(int Exit, string Out)> Run(params string[] args)
        {
            var o = new StringWriter();
            var exit = await FukkyuCli.RunAsync(args, o, new StringWriter(), settings);
            return (exit, o.ToString());
        }

        Assert.Equal(0, (await Run("user", "add", "sato", "--name", "佐藤", "--role", "support", "--email", "sato@example.jp")).Exit);
        Assert.Contains("sato", (await Run("user", "list")).Out);
        Assert.Equal(1, (await Run("user", "add", "sato", "--name", "again", "--role", "support")).Exit);

        var key = (await Run("key", "create", "ci", "--role", "admin")).Out.Trim();
        Assert.StartsWith("fk_", key);
        Assert.Equal(HttpStatusCode.OK, (await app.Client(key).GetAsync("/api/v1/me")).StatusCode);
        var id = (await app.Admin().GetJson("/api/v1/api-keys")).EnumerateArray().Single(k => k.GetProperty("name").GetString() == "ci").GetProperty("id").GetString()!;
        Assert.Equal(0, (await Run("key", "revoke", id)).Exit);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client(key).GetAsync("/api/v1/me")).StatusCode);
        Directory.Delete(dir, true);
    }
}
