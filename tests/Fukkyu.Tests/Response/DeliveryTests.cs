using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Notifications;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tools.SmtpSink;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Response;

/// <summary>Pages leave through real servers: SMTP, signed webhooks, Slack, the SMS gateway; and the link in them acknowledges once.</summary>
public sealed partial class DeliveryTests
{
    private static Dictionary<string, string?> Smtp(SmtpSinkServer sink) => new()
    {
        ["Fukkyu:Email:Host"] = "127.0.0.1",
        ["Fukkyu:Email:Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Fukkyu:Email:Security"] = "none",
        ["Fukkyu:Email:FromAddress"] = "pager@fukkyu.example.jp",
    };

    private static async Task<(HttpResponseMessage Response, string Html)> Get(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Submits the page's form the way a browser does: its hidden handler and anti-forgery fields,
    /// with the anti-forgery cookie the page set (the test client keeps no cookies of its own).
    /// </summary>
    private static async Task<string> Submit(HttpClient client, string path, HttpResponseMessage page, string html)
    {
        var fields = HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("Cookie", string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
        var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ThePageEmailArrivesOverSmtpAndItsLinkAcknowledgesExactlyOnce(Store store)
    {
        await using var sink = new SmtpSinkServer();
        await using var w = await ResponseWorld.StartAsync(store, settings: Smtp(sink));
        var incident = await w.DeclareLevelOneAsync();
        var number = incident.GetProperty("number").GetString()!;

        await w.DeliverAsync();

        var mail = Assert.Single(sink.Messages);
        Assert.Equal([$"{w.Sato.UserName}@example.jp"], mail.To);
        Assert.Equal(number, mail.Header("X-Fukkyu-Incident"));
        var parsed = await MimeKit.MimeMessage.LoadAsync(new MemoryStream(Encoding.Latin1.GetBytes(mail.Data)));
        Assert.Contains(number, parsed.Subject);
        Assert.Contains("レベル1", parsed.Subject); // Sato reads Japanese
        var link = Regex.Match(parsed.TextBody ?? "", @"https://fukkyu\.example\.jp(?<path>/ack/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)").Groups["path"].Value;
        Assert.NotEmpty(link);
        var delivered = (await w.PagingAsync(incident.GetProperty("id").GetString()!)).GetProperty("pages")[0].GetProperty("notifications")[0];
        Assert.Equal("delivered", delivered.GetProperty("delivery").GetString());

        // Opening the link changes nothing (mail scanners open links); the button acknowledges.
        var browser = w.App.Anonymous();
        var (opened, html) = await Get(browser, link);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Contains(number, html);
        Assert.Equal("triggered", (await w.PagingAsync(incident.GetProperty("id").GetString()!)).GetProperty("pages")[0].GetProperty("state").GetString());

        var done = await Submit(browser, link, opened, html);
        Assert.Contains($"Acknowledged {number}", done);
        var page = (await w.PagingAsync(incident.GetProperty("id").GetString()!)).GetProperty("pages")[0];
        Assert.Equal("acknowledged", page.GetProperty("state").GetString());
        Assert.Equal("link", page.GetProperty("acknowledgedVia").GetString());
        Assert.Equal("User " + w.Sato.UserName, page.GetProperty("acknowledgedBy").GetString());
        Assert.Equal("triaging", (await w.Admin.GetJson($"/api/v1/incidents/{number}")).GetProperty("status").GetString());

        // Single use.
        var again = await Submit(browser, link, opened, html);
        Assert.Contains("already used", again);
        Assert.Contains("already used", (await Get(browser, link)).Html);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ATamperedOrExpiredLinkIsRefused(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store);
        var id = (await w.DeclareLevelOneAsync()).GetProperty("id").GetString()!;
        var body = (await w.PagesSentAsync(id)).Single().Body;
        var path = Regex.Match(body, @"/ack/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+").Value;
        var browser = w.App.Anonymous();

        var tampered = path[..^3] + (path[^3] == 'A' ? "B" : "A") + path[^2..];
        Assert.Contains("not valid", (await Get(browser, tampered)).Html);
        Assert.Contains("not valid", (await Get(browser, "/ack/nonsense")).Html);
        Assert.DoesNotContain("not valid", (await Get(browser, path)).Html);

        w.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Contains("not valid", (await Get(browser, path)).Html);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AWebhookContactReceivesASignedPage(Store store)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var w = await ResponseWorld.StartAsync(store);
        var hook = await w.AddContactAsync(w.Sato, "webhook", receiver.Url + "/pager/sato");
        var secret = hook.GetProperty("signingSecret").GetString()!;
        var incident = await w.DeclareLevelOneAsync();

        await w.DeliverAsync();

        var request = Assert.Single(receiver.Received);
        Assert.Equal("/pager/sato", request.Path);
        Assert.True(WebhookSender.Verify(secret, request.Headers[WebhookSender.SignatureHeader], request.Body, w.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSender.Verify("whsec_someone-else", request.Headers[WebhookSender.SignatureHeader], request.Body, w.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.StartsWith("page:", request.Headers["Idempotency-Key"]);
        var json = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("page", json.GetProperty("event").GetString());
        Assert.Equal(incident.GetProperty("number").GetString(), json.GetProperty("incident").GetProperty("number").GetString());
        Assert.StartsWith("https://fukkyu.example.jp/ack/", json.GetProperty("ackUrl").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SlackGetsTheMessageAtItsSecretUrlAndSecurityTitlesStayOffChat(Store store)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var w = await ResponseWorld.StartAsync(store);
        await w.AddContactAsync(w.Sato, "slack", receiver.Url + "/services/T01/B02/secret-part");
        await w.Admin.PostJson("/api/v1/incidents", new
        {
            title = "Hot wallet outflow on ETH",
            category = "security",
            impactScope = "some",
            security = true,
            componentIds = new[] { "web.site" },
        }, HttpStatusCode.Created);

        await w.DeliverAsync();

        var request = Assert.Single(receiver.Received, r => r.Path.StartsWith("/services/", StringComparison.Ordinal));
        Assert.Equal("/services/T01/B02/secret-part", request.Path);
        var json = JsonDocument.Parse(request.Body).RootElement;
        Assert.Contains("/ack/", json.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
        Assert.DoesNotContain("Hot wallet", request.Body);
        var stored = await w.App.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.Channel == "slack"));
        Assert.DoesNotContain("secret-part", stored.Recipient + stored.Payload);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SmsGoesThroughTheConfiguredGateway(Store store)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var w = await ResponseWorld.StartAsync(store, settings: new()
        {
            ["Fukkyu:Sms:Url"] = receiver.Url + "/2010-04-01/Accounts/AC1/Messages.json",
            ["Fukkyu:Sms:From"] = "+815000000000",
            ["Fukkyu:Sms:UserName"] = "AC1",
            ["Fukkyu:Sms:Password"] = "auth-token",
        });
        await w.AddContactAsync(w.Sato, "sms", "+819011112222");
        await w.DeclareLevelOneAsync();

        await w.DeliverAsync();

        var request = Assert.Single(receiver.Received, r => r.Path.EndsWith("Messages.json", StringComparison.Ordinal));
        var form = request.Body.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p[1]));
        Assert.Equal("+819011112222", form["To"]);
        Assert.Equal("+815000000000", form["From"]);
        Assert.Contains("https://fukkyu.example.jp/ack/", form["Body"]);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC1:auth-token")), request.Headers["Authorization"]);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task BriefingsReachPeopleOverTheMethodsTheyChoseWithEmailAsFallback(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        await w.AddContactAsync(w.Sato, "sms", "+819011112222");                     // pages only, by default
        await w.AddContactAsync(w.Sato, "push", "fcm-token-aaaaaaaaaaaaaaaaaaaaaaaa");
        await w.AddContactAsync(w.Sato, "slack", "https://hooks.slack.com/services/T/B/x", briefings: false);
        var plain = await w.Admin.PostJson("/api/v1/users", new { userName = "honda", displayName = "本田", email = "honda@example.jp", roles = new[] { "support" }, language = "en" }, HttpStatusCode.Created);
        var hondaId = plain.GetProperty("id").GetGuid();

        var queued = await w.App.WithDbAsync(async db =>
        {
            var notifier = w.App.Services.CreateScope().ServiceProvider.GetRequiredService<IPersonNotifier>();
            var n = 0;
            foreach (var uid in new[] { w.Sato.Id, hondaId })
            {
                n += await notifier.NotifyAsync(db, new PersonMessage(uid, "briefing", "briefing:1", "件名", "Subject", "本文", "Body"), w.Now, CancellationToken.None);
            }
            await db.SaveChangesAsync();
            return n;
        });

        Assert.Equal(3, queued);
        var sent = await w.App.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Purpose == "briefing").ToListAsync());
        Assert.Equal(["email", "push"], sent.Where(m => m.UserId == w.Sato.Id).Select(m => m.Channel).Order().ToArray());
        Assert.Equal("件名", sent.Single(m => m.UserId == w.Sato.Id && m.Channel == "email").Subject);
        var honda = Assert.Single(sent, m => m.UserId == hondaId);
        Assert.Equal(("email", "honda@example.jp", "Subject"), (honda.Channel, honda.Recipient, honda.Subject));
    }
}
