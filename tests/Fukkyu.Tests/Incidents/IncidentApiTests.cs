using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Tests.Infrastructure;

namespace Fukkyu.Tests.Incidents;

public sealed class IncidentApiTests
{
    private static object Declaration(string title = "BTC/JPY order book stale", string category = "trading", string scope = "some",
        int? recovery = 20, string[]? components = null, bool security = false) => new
        {
            title,
            category,
            impactScope = scope,
            expectedRecoveryMinutes = recovery,
            componentIds = components ?? ["trading.btc_jpy"],
            description = "Order book sequence stopped advancing.",
            reporter = new { name = "佐藤 花子", contact = "sato@example.jp", channel = "monitoring" },
            security,
        };

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task DeclaringAnIncidentAssignsNumberLevelAndReason(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();

        var created = await admin.PostJson("/api/v1/incidents", Declaration(), HttpStatusCode.Created);

        Assert.Matches(@"^INC-\d{4}-0001$", created.GetProperty("number").GetString());
        Assert.Equal(2, created.GetProperty("level").GetInt32());
        Assert.Equal("main-function", created.GetProperty("levelRule").GetString());
        Assert.Contains("main function", created.GetProperty("levelReason").GetString());
        Assert.Contains("主要な機能", created.GetProperty("levelReasonJa").GetString());
        Assert.Equal("detected", created.GetProperty("status").GetString());
        Assert.Equal("佐藤 花子", created.GetProperty("reporter").GetProperty("name").GetString());
        Assert.Equal("sato@example.jp", created.GetProperty("reporter").GetProperty("contact").GetString());
        Assert.Equal("monitoring", created.GetProperty("reporter").GetProperty("channel").GetString());
        Assert.Equal("trading.btc_jpy", created.GetProperty("components")[0].GetProperty("key").GetString());

        var second = await admin.PostJson("/api/v1/incidents", Declaration(title: "Website down", category: "web", components: ["web.site"], recovery: 10), HttpStatusCode.Created);
        Assert.EndsWith("-0002", second.GetProperty("number").GetString());
        Assert.Equal(1, second.GetProperty("level").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task IncidentGoesThroughTheWholeLifecycleToClosed(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var number = (await admin.PostJson("/api/v1/incidents", Declaration(), HttpStatusCode.Created)).GetProperty("number").GetString()!;

        string[] path = ["triaging", "investigating", "recovering", "investigating", "recovering", "verifying", "recovering", "verifying", "resolved", "post_incident", "closed"];
        foreach (var to in path)
        {
            // Nothing here proves recovery (no monitors, checklist untouched): the admin overrides the recovery gate.
            var moved = await admin.PostJson($"/api/v1/incidents/{number}/transitions",
                new { to, note = $"to {to}", overrideReason = to == "resolved" ? "verified by phone with the exchange" : null });
            Assert.Equal(to, moved.GetProperty("status").GetString());
        }

        var incident = await admin.GetJson($"/api/v1/incidents/{number}");
        Assert.NotEqual(JsonValueKind.Null, incident.GetProperty("acknowledgedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, incident.GetProperty("identifiedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, incident.GetProperty("resolvedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, incident.GetProperty("closedAt").ValueKind);
        Assert.Empty(incident.GetProperty("allowedTransitions").EnumerateArray());

        var timeline = await admin.GetJson($"/api/v1/incidents/{number}/timeline");
        Assert.Equal(2 + path.Length, timeline.GetArrayLength());
        Assert.Equal("declared", timeline[0].GetProperty("kind").GetString());
        Assert.Equal(path.Length, timeline.EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "status"));
        Assert.Equal("verified by phone with the exchange", timeline.EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "gate_override").GetProperty("body").GetString());
        Assert.Equal("to closed", timeline[path.Length + 1].GetProperty("body").GetString());
        Assert.Equal("Administrator", timeline[1].GetProperty("actor").GetProperty("name").GetString());

        var verify = await admin.GetJson($"/api/v1/incidents/{number}/timeline/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RefusedTransitionAnswers409NamingTheAllowedOnes(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var id = (await admin.PostJson("/api/v1/incidents", Declaration(), HttpStatusCode.Created)).GetProperty("id").GetString();

        var refused = await admin.PostAsJsonAsync($"/api/v1/incidents/{id}/transitions", new { to = "resolved" });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Json();
        Assert.Equal(["triaging"], problem.GetProperty("allowed").EnumerateArray().Select(a => a.GetString()!).ToArray());
        Assert.Contains("triaging", problem.GetProperty("detail").GetString());
        var incident = await admin.GetJson($"/api/v1/incidents/{id}");
        Assert.Equal("detected", incident.GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ManualLevelChangeNeedsAReasonAndIsOnTheTimeline(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var id = (await admin.PostJson("/api/v1/incidents", Declaration(), HttpStatusCode.Created)).GetProperty("id").GetString();

        var noReason = await admin.PostAsJsonAsync($"/api/v1/incidents/{id}/level", new { level = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.Json()).GetProperty("errors").TryGetProperty("reason", out _));

        var raised = await admin.PostJson($"/api/v1/incidents/{id}/level", new { level = 3, reason = "Hot wallet outflow suspected" });
        Assert.Equal(3, raised.GetProperty("level").GetInt32());
        Assert.Equal("manual", raised.GetProperty("levelRule").GetString());
        Assert.Equal("Hot wallet outflow suspected", raised.GetProperty("levelReason").GetString());

        var same = await admin.PostAsJsonAsync($"/api/v1/incidents/{id}/level", new { level = 3, reason = "again" });
        Assert.Equal(HttpStatusCode.Conflict, same.StatusCode);

        var outOfRange = await admin.PostAsJsonAsync($"/api/v1/incidents/{id}/level", new { level = 4, reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);

        var timeline = await admin.GetJson($"/api/v1/incidents/{id}/timeline");
        var level = timeline.EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "level");
        Assert.Equal("Hot wallet outflow suspected", level.GetProperty("body").GetString());
        Assert.Equal(2, level.GetProperty("data").GetProperty("from").GetInt32());
        Assert.Equal(3, level.GetProperty("data").GetProperty("to").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SecurityIncidentCannotGoBelowLevelTwo(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var created = await admin.PostJson("/api/v1/incidents", Declaration(title: "Suspicious logins", category: "security", components: [], recovery: 10, security: true), HttpStatusCode.Created);
        Assert.Equal(2, created.GetProperty("level").GetInt32());
        Assert.Equal("security-minimum", created.GetProperty("levelRule").GetString());

        var lowered = await admin.PostAsJsonAsync($"/api/v1/incidents/{created.GetProperty("id").GetString()}/level", new { level = 1, reason = "looks minor" });

        Assert.Equal(HttpStatusCode.Conflict, lowered.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task CommanderMustHoldACommandRole(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var commander = await app.UserAsync(Roles.Commander);
        var responder = await app.UserAsync(Roles.Responder);
        var id = (await admin.PostJson("/api/v1/incidents", Declaration(), HttpStatusCode.Created)).GetProperty("id").GetString();

        var refused = await admin.PostAsJsonAsync($"/api/v1/incidents/{id}/commander", new { userId = responder.UserName });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        var assigned = await admin.PostJson($"/api/v1/incidents/{id}/commander", new { userId = commander.UserName });
        Assert.Equal(commander.Id, assigned.GetProperty("commander").GetProperty("id").GetGuid());
        Assert.Contains(assigned.GetProperty("members").EnumerateArray(), m => m.GetProperty("userId").GetGuid() == commander.Id && m.GetProperty("role").GetString() == "commander");
        var timeline = await admin.GetJson($"/api/v1/incidents/{id}/timeline");
        Assert.Contains(timeline.EnumerateArray(), e => e.GetProperty("kind").GetString() == "commander");
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task NotesAreAppendedAndListFiltersByStatusAndLevel(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var l2 = (await admin.PostJson("/api/v1/incidents", Declaration(), HttpStatusCode.Created)).GetProperty("number").GetString()!;
        var l1 = (await admin.PostJson("/api/v1/incidents", Declaration(title: "Docs page slow", category: "web", components: ["web.site"], recovery: 5), HttpStatusCode.Created)).GetProperty("number").GetString()!;
        await admin.PostJson($"/api/v1/incidents/{l2}/transitions", new { to = "triaging" });

        var note = await admin.PostJson($"/api/v1/incidents/{l2}/notes", new { text = "Restarted the matching engine gateway." }, HttpStatusCode.Created);
        Assert.Equal("note", note.GetProperty("kind").GetString());
        Assert.Equal(3, note.GetProperty("seq").GetInt32());

        var triaging = await admin.GetJson("/api/v1/incidents?status=triaging");
        Assert.Equal([l2], triaging.EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToArray());
        var level1 = await admin.GetJson("/api/v1/incidents?level=1");
        Assert.Equal([l1], level1.EnumerateArray().Select(i => i.GetProperty("number").GetString()!).ToArray());

        var badFilter = await admin.GetAsync("/api/v1/incidents?status=nope");
        Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RaisingTheExpectedRecoveryRaisesTheLevelButNeverLowersIt(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var id = (await admin.PostJson("/api/v1/incidents", Declaration(category: "web", components: ["web.site"], recovery: 10), HttpStatusCode.Created)).GetProperty("id").GetString();

        var patched = await admin.PatchAsJsonAsync($"/api/v1/incidents/{id}", new { expectedRecoveryMinutes = 240, cause = "Certificate expired" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var raised = await patched.Json();
        Assert.Equal(3, raised.GetProperty("level").GetInt32());
        Assert.Equal("recovery-long", raised.GetProperty("levelRule").GetString());
        Assert.Equal("Certificate expired", raised.GetProperty("cause").GetString());

        var lowered = await (await admin.PatchAsJsonAsync($"/api/v1/incidents/{id}", new { expectedRecoveryMinutes = 5 })).Json();
        Assert.Equal(3, lowered.GetProperty("level").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ConcurrentChangesToOneIncidentLetOneWinAndRefuseTheOther(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var id = (await admin.PostJson("/api/v1/incidents", Declaration(), HttpStatusCode.Created)).GetProperty("id").GetString();

        // Many clients press "triaging" at once: exactly one moves it, the rest get 409, and the
        // timeline shows exactly one status change.
        var tasks = Enumerable.Range(0, 8).Select(_ => app.Admin().PostAsJsonAsync($"/api/v1/incidents/{id}/transitions", new { to = "triaging" })).ToArray();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, results.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var timeline = await admin.GetJson($"/api/v1/incidents/{id}/timeline");
        Assert.Single(timeline.EnumerateArray(), e => e.GetProperty("kind").GetString() == "status");
        Assert.True((await admin.GetJson($"/api/v1/incidents/{id}/timeline/verify")).GetProperty("valid").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ConcurrentNotesAreAllKeptInOneUnbrokenChain(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var id = (await admin.PostJson("/api/v1/incidents", Declaration(), HttpStatusCode.Created)).GetProperty("id").GetString();

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(n => app.Admin().PostAsJsonAsync($"/api/v1/incidents/{id}/notes", new { text = $"note {n}" })));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var timeline = await admin.GetJson($"/api/v1/incidents/{id}/timeline");
        Assert.Equal(11, timeline.GetArrayLength());
        Assert.Equal(Enumerable.Range(0, 10).Select(n => $"note {n}").Order(), timeline.EnumerateArray().Skip(1).Select(e => e.GetProperty("body").GetString()!).Order());
        Assert.True((await admin.GetJson($"/api/v1/incidents/{id}/timeline/verify")).GetProperty("valid").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ConcurrentDeclarationsGetDistinctNumbers(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(n => app.Admin().PostAsJsonAsync("/api/v1/incidents", Declaration(title: $"Incident {n}"))));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var numbers = await Task.WhenAll(results.Select(async r => (await r.Json()).GetProperty("number").GetString()));
        Assert.Equal(12, numbers.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 12).Select(n => n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)), numbers.Select(n => n![^4..]).Order());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TimesStayUtcThroughTheStore(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        var started = new DateTime(2026, 11, 20, 3, 4, 5, DateTimeKind.Utc);
        var created = await admin.PostJson("/api/v1/incidents", new { title = "t", category = "api", impactScope = "some", startedAt = started }, HttpStatusCode.Created);

        var read = await admin.GetJson($"/api/v1/incidents/{created.GetProperty("id").GetString()}");

        Assert.Equal("2026-11-20T03:04:05Z", read.GetProperty("startedAt").GetString());
        Assert.EndsWith("Z", read.GetProperty("detectedAt").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task OpenFilterHoldsExactlyTheUnresolvedStatuses(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store);
        var admin = app.Admin();
        string[] path = ["triaging", "investigating", "recovering", "verifying", "resolved", "post_incident", "closed"];
        // One incident left at each status along the lifecycle.
        for (var stop = 0; stop <= path.Length; stop++)
        {
            var id = (await admin.PostJson("/api/v1/incidents", Declaration(title: $"stop {stop}"), HttpStatusCode.Created)).GetProperty("id").GetString();
            foreach (var to in path.Take(stop))
            {
                // Nothing here proves recovery: the admin overrides the recovery gate.
                await admin.PostJson($"/api/v1/incidents/{id}/transitions", new { to, overrideReason = to == "resolved" ? "checked by hand" : null });
            }
        }

        var open = (await admin.GetJson("/api/v1/incidents?open=true")).EnumerateArray().Select(i => i.GetProperty("status").GetString()).Order().ToArray();
        var ended = (await admin.GetJson("/api/v1/incidents?open=false")).EnumerateArray().Select(i => i.GetProperty("status").GetString()).Order().ToArray();

        Assert.Equal(new[] { "detected", "investigating", "recovering", "triaging", "verifying" }, open);
        Assert.Equal(new[] { "closed", "post_incident", "resolved" }, ended);
    }
}
