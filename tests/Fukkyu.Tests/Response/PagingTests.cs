using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.OnCall;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Tests.Response;

/// <summary>Assembly by level, escalation with and without acknowledgement, contact methods, drills.</summary>
public sealed class PagingTests
{
    private static string Id(JsonElement incident) => incident.GetProperty("id").GetString()!;

    private static JsonElement Page(JsonElement paging, string group) =>
        paging.GetProperty("pages").EnumerateArray().Single(p => p.GetProperty("group").GetString() == group);

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task LevelOnePagesTheOwningTeamsOnCallOnEveryContactMethod(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        await w.AddContactAsync(w.Sato, "sms", "+819011112222");
        await w.AddContactAsync(w.Sato, "push", "fcm-token-aaaaaaaaaaaaaaaaaaaaaaaa");
        await w.AddContactAsync(w.Sato, "push", "fcm-token-bbbbbbbbbbbbbbbbbbbbbbbb");

        var incident = await w.DeclareLevelOneAsync();

        Assert.Equal(1, incident.GetProperty("level").GetInt32());
        var sent = await w.PagesSentAsync(Id(incident));
        Assert.All(sent, m => Assert.Equal(w.Sato.Id, m.UserId));
        Assert.Equal(["email", "push", "sms"], sent.Select(m => m.Channel).Order().ToArray());
        var email = sent.Single(m => m.Channel == "email");
        Assert.Equal($"{w.Sato.UserName}@example.jp", email.Recipient);
        Assert.Contains(incident.GetProperty("number").GetString()!, email.Subject);
        Assert.Contains("https://fukkyu.example.jp/ack/", email.Body);
        Assert.Contains("https://fukkyu.example.jp/ack/", sent.Single(m => m.Channel == "sms").Body);

        // One push message carries every device, for the push channel's sender (FCM HTTP v1), urgent.
        var push = JsonDocument.Parse(sent.Single(m => m.Channel == "push").Payload!).RootElement;
        Assert.Equal(["fcm-token-aaaaaaaaaaaaaaaaaaaaaaaa", "fcm-token-bbbbbbbbbbbbbbbbbbbbbbbb"], push.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).Order().ToArray());
        Assert.True(push.GetProperty("urgent").GetBoolean());
        Assert.Contains(incident.GetProperty("number").GetString()!, push.GetProperty("title").GetString());
        Assert.Equal(Id(incident), push.GetProperty("data").GetProperty("incidentId").GetString());
        Assert.StartsWith("https://fukkyu.example.jp/ack/", push.GetProperty("data").GetProperty("ackUrl").GetString());

        var paging = await w.PagingAsync(Id(incident));
        var page = Page(paging, "team:exchange-sre");
        Assert.Equal("triggered", page.GetProperty("state").GetString());
        Assert.Equal(3, page.GetProperty("notifications").GetArrayLength());
        Assert.All(page.GetProperty("notifications").EnumerateArray(), n => Assert.Equal("pending", n.GetProperty("delivery").GetString()));
        Assert.Empty(paging.GetProperty("warnings").EnumerateArray());

        var timeline = await w.Admin.GetJson($"/api/v1/incidents/{Id(incident)}/timeline");
        var entry = timeline.EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "page");
        Assert.Contains("User " + w.Sato.UserName, entry.GetProperty("summary").GetString());
        Assert.Contains("step 1 of 2", entry.GetProperty("summary").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WithoutAnAcknowledgementTheEscalationMovesOnThenRunsOut(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        var id = Id(await w.DeclareLevelOneAsync());
        Assert.Equal([w.Sato.Id], await w.PagedUsersAsync(id));

        await w.AdvanceAsync(TimeSpan.FromMinutes(4));
        Assert.Equal([w.Sato.Id], await w.PagedUsersAsync(id));

        await w.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal([w.Sato.Id, w.Tanaka.Id], await w.PagedUsersAsync(id));
        Assert.Equal(2, Page(await w.PagingAsync(id), "team:exchange-sre").GetProperty("step").GetInt32());

        await w.AdvanceAsync(TimeSpan.FromMinutes(10));
        var page = Page(await w.PagingAsync(id), "team:exchange-sre");
        Assert.Equal("exhausted", page.GetProperty("state").GetString());
        Assert.Equal(2, (await w.PagesSentAsync(id)).Count);
        var kinds = (await w.Admin.GetJson($"/api/v1/incidents/{id}/timeline")).EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(2, kinds.Count(k => k == "page"));
        Assert.Contains("page_exhausted", kinds);
    }

    /// <summary>The SRE policy: the primary on call, five minutes later Tanaka, ten minutes later the chain again.</summary>
    private static Task PrimaryThenTanakaAsync(ResponseWorld w, int repeat) => w.Put("/api/v1/escalation-policies/sre", new
    {
        name = "SRE",
        repeat,
        steps = new object[]
        {
            new { delayMinutes = 5, targets = new[] { new { kind = "schedule", @ref = "sre-primary" } } },
            new { delayMinutes = 10, targets = new[] { new { kind = "user", @ref = w.Tanaka.UserName } } },
        },
    });

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task APolicyRepeatsTheWholeChainWhenNobodyAcknowledges(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        await PrimaryThenTanakaAsync(w, repeat: 1);
        var id = Id(await w.DeclareLevelOneAsync());

        await w.AdvanceAsync(TimeSpan.FromMinutes(5));
        await w.AdvanceAsync(TimeSpan.FromMinutes(10));
        var sent = await w.PagesSentAsync(id);
        Assert.Equal([w.Sato.Id, w.Tanaka.Id, w.Sato.Id], sent.Select(m => m.UserId!.Value).ToArray());
        Assert.Equal(2, Page(await w.PagingAsync(id), "team:exchange-sre").GetProperty("cycle").GetInt32());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AStepThatRanLateDoesNotPushBackTheStepsAfterIt(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        await PrimaryThenTanakaAsync(w, repeat: 2);
        var id = Id(await w.DeclareLevelOneAsync());

        // Step 2 was due at 5:00 and ran 40 s late: the repeat is still due at 15:00.
        await w.AdvanceAsync(TimeSpan.FromSeconds(5 * 60 + 40));
        Assert.Equal(2, (await w.PagesSentAsync(id)).Count);
        await w.AdvanceAsync(TimeSpan.FromSeconds(9 * 60 + 20));
        Assert.Equal(3, (await w.PagesSentAsync(id)).Count);

        // The repeat's step 2 was due at 20:00 and ran at 23:00 (the node was down): Tanaka gets
        // the whole ten minutes from then, so the second repeat comes at 33:00, not at 30:00.
        await w.AdvanceAsync(TimeSpan.FromMinutes(8));
        Assert.Equal(4, (await w.PagesSentAsync(id)).Count);
        await w.AdvanceAsync(TimeSpan.FromMinutes(7));
        Assert.Equal(4, (await w.PagesSentAsync(id)).Count);
        await w.AdvanceAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(5, (await w.PagesSentAsync(id)).Count);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AcknowledgingStopsTheEscalationAndMovesTheIncidentToTriaging(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        var id = Id(await w.DeclareLevelOneAsync());
        await w.AdvanceAsync(TimeSpan.FromMinutes(2));

        var acked = await w.Sato.Client.PostJson($"/api/v1/incidents/{id}/acknowledge", new { });

        Assert.Equal("triaging", acked.GetProperty("status").GetString());
        var incident = await w.Admin.GetJson($"/api/v1/incidents/{id}");
        Assert.Equal(w.Now, incident.GetProperty("acknowledgedAt").GetDateTime(), TimeSpan.FromSeconds(1));
        Assert.Contains(incident.GetProperty("members").EnumerateArray(), m => m.GetProperty("userId").GetGuid() == w.Sato.Id);
        var page = Page(await w.PagingAsync(id), "team:exchange-sre");
        Assert.Equal("acknowledged", page.GetProperty("state").GetString());
        Assert.Equal("User " + w.Sato.UserName, page.GetProperty("acknowledgedBy").GetString());
        Assert.Equal("api", page.GetProperty("acknowledgedVia").GetString());

        await w.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal([w.Sato.Id], await w.PagedUsersAsync(id));

        var again = await w.Kato.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/acknowledge", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("User " + w.Sato.UserName, (await again.Json()).GetProperty("detail").GetString());
        var timeline = await w.Admin.GetJson($"/api/v1/incidents/{id}/timeline");
        Assert.Single(timeline.EnumerateArray(), e => e.GetProperty("kind").GetString() == "page_ack");
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheCliAcknowledges(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        var incident = await w.DeclareLevelOneAsync();
        var number = incident.GetProperty("number").GetString()!;

        var (exit, output, error) = await w.CliAsync(w.Sato, "ack", number);

        Assert.True(exit == 0, error);
        Assert.Contains($"Acknowledged {number}", output);
        Assert.Equal("cli", Page(await w.PagingAsync(Id(incident)), "team:exchange-sre").GetProperty("acknowledgedVia").GetString());
        var (again, _, err) = await w.CliAsync(w.Sato, "ack", number);
        Assert.Equal(1, again);
        Assert.Contains("already acknowledged", err);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RaisingTheLevelPagesOnlyTheNewlyRequiredPeople(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        var id = Id(await w.DeclareLevelOneAsync());
        Assert.Equal([w.Sato.Id], await w.PagedUsersAsync(id));

        // Level 2 convenes the emergency response team and asks its lead to command; Sato, already paged, is not paged again.
        await w.Admin.PostJson($"/api/v1/incidents/{id}/level", new { level = 2, reason = "Trading affected too" });
        var paging = await w.PagingAsync(id);
        Assert.Equal([w.Sato.Id, w.Suzuki.Id], (await w.PagedUsersAsync(id)).Order().ToArray());
        Assert.Equal(2, (await w.PagesSentAsync(id)).Count(m => m.UserId == w.Suzuki.Id)); // to respond (ERT) and to command
        Assert.Equal("command", Page(paging, "command").GetProperty("purpose").GetString());
        Assert.Single(await w.PagesSentAsync(id), m => m.UserId == w.Sato.Id);
        var summaries = (await w.Admin.GetJson($"/api/v1/incidents/{id}/timeline")).EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "page").Select(e => e.GetProperty("summary").GetString()!).ToList();
        Assert.Contains(summaries, x => x.Contains("Already paged: User " + w.Sato.UserName));

        // Level 3: the executive (asked to command) and every team lead.
        await w.Admin.PostJson($"/api/v1/incidents/{id}/level", new { level = 3, reason = "All users affected" });
        paging = await w.PagingAsync(id);
        Assert.Equal("command", Page(paging, "executives:executives").GetProperty("purpose").GetString());
        var leads = Page(paging, "leads").GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("userId").GetGuid()).ToArray();
        Assert.Equal([w.Tanaka.Id], leads); // Suzuki, a lead too, was already paged to respond
        Assert.DoesNotContain(w.Kato.Id, await w.PagedUsersAsync(id));

        // Lowering the level pages nobody.
        var before = (await w.PagesSentAsync(id)).Count;
        await w.Admin.PostJson($"/api/v1/incidents/{id}/level", new { level = 2, reason = "Contained" });
        Assert.Equal(before, (await w.PagesSentAsync(id)).Count);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheExecutiveWhoTakesTheCommandRequestBecomesCommander(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        var id = Id(await w.Admin.PostJson("/api/v1/incidents", new { title = "Exchange down", category = "trading", impactScope = "all", componentIds = new[] { "trading.btc_jpy" } }, HttpStatusCode.Created));
        var paging = await w.PagingAsync(id);
        var execPage = Page(paging, "executives:executives").GetProperty("id").GetString();

        // A responder cannot take a command request.
        var refused = await w.Sato.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/acknowledge", new { pageId = execPage });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        var taken = await w.Yamada.Client.PostJson($"/api/v1/incidents/{id}/acknowledge", new { });
        Assert.True(taken.GetProperty("tookCommand").GetBoolean());
        var incident = await w.Admin.GetJson($"/api/v1/incidents/{id}");
        Assert.Equal(w.Yamada.Id, incident.GetProperty("commander").GetProperty("id").GetGuid());
        // Taking command stops only the command request: the team is still being paged.
        Assert.Equal("triggered", Page(await w.PagingAsync(id), "team:exchange-sre").GetProperty("state").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ADrillPagesOnlyItsParticipantsNeverTheRealRota(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        var drill = await w.DeclareLevelOneAsync(w.Tanaka.Client, drill: true);
        var id = Id(drill);
        Assert.Equal([w.Tanaka.Id], await w.PagedUsersAsync(id));
        Assert.StartsWith("【訓練】", (await w.PagesSentAsync(id))[0].Subject); // people read pages in their language (ja by default)

        await w.Admin.PostJson($"/api/v1/incidents/{id}/members", new { userId = w.Kato.Id.ToString(), role = "responder" });
        await w.Admin.PostJson($"/api/v1/incidents/{id}/level", new { level = 3, reason = "Drill scenario escalates" });
        await w.AdvanceAsync(TimeSpan.FromMinutes(30));

        var paged = await w.PagedUsersAsync(id);
        Assert.Equal([w.Kato.Id, w.Tanaka.Id], paged.Order().ToArray());
        Assert.DoesNotContain(w.Sato.Id, paged);
        Assert.DoesNotContain(w.Yamada.Id, paged);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ASlowContactMethodIsUsedOnlyWhileThePageIsUnacknowledged(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        await w.AddContactAsync(w.Sato, "sms", "+819011112222", delay: 2);

        var acked = Id(await w.DeclareLevelOneAsync());
        Assert.DoesNotContain(await w.PagesSentAsync(acked), m => m.Channel == "sms");
        var waiting = Page(await w.PagingAsync(acked), "team:exchange-sre").GetProperty("notifications").EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "sms");
        Assert.Equal("waiting", waiting.GetProperty("delivery").GetString());
        await w.Sato.Client.PostJson($"/api/v1/incidents/{acked}/acknowledge", new { });
        await w.AdvanceAsync(TimeSpan.FromMinutes(3));
        Assert.DoesNotContain(await w.PagesSentAsync(acked), m => m.Channel == "sms");
        Assert.Equal("not_sent", Page(await w.PagingAsync(acked), "team:exchange-sre").GetProperty("notifications").EnumerateArray()
            .Single(n => n.GetProperty("channel").GetString() == "sms").GetProperty("delivery").GetString());

        var ignored = Id(await w.DeclareLevelOneAsync());
        await w.AdvanceAsync(TimeSpan.FromMinutes(2));
        var sms = Assert.Single(await w.PagesSentAsync(ignored), m => m.Channel == "sms");
        Assert.Equal("+819011112222", sms.Recipient);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task GapsInTheSetUpAreShownNotSilentlySkipped(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);

        var id = Id(await w.Admin.PostJson("/api/v1/incidents", new { title = "Deposits delayed", category = "deposit", impactScope = "many", componentIds = new[] { "deposit.jpy.bank" } }, HttpStatusCode.Created));

        var warnings = (await w.PagingAsync(id)).GetProperty("warnings").EnumerateArray().Select(x => x.GetString()!).ToList();
        Assert.Contains(warnings, x => x.Contains("No team owns"));
        Assert.Contains(warnings, x => x.Contains("No emergency response team"));
        // Suzuki holds the commander role, so a commander can still be asked.
        Assert.Contains(w.Suzuki.Id, await w.PagedUsersAsync(id));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task MorePeopleCanBePagedByHand(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        var id = Id(await w.DeclareLevelOneAsync());

        var page = await w.Sato.Client.PostJson($"/api/v1/incidents/{id}/pages", new { users = new[] { w.Kato.UserName } }, HttpStatusCode.Created);

        Assert.Equal(w.Kato.Id, Assert.Single(page.GetProperty("notifications").EnumerateArray()).GetProperty("userId").GetGuid());
        var bad = await w.Sato.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/pages", new { teams = new[] { "no-such-team" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Json()).GetProperty("errors").TryGetProperty("teams[0]", out _));
    }
}
