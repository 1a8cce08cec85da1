using System.Net;
using System.Net.Http.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.OnCall;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Tests.Response;

public sealed class OnCallApiTests
{
    private static string At(int day, int hour, int minute = 0) => new DateTimeOffset(2026, 11, day, hour, minute, 0, TimeSpan.FromHours(9)).ToString("O");

    private static async Task<string?> OnCallName(ResponseWorld w, string at)
    {
        var result = await w.Admin.GetJson($"/api/v1/oncall?team=exchange-sre&at={Uri.EscapeDataString(at)}");
        var team = Assert.Single(result.GetProperty("teams").EnumerateArray());
        return team.GetProperty("onCall").EnumerateArray().Select(p => p.GetProperty("userName").GetString()).SingleOrDefault();
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WhoIsOnCallFollowsTheTokyoHandOffAndOverrides(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);

        // The daily rotation started on 1 Nov at 09:00 JST: Sato on odd days' shifts, Kato on even.
        Assert.Equal(w.Kato.UserName, await OnCallName(w, At(23, 8, 59)));
        Assert.Equal(w.Sato.UserName, await OnCallName(w, At(23, 9)));
        Assert.Equal(w.Kato.UserName, await OnCallName(w, At(24, 9)));

        // Tanaka covers Sato from noon to 15:00.
        var over = await w.Admin.PostJson("/api/v1/schedules/sre-primary/overrides",
            new { user = w.Tanaka.UserName, startsAt = At(23, 12), endsAt = At(23, 15), reason = "Sato at the dentist" }, HttpStatusCode.Created);
        Assert.Equal(w.Tanaka.UserName, await OnCallName(w, At(23, 12, 30)));
        Assert.Equal(w.Sato.UserName, await OnCallName(w, At(23, 15)));

        var now = await w.Admin.GetJson("/api/v1/oncall");
        var schedule = Assert.Single(now.GetProperty("schedules").EnumerateArray());
        Assert.Equal(w.Sato.UserName, schedule.GetProperty("person").GetProperty("userName").GetString());
        Assert.Equal(DateTime.Parse(At(23, 12)).ToUniversalTime(), schedule.GetProperty("until").GetDateTime());

        // Removing the override gives the shift back.
        Assert.Equal(HttpStatusCode.NoContent, (await w.Admin.DeleteAsync($"/api/v1/schedules/sre-primary/overrides/{over.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(w.Sato.UserName, await OnCallName(w, At(23, 12, 30)));

        // The final schedule shows the hand-offs.
        var final = await w.Admin.GetJson($"/api/v1/schedules/sre-primary/final?from={Uri.EscapeDataString(At(23, 0))}&to={Uri.EscapeDataString(At(25, 0))}");
        Assert.Equal([w.Kato.UserName, w.Sato.UserName, w.Kato.UserName],
            final.EnumerateArray().Select(s => s.GetProperty("person").GetProperty("userName").GetString()!).ToArray());

        // And so does the CLI.
        var (exit, output, _) = await w.CliAsync(w.Sato, "oncall", "now");
        Assert.Equal(0, exit);
        Assert.Contains("Exchange SRE", output);
        Assert.Contains("User " + w.Sato.UserName, output);
        Assert.Contains("2026-11-24 09:00", output);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ABadScheduleIsRefusedNamingEachField(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);

        var response = await w.Admin.PutAsJsonAsync("/api/v1/schedules/nights", new
        {
            name = "Nights",
            timeZone = "Mars/Olympus",
            layers = new object[]
            {
                new { name = "n", rotation = "daily", startDate = "2026-13-01", handoffTime = "9am", windows = new[] { "weeknights 18:00-09:00" }, members = new[] { "nobody-here" } },
                new { name = "c", rotation = "custom", startDate = "2026-11-01", members = Array.Empty<string>() },
            },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        foreach (var field in new[] { "timeZone", "layers[0].startDate", "layers[0].handoffTime", "layers[0].windows", "layers[0].members[0]", "layers[1].shiftHours", "layers[1].members" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
        Assert.Equal(HttpStatusCode.NotFound, (await w.Admin.GetAsync("/api/v1/schedules/nights")).StatusCode);
        // Managing schedules needs a command role; overrides a responder's.
        Assert.Equal(HttpStatusCode.Forbidden, (await w.Sato.Client.PutAsJsonAsync("/api/v1/schedules/x", new { name = "x" })).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ContactMethodsAreValidatedPrivateAndKeepTheirSecrets(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);

        var badPhone = await w.Sato.Client.PostAsJsonAsync($"/api/v1/users/{w.Sato.Id}/contact-methods", new { kind = "sms", address = "090-1234-5678" });
        Assert.Equal(HttpStatusCode.BadRequest, badPhone.StatusCode);
        Assert.Contains("E.164", (await badPhone.Json()).GetProperty("errors").GetProperty("address")[0].GetString());

        var slackUrl = "https://hooks.slack.com/services/T000/B000/very-secret-token";
        var slack = await w.Sato.Client.PostJson($"/api/v1/users/{w.Sato.Id}/contact-methods", new { kind = "slack", address = slackUrl }, HttpStatusCode.Created);
        Assert.DoesNotContain("very-secret-token", slack.GetProperty("method").GetProperty("address").GetString());
        var hook = await w.Sato.Client.PostJson($"/api/v1/users/{w.Sato.Id}/contact-methods", new { kind = "webhook", address = "https://pager.example.jp/hook" }, HttpStatusCode.Created);
        var secret = hook.GetProperty("signingSecret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        var sms = await w.Sato.Client.PostJson($"/api/v1/users/{w.Sato.Id}/contact-methods", new { kind = "sms", address = "+819012345678", delayMinutes = 2 }, HttpStatusCode.Created);
        Assert.False(sms.GetProperty("method").GetProperty("useForBriefings").GetBoolean());

        // Stored encrypted; listed without secrets.
        var stored = await w.App.WithDbAsync(db => db.Set<ContactMethod>().AsNoTracking().Where(m => m.UserId == w.Sato.Id).ToListAsync());
        Assert.All(stored, m => Assert.DoesNotContain("very-secret-token", (m.Address ?? "") + (m.ProtectedSecret ?? "")));
        Assert.All(stored, m => Assert.DoesNotContain(secret, m.ProtectedSecret ?? ""));
        var listed = await w.Sato.Client.GetStringAsync($"/api/v1/users/{w.Sato.Id}/contact-methods");
        Assert.DoesNotContain("very-secret-token", listed);
        Assert.DoesNotContain(secret, listed);

        // Someone else's are not there at all; an admin sees them.
        Assert.Equal(HttpStatusCode.NotFound, (await w.Kato.Client.GetAsync($"/api/v1/users/{w.Sato.Id}/contact-methods")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await w.Kato.Client.PostAsJsonAsync($"/api/v1/users/{w.Sato.Id}/contact-methods", new { kind = "email", address = "x@example.jp" })).StatusCode);
        Assert.Equal(4, (await w.Admin.GetJson($"/api/v1/users/{w.Sato.Id}/contact-methods")).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ThePersonalCalendarFeedListsTheirShifts(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);

        var feed = await w.Sato.Client.PostJson($"/api/v1/users/{w.Sato.Id}/calendar-feed", new { });
        var url = new Uri(feed.GetProperty("url").GetString()!);
        Assert.Equal(HttpStatusCode.NotFound, (await w.Kato.Client.PostAsJsonAsync($"/api/v1/users/{w.Sato.Id}/calendar-feed", new { })).StatusCode);

        var response = await w.App.Anonymous().GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var ics = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("BEGIN:VCALENDAR\r\n", ics);
        // Sato's shift on 23 Nov runs 09:00–09:00 JST, i.e. 00:00Z to 00:00Z.
        Assert.Contains("DTSTART:20261123T000000Z\r\nDTEND:20261124T000000Z", ics);
        Assert.DoesNotContain("DTSTART:20261124T000000Z", ics); // Kato's day
        Assert.Equal(HttpStatusCode.NotFound, (await w.App.Anonymous().GetAsync("/calendar/not-a-real-token.ics")).StatusCode);

        // A new link ends the old one.
        await w.Sato.Client.PostJson($"/api/v1/users/{w.Sato.Id}/calendar-feed", new { });
        Assert.Equal(HttpStatusCode.NotFound, (await w.App.Anonymous().GetAsync(url.PathAndQuery)).StatusCode);
    }
}
