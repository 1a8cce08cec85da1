using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Tests.Comms;
using Fukkyu.Tests.Infrastructure;

namespace Fukkyu.Tests.PostIncident;

/// <summary>Issue 6 part 1 across features: a published report's summary becomes the incident's postmortem on the public status page.</summary>
public sealed class PostmortemTests
{
    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task APublishedReportShowsAsThePostmortemOnTheStatusPage(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Scripted.Manual());
        var admin = app.Admin();
        var commander = await app.UserAsync(Roles.Commander);
        var (id, number) = await CommsKit.DeclareAsync(admin, CommsKit.MinorIncident("Status page slow"));
        await CommsKit.PostNoticeAsync(admin, number, CommsKit.Notice(titleJa: "ウェブサイトの表示遅延", titleEn: "Website slow"));
        foreach (var to in new[] { "triaging", "investigating", "recovering", "verifying", "resolved", "post_incident" })
        {
            await Scripted.Move(admin, number, to);
        }
        await CommsKit.RefreshAsync(app);
        JsonElement Incident(string json) => JsonDocument.Parse(json).RootElement.GetProperty("incidents").EnumerateArray()
            .Single(i => i.GetProperty("name").GetString() == "Website slow");
        Assert.NotEqual("postmortem", Incident(await CommsKit.PageAsync(app.Anonymous(), "/api/v2/incidents.json")).GetProperty("status").GetString());

        var url = $"/api/v1/incidents/{number}/report";
        var summary = (await admin.GetJson(url)).GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "public_summary");
        await admin.PostJson(url + "/submit", new { });
        await commander.Client.PostJson(url + "/approve", new { comment = "OK" });
        await commander.Client.PostJson(url + "/publish", new { });
        await CommsKit.RefreshAsync(app);

        var incident = Incident(await CommsKit.PageAsync(app.Anonymous(), "/api/v2/incidents.json"));
        Assert.Equal("postmortem", incident.GetProperty("status").GetString());
        var page = await CommsKit.PageAsync(app.Anonymous(), $"/en/incidents/{CommsKit.Hex(id)}");
        var words = string.Join(' ', summary.GetProperty("en").GetProperty("text").GetString()!.Split('\n')[0].Split(' ').Take(3));
        Assert.Contains(words, page);
    }
}
