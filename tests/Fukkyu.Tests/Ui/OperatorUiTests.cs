using System.Net;
using Fukkyu.Server.Auth;
using Fukkyu.Tests.Infrastructure;

namespace Fukkyu.Tests.Ui;

public sealed class OperatorUiTests
{
    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SigningInAndDeclaringFromTheFormsShowsTheIncidentWithItsLevelAndReason(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var ui = UiSession.Start(app);

        var signIn = await ui.SignInAsync("admin", FukkyuApp.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/ops/incidents", UiSession.LocalPath(signIn));

        var declared = await ui.SubmitAsync("/ops/incidents/new", "declare", new()
        {
            ["Form.Title"] = "ETH withdrawals stuck in SENDING",
            ["Form.Category"] = "Withdrawal",
            ["Form.ImpactScope"] = "Many",
            ["Form.ExpectedRecoveryMinutes"] = "90",
            ["Form.ReporterName"] = "Support desk",
            ["Form.ReporterContact"] = "support@example.jp",
            ["Form.Channel"] = "Support",
        }, [new("componentKeys", "withdrawal.eth.ethereum"), new("componentKeys", "withdrawal.eth.arbitrum")]);
        Assert.Equal(HttpStatusCode.Redirect, declared.StatusCode);
        var location = UiSession.LocalPath(declared);
        Assert.Matches(@"^/ops/incidents/INC-\d{4}-0001$", location);

        var page = await ui.Client.GetStringAsync(location);
        Assert.Contains("ETH withdrawals stuck in SENDING", page);
        Assert.Contains("Level 2", page);
        Assert.Contains("many users affected", page);
        Assert.Contains("ETH withdrawals (Arbitrum One)", page);
        Assert.Contains("Timeline intact", page);

        var api = await app.Admin().GetJson("/api/v1/incidents/INC-" + location[^9..]);
        Assert.Equal("support", api.GetProperty("reporter").GetProperty("channel").GetString());
        Assert.Equal(2, api.GetProperty("components").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TransitionsNotesAndLevelChangesWorkFromTheIncidentPage(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var number = (await app.Admin().PostJson("/api/v1/incidents", new { title = "Public API 5xx", category = "api", impactScope = "some" }, HttpStatusCode.Created))
            .GetProperty("number").GetString();
        var ui = UiSession.Start(app);
        await ui.SignInAsync("admin", FukkyuApp.AdminPassword);
        var page = $"/ops/incidents/{number}";

        Assert.Equal(HttpStatusCode.Redirect, (await ui.SubmitAsync(page, "transition", new() { ["to"] = "triaging", ["note"] = "Looking at the gateway" })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ui.SubmitAsync(page, "note", new() { ["text"] = "Error rate 12 %" })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ui.SubmitAsync(page, "level", new() { ["level"] = "2", ["reason"] = "Market makers affected" })).StatusCode);

        var refused = await ui.SubmitAsync(page, "transition", new() { ["to"] = "resolved" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("is not allowed", await refused.Content.ReadAsStringAsync());

        var incident = await app.Admin().GetJson($"/api/v1/incidents/{number}");
        Assert.Equal("triaging", incident.GetProperty("status").GetString());
        Assert.Equal(2, incident.GetProperty("level").GetInt32());
        var timeline = await app.Admin().GetJson($"/api/v1/incidents/{number}/timeline");
        Assert.Contains(timeline.EnumerateArray(), e => e.GetProperty("body").GetString() == "Error rate 12 %");
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WhatPeopleTypeIsShownEncoded(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        const string script = "<script>alert('x')</script>";
        const string attribute = "\" onmouseover=\"alert(1)";
        var number = (await app.Admin().PostJson("/api/v1/incidents", new
        {
            title = script + attribute,
            category = "web",
            impactScope = "some",
            description = "<img src=x onerror=alert(2)>",
            reporter = new { name = "<b>bold</b>", contact = "javascript:alert(3)", channel = "support" },
        }, HttpStatusCode.Created)).GetProperty("number").GetString();
        await app.Admin().PostJson($"/api/v1/incidents/{number}/notes", new { text = "<iframe src=//evil>" }, HttpStatusCode.Created);
        var ui = UiSession.Start(app);
        await ui.SignInAsync("admin", FukkyuApp.AdminPassword);

        foreach (var html in new[] { await ui.Client.GetStringAsync($"/ops/incidents/{number}"), await ui.Client.GetStringAsync("/ops/incidents") })
        {
            Assert.DoesNotContain("<script>alert", html);
            Assert.DoesNotContain("onmouseover=\"alert", html);
            Assert.DoesNotContain("<img src=x", html);
            Assert.DoesNotContain("<b>bold</b>", html);
            Assert.DoesNotContain("<iframe", html);
        }
        var detail = await ui.Client.GetStringAsync($"/ops/incidents/{number}");
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", detail);
        Assert.Contains("&lt;iframe src=//evil&gt;", detail);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task FormsWithoutTheAntiForgeryTokenAreRefused(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var ui = UiSession.Start(app);
        await ui.SignInAsync("admin", FukkyuApp.AdminPassword);

        var forged = await ui.Client.PostAsync("/ops/incidents/new", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "declare",
            ["Form.Title"] = "Forged",
            ["Form.Category"] = "Web",
            ["Form.ImpactScope"] = "Some",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(0, (await app.Admin().GetJson("/api/v1/incidents")).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RepeatedWrongPasswordsLockTheAccount(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var user = await app.UserAsync(Roles.Responder);
        var ui = UiSession.Start(app);

        for (var i = 0; i < 4; i++)
        {
            var wrong = await ui.SignInAsync(user.UserName, "not-the-password");
            Assert.Contains("user name or password is wrong", await wrong.Content.ReadAsStringAsync());
        }
        var fifth = await ui.SignInAsync(user.UserName, "not-the-password");
        Assert.Contains("locked", await fifth.Content.ReadAsStringAsync());
        var right = await ui.SignInAsync(user.UserName, "password-" + user.UserName);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ViewersSeeIncidentsButNotTheDeclareForm(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var viewer = await app.UserAsync(Roles.Viewer);
        var ui = UiSession.Start(app);
        Assert.Equal(HttpStatusCode.Redirect, (await ui.SignInAsync(viewer.UserName, "password-" + viewer.UserName)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await ui.Client.GetAsync("/ops/incidents")).StatusCode);
        var declare = await ui.Client.GetAsync("/ops/incidents/new");
        Assert.Equal(HttpStatusCode.Redirect, declare.StatusCode);
        Assert.StartsWith("/ops/denied", UiSession.LocalPath(declare));
    }

    [Fact]
    public async Task TheUiSpeaksJapaneseByDefaultAndEnglishOnRequest()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var anonymous = app.CreateClient();

        var ja = await anonymous.GetStringAsync("/ops/signin");
        var en = await anonymous.GetStringAsync("/ops/signin?lang=en");

        Assert.Contains("サインイン", ja);
        Assert.Contains("lang=\"ja\"", ja);
        Assert.Contains("Sign in", en);
        Assert.Contains("lang=\"en\"", en);
    }
}
