using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.Subscribers;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tools.SmtpSink;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Fukkyu.Tests.Comms.CommsKit;

namespace Fukkyu.Tests.Comms;

public sealed partial class SubscriberTests
{
    private const string Base = "http://status.test";

    internal static Dictionary<string, string?> Settings(int smtpPort = 0, Dictionary<string, string?>? extra = null)
    {
        var s = new Dictionary<string, string?>
        {
            ["Fukkyu:Outbox:Enabled"] = "false",
            ["Fukkyu:Jobs:Enabled"] = "false",
            ["Fukkyu:Email:Host"] = smtpPort == 0 ? null : "127.0.0.1",
            ["Fukkyu:Email:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fukkyu:Email:Security"] = "none",
            ["Fukkyu:Email:FromAddress"] = "status@exchange.test",
            ["Fukkyu:StatusPage:BaseUrl"] = Base,
            ["Fukkyu:Notices:RequireApprovalFromLevel"] = "0",
            ["Fukkyu:Subscribers:RequestsPerMinutePerClient"] = "1000",
            ["Fukkyu:Subscribers:AllowedWebhookHosts:0"] = "127.0.0.1",
        };
        foreach (var (k, v) in extra ?? [])
        {
            s[k] = v;
        }
        return s;
    }

    /// <summary>Runs due jobs (the fan-out) and delivers the outbox until nothing is left to do.</summary>
    internal static async Task DrainAsync(FukkyuApp app)
    {
        var jobs = app.Services.GetRequiredService<JobRunner>();
        var outbox = app.Services.GetRequiredService<OutboxDispatcher>();
        while (await jobs.RunDueAsync(CancellationToken.None) + await outbox.RunOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) => new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private static string Link(string mail, string path) =>
        Regex.Match(MimeKit.MimeMessage.Load(new MemoryStream(Encoding.Latin1.GetBytes(mail))).TextBody ?? "", Regex.Escape(Base + path) + @"\?token=([A-Za-z0-9_\-%]+)").Groups[1].Value;

    private static MimeKit.MimeMessage Parse(ReceivedMail mail) => MimeKit.MimeMessage.Load(new MemoryStream(Encoding.Latin1.GetBytes(mail.Data)));

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AnEmailSubscriberConfirmsGetsNoticesForTheirComponentsAndUnsubscribesInOneClick(Store store)
    {
        await using var sink = new SmtpSinkServer();
        await using var app = await FukkyuApp.StartAsync(store, settings: Settings(sink.Port));
        var admin = app.Admin();
        var btc = (await admin.GetJson("/api/v1/components/trading.btc_jpy")).GetProperty("id").GetString()!;
        var eth = (await admin.GetJson("/api/v1/components/trading.eth_jpy")).GetProperty("id").GetString()!;
        var anonymous = app.Anonymous("ja");

        var subscribed = await anonymous.PostAsync("/subscribe", Form(("email", "Taro@Example.jp"), ("language", "ja"), ("page_lang", "ja"), ("component", Hex(btc))));
        Assert.Equal(HttpStatusCode.OK, subscribed.StatusCode);
        Assert.Contains("メールをご確認ください", await subscribed.Content.ReadAsStringAsync());
        await anonymous.PostAsync("/subscribe", Form(("email", "eth-only@example.jp"), ("language", "en"), ("page_lang", "en"), ("component", eth)));
        await DrainAsync(app);
        var confirmations = sink.Messages.ToList();
        Assert.Equal(2, confirmations.Count);
        var confirmation = confirmations.Single(m => m.To.Single() == "taro@example.jp");
        Assert.True((Parse(confirmation).Subject ?? "").Contains("メール配信の登録確認", StringComparison.Ordinal), Parse(confirmation).Subject + " / " + confirmation.Data[..Math.Min(600, confirmation.Data.Length)]);
        var token = Uri.UnescapeDataString(Link(confirmation.Data, "/subscribe/confirm"));
        Assert.StartsWith("c_", token);

        // Nothing is sent before the address confirms.
        var (_, number) = await DeclareAsync(admin, TradingIncident());
        await PostNoticeAsync(admin, number, Notice());
        await DrainAsync(app);
        Assert.Equal(2, sink.Count);

        var page = await anonymous.GetAsync($"/subscribe/confirm?token={Uri.EscapeDataString(token)}&lang=ja");
        var pageHtml = await page.Content.ReadAsStringAsync();
        Assert.True(pageHtml.Contains("登録を確定する", StringComparison.Ordinal), pageHtml[Math.Max(0, pageHtml.IndexOf("<main", StringComparison.Ordinal))..]);
        var confirmed = await anonymous.PostAsync("/subscribe/confirm", Form(("token", token), ("lang", "ja")));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("登録が完了しました", await confirmed.Content.ReadAsStringAsync());
        var reused = await anonymous.PostAsync("/subscribe/confirm", Form(("token", token), ("lang", "ja")));
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        var other = Uri.UnescapeDataString(Link(confirmations.Single(m => m.To.Single() == "eth-only@example.jp").Data, "/subscribe/confirm"));
        await anonymous.PostAsync("/subscribe/confirm", Form(("token", other)));

        var notice = await PostNoticeAsync(admin, number, Notice("BTC/JPY 取引の障害について（続報）", status: "identified"));
        await DrainAsync(app);
        var mail = Assert.Single(sink.Messages.Skip(2));
        Assert.Equal(["taro@example.jp"], mail.To);
        var parsed = Parse(mail);
        Assert.Equal("[原因特定・対応中] BTC/JPY 取引の障害について（続報）", parsed.Subject);
        Assert.Contains("復旧見込み: 復旧の見込みは未定です。", parsed.TextBody);
        Assert.Contains("BTC/JPY 取引の障害について（続報）", parsed.HtmlBody);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Header("List-Unsubscribe-Post"));
        var listUnsubscribe = mail.Header("List-Unsubscribe")!;
        Assert.StartsWith($"<{Base}/unsubscribe?token=u_", listUnsubscribe);
        Assert.Contains(listUnsubscribe.Trim('<', '>'), parsed.TextBody);
        Assert.Equal($"<{EmailSender.MessageId($"notice:{Hex(notice.GetProperty("id").GetString()!)}:e:", "status@exchange.test")}>".Length, mail.Header("Message-Id")!.Length);

        // RFC 8058 one-click: the mail client POSTs to the List-Unsubscribe URL.
        var oneClick = await app.Anonymous().PostAsync(listUnsubscribe.Trim('<', '>')[Base.Length..], Form(("List-Unsubscribe", "One-Click")));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().PostAsync(listUnsubscribe.Trim('<', '>')[Base.Length..], Form(("List-Unsubscribe", "One-Click")))).StatusCode);
        await PostNoticeAsync(admin, number, Notice("BTC/JPY 取引の障害について（復旧）", status: "resolved"));
        await DrainAsync(app);
        Assert.Equal(3, sink.Count);
        var states = await app.WithDbAsync(db => db.Subscribers.AsNoTracking().OrderBy(s => s.Address).Select(s => s.State).ToListAsync());
        Assert.Equal([SubscriberState.Active, SubscriberState.Unsubscribed], states);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SubscribingAnswersTheSameWhateverTheAddressStateAndCapsTheMail(Store store)
    {
        await using var sink = new SmtpSinkServer();
        await using var app = await FukkyuApp.StartAsync(store, settings: Settings(sink.Port));
        var client = app.Anonymous("en");
        async Task<(HttpStatusCode, string)> Submit(string email)
        {
            var r = await client.PostAsync("/subscribe", Form(("email", email), ("language", "en"), ("page_lang", "en")));
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }
        async Task<(HttpStatusCode, string)> SubmitJson(string email)
        {
            var r = await client.PostAsJsonAsync("/subscribe", new { email, language = "en" });
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        var fresh = await Submit("new@example.jp");
        await DrainAsync(app);
        var token = Uri.UnescapeDataString(Link(sink.Messages.Single().Data, "/subscribe/confirm"));
        await client.PostAsync("/subscribe/confirm", Form(("token", token)));
        var active = await Submit("new@example.jp");
        var pending = await Submit("other@example.jp");
        Assert.Equal(fresh, active);
        Assert.Equal(fresh, pending);
        Assert.Equal(HttpStatusCode.OK, fresh.Item1);
        Assert.Equal(await SubmitJson("new@example.jp"), await SubmitJson("third@example.jp"));

        // A fourth and fifth request for one address in a day send nothing more.
        await Submit("other@example.jp");
        await Submit("other@example.jp");
        Assert.Equal(fresh, await Submit("other@example.jp"));
        await DrainAsync(app);
        Assert.Equal(3, sink.Messages.Count(m => m.To.Single() == "other@example.jp"));

        var bad = await client.PostAsync("/subscribe", Form(("email", "not an address"), ("page_lang", "en")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not a valid email address", await bad.Content.ReadAsStringAsync());
        var badJson = await client.PostAsJsonAsync("/subscribe", new { email = "x@example.jp", componentIds = new[] { "nope" } });
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.True((await badJson.Json()).GetProperty("errors").TryGetProperty("componentIds", out _));
        var malformed = await client.PostAsync("/subscribe", new StringContent("{\"email\":", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheSubscribeEndpointIsRateLimitedPerClient(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Settings(extra: new() { ["Fukkyu:Subscribers:RequestsPerMinutePerClient"] = "3" }));
        var client = app.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/subscribe", Form(("email", $"a{i}@example.jp")))).StatusCode);
        }
        var limited = await client.PostAsync("/subscribe", Form(("email", "a9@example.jp")));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("60", limited.Headers.GetValues("Retry-After").Single());
        Assert.Equal(3, await app.WithDbAsync(db => db.Subscribers.CountAsync()));
    }

    [Fact]
    public async Task BehindATrustedProxyTheLimitIsPerForwardedClient()
    {
        // A real server on loopback: the connection comes from 127.0.0.1, a proxy believed by default.
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, kestrel: true,
            settings: Settings(extra: new() { ["Fukkyu:Subscribers:RequestsPerMinutePerClient"] = "2" }));
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        async Task<HttpStatusCode> SubscribeAs(string client, string email)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/subscribe") { Content = Form(("email", email)) };
            request.Headers.Add("X-Forwarded-For", client);
            return (await http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await SubscribeAs("203.0.113.7", "a1@example.jp"));
        Assert.Equal(HttpStatusCode.OK, await SubscribeAs("203.0.113.7", "a2@example.jp"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SubscribeAs("203.0.113.7", "a3@example.jp"));
        // Another client behind the same proxy is not limited by the first one's requests.
        Assert.Equal(HttpStatusCode.OK, await SubscribeAs("198.51.100.20", "b1@example.jp"));
        Assert.Equal(3, await app.WithDbAsync(db => db.Subscribers.CountAsync()));
    }

    [Fact]
    public async Task AnUnparsableTrustedProxyStopsTheServerWithTheSettingNamed()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => FukkyuApp.StartAsync(Store.Sqlite,
            settings: Settings(extra: new() { ["Fukkyu:Http:TrustedProxies:0"] = "10.0.0.0/abc" })));
        Assert.Contains("Fukkyu:Http:TrustedProxies", e.ToString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ConfirmationAndUnsubscribeTokensAreUnguessableAndSinglePurpose(Store store)
    {
        await using var sink = new SmtpSinkServer();
        await using var app = await FukkyuApp.StartAsync(store, settings: Settings(sink.Port));
        var client = app.Anonymous();
        await client.PostAsync("/subscribe", Form(("email", "hanako@example.jp")));
        await DrainAsync(app);
        var confirm = Uri.UnescapeDataString(Link(sink.Messages.Single().Data, "/subscribe/confirm"));
        var subscriber = await app.WithDbAsync(db => db.Subscribers.AsNoTracking().SingleAsync());
        Assert.NotEqual(confirm, subscriber.ConfirmTokenHash);
        Assert.DoesNotContain(confirm, JsonSerializer.Serialize(subscriber));
        var tokens = app.Services.GetRequiredService<SubscriberTokens>();
        var unsubscribe = tokens.Unsubscribe(subscriber.Id, subscriber.TokenStamp);

        // Each token only does its own job; forged and altered ones do nothing.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/subscribe/confirm", Form(("token", unsubscribe)))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/unsubscribe", Form(("token", confirm)))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/subscribe/confirm", Form(("token", "c_" + new string('A', 43))))).StatusCode);
        var altered = unsubscribe[..^3] + (unsubscribe[^3] == 'A' ? "B" : "A") + unsubscribe[^2..];
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/unsubscribe", Form(("token", altered)))).StatusCode);
        Assert.Null(tokens.ReadUnsubscribe("u_" + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{subscriber.Id:N}:{subscriber.TokenStamp}"))));
        Assert.Equal(SubscriberState.Pending, (await app.WithDbAsync(db => db.Subscribers.AsNoTracking().SingleAsync())).State);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/subscribe/confirm", Form(("token", confirm)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/unsubscribe", Form(("token", unsubscribe)))).StatusCode);
        // Subscribed again later: the old unsubscribe link no longer touches the new subscription.
        await client.PostAsync("/subscribe", Form(("email", "hanako@example.jp")));
        await DrainAsync(app);
        await client.PostAsync("/subscribe/confirm", Form(("token", Uri.UnescapeDataString(Link(sink.Messages.Last().Data, "/subscribe/confirm")))));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/unsubscribe", Form(("token", unsubscribe)))).StatusCode);
        Assert.Equal(SubscriberState.Active, (await app.WithDbAsync(db => db.Subscribers.AsNoTracking().SingleAsync())).State);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/unsubscribe")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AWebhookSubscriberGetsASignedStatuspagePayload(Store store)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await FukkyuApp.StartAsync(store, settings: Settings());
        var admin = app.Admin();
        var registered = await admin.PostJson("/api/v1/subscribers", new { kind = "webhook", address = receiver.Url + "/hooks/status", language = "en", label = "partner" },
            HttpStatusCode.Created);
        var secret = registered.GetProperty("signingSecret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.DoesNotContain(secret, await app.WithDbAsync(db => db.Subscribers.AsNoTracking().Select(s => s.SigningSecret).SingleAsync()));
        Assert.Equal(JsonValueKind.Undefined, (await admin.GetJson("/api/v1/subscribers"))[0].TryGetProperty("signingSecret", out _) ? JsonValueKind.String : JsonValueKind.Undefined);

        var (_, number) = await DeclareAsync(admin, TradingIncident());
        await PostNoticeAsync(admin, number, Notice());
        await DrainAsync(app);

        var request = Assert.Single(receiver.Received);
        Assert.Equal("/hooks/status", request.Path);
        Assert.True(WebhookSender.Verify(secret, request.Headers[WebhookSender.SignatureHeader], request.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(["meta", "page", "incident"], body.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.StartsWith($"{Base}/unsubscribe?token=u_", body.GetProperty("meta").GetProperty("unsubscribe").GetString());
        Assert.Equal("major", body.GetProperty("page").GetProperty("status_indicator").GetString());
        var incident = body.GetProperty("incident");
        Assert.Equal("Issue affecting BTC/JPY trading", incident.GetProperty("name").GetString());
        Assert.Contains("Recovery outlook: No estimate yet.", incident.GetProperty("incident_updates")[0].GetProperty("body").GetString());
        Assert.Equal("BTC/JPY trading", incident.GetProperty("components")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/x")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.20.0.5/hook")]
    [InlineData("http://192.168.1.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("ftp://example.com/hook")]
    [InlineData("http://user:secret@example.com/hook")]
    public async Task AWebhookUrlThatResolvesInsideIsRefused(string url)
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, settings: Settings(extra: new() { ["Fukkyu:Subscribers:AllowedWebhookHosts:0"] = null }));
        var refused = await app.Admin().PostAsJsonAsync("/api/v1/subscribers", new { kind = "webhook", address = url });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await refused.Json()).GetProperty("errors").TryGetProperty("address", out _));
        Assert.Equal(0, await app.WithDbAsync(db => db.Subscribers.CountAsync()));
    }

    [Fact]
    public async Task PrivateWebhookTargetsAreAllowedOnlyByConfiguration()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, settings: Settings(extra: new()
        {
            ["Fukkyu:Subscribers:AllowedWebhookHosts:0"] = null,
            ["Fukkyu:Subscribers:AllowPrivateWebhookTargets"] = "true",
        }));
        Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsJsonAsync("/api/v1/subscribers", new { kind = "webhook", address = "http://10.1.2.3/hook" })).StatusCode);
        Assert.False(WebhookTargetGuard.IsInternal(IPAddress.Parse("8.8.8.8")));
        Assert.False(WebhookTargetGuard.IsInternal(IPAddress.Parse("2001:4860:4860::8888")));
        Assert.True(WebhookTargetGuard.IsInternal(IPAddress.Parse("fe80::1")));
        Assert.True(WebhookTargetGuard.IsInternal(IPAddress.Parse("224.0.0.1")));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AppPushGoesToFcmIn500TokenMessagesAndUnregisteredDevicesAreRemoved(Store store)
    {
        using var rsa = RSA.Create(2048);
        var transientLeft = 2;
        await using var fcm = await FakeApi.StartAsync(async (req, res) =>
        {
            if (req.Path == "/token")
            {
                var assertion = Uri.UnescapeDataString(req.Body.Split('&').Single(p => p.StartsWith("assertion=", StringComparison.Ordinal))["assertion=".Length..]);
                var parts = assertion.Split('.');
                var valid = rsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                res.StatusCode = valid ? 200 : 400;
                await res.WriteAsJsonAsync(new { access_token = "ya29.test", expires_in = 3600, token_type = "Bearer" });
                return;
            }
            var token = JsonDocument.Parse(req.Body).RootElement.GetProperty("message").GetProperty("token").GetString()!;
            if (token.StartsWith("gone-", StringComparison.Ordinal))
            {
                res.StatusCode = 404;
                await res.WriteAsync("{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"UNREGISTERED\"}]}}");
                return;
            }
            if (token == "flaky-0" && Interlocked.Decrement(ref transientLeft) >= 0)
            {
                res.StatusCode = 503;
                return;
            }
            await res.WriteAsJsonAsync(new { name = $"projects/exchange-app/messages/{Guid.NewGuid():N}" });
        });
        var key = JsonSerializer.Serialize(new { type = "service_account", client_email = "fukkyu@exchange-app.iam.gserviceaccount.com", private_key = rsa.ExportPkcs8PrivateKeyPem(), token_uri = fcm.Url + "/token" });
        await using var app = await FukkyuApp.StartAsync(store, settings: Settings(extra: new()
        {
            ["Fukkyu:Push:BaseUrl"] = fcm.Url,
            ["Fukkyu:Push:ProjectId"] = "exchange-app",
            ["Fukkyu:Push:ServiceAccountJson"] = key,
            ["Fukkyu:Outbox:FirstRetrySeconds"] = "0",
        }));
        await app.WithDbAsync(async db =>
        {
            var now = DateTime.UtcNow;
            string TokenFor(int i) => i % 200 == 0 ? $"gone-{i}" : i == 7 ? "flaky-0" : $"device-{i}";
            for (var i = 0; i < 1200; i++)
            {
                db.Subscribers.Add(new Subscriber { Kind = SubscriberKind.Push, Address = TokenFor(i), Language = "ja", State = SubscriberState.Active, CreatedAt = now, UpdatedAt = now });
            }
            await db.SaveChangesAsync();
        });
        var admin = app.Admin();
        var (_, number) = await DeclareAsync(admin, TradingIncident());
        await PostNoticeAsync(admin, number, Notice());
        await app.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);
        var messages = await app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Channel == "push").ToListAsync());
        Assert.Equal(3, messages.Count);
        Assert.All(messages, m => Assert.True(JsonSerializer.Deserialize<PushPayload>(m.Payload!, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Tokens.Length <= 500));

        await DrainAsync(app);
        for (var i = 0; i < 5 && await app.WithDbAsync(db => db.Set<OutboxMessage>().AnyAsync(m => m.Channel == "push" && m.State == OutboxState.Pending)); i++)
        {
            await Task.Delay(1100);
            await DrainAsync(app);
        }
        var sends = fcm.Received.Where(r => r.Path == "/v1/projects/exchange-app/messages:send").ToList();
        Assert.All(sends, r => Assert.Equal("Bearer ya29.test", r.Headers["Authorization"]));
        Assert.Equal(1200 + 2, sends.Count); // the flaky device twice more, nobody else again
        Assert.Equal(1200, sends.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("message").GetProperty("token").GetString()).Distinct().Count());
        var sample = JsonDocument.Parse(sends[0].Body).RootElement.GetProperty("message");
        Assert.Equal("[調査中] BTC/JPY 取引の障害について", sample.GetProperty("notification").GetProperty("title").GetString());
        Assert.False(string.IsNullOrEmpty(sample.GetProperty("data").GetProperty("incident_id").GetString()));
        Assert.All(await app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Channel == "push").Select(m => m.State).ToListAsync()),
            s => Assert.Equal(OutboxState.Delivered, s));
        var left = await app.WithDbAsync(db => db.Subscribers.AsNoTracking().Where(s => s.Kind == SubscriberKind.Push).Select(s => s.Address).ToListAsync());
        Assert.Equal(1194, left.Count);
        Assert.DoesNotContain(left, a => a.StartsWith("gone-", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task SnsPostsFormOneThreadPerIncident(Store store)
    {
        var id = 1000;
        var assigned = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await using var x = await FakeApi.StartAsync(async (req, res) =>
        {
            var postId = Interlocked.Increment(ref id).ToString(System.Globalization.CultureInfo.InvariantCulture);
            assigned[JsonDocument.Parse(req.Body).RootElement.GetProperty("text").GetString()!] = postId;
            res.StatusCode = 201;
            await res.WriteAsJsonAsync(new { data = new { id = postId, text = "ok" } });
        });
        await using var app = await FukkyuApp.StartAsync(store, settings: Settings(extra: new()
        {
            ["Fukkyu:Sns:Enabled"] = "true",
            ["Fukkyu:Sns:BaseUrl"] = x.Url,
            ["Fukkyu:Sns:ConsumerKey"] = "ck",
            ["Fukkyu:Sns:ConsumerSecret"] = "cs",
            ["Fukkyu:Sns:AccessToken"] = "at",
            ["Fukkyu:Sns:AccessTokenSecret"] = "ats",
        }));
        var admin = app.Admin();
        var (_, first) = await DeclareAsync(admin, TradingIncident());
        var (_, second) = await DeclareAsync(admin, MinorIncident());
        // Published before any is delivered: the thread still goes out in order.
        await PostNoticeAsync(admin, first, Notice());
        await PostNoticeAsync(admin, first, Notice(status: "identified", whatJa: new string('長', 400)));
        await PostNoticeAsync(admin, second, Notice("ウェブサイトの障害", "Website issue"));
        await PostNoticeAsync(admin, first, Notice(status: "resolved"));
        await DrainAsync(app);
        for (var i = 0; i < 10 && x.Received.Count < 4; i++)
        {
            await Task.Delay(2100);
            await DrainAsync(app);
        }

        var posts = x.Received.Select(r => (Request: r, Body: JsonDocument.Parse(r.Body).RootElement, Text: JsonDocument.Parse(r.Body).RootElement.GetProperty("text").GetString()!)).ToList();
        Assert.Equal(4, posts.Count);
        Assert.All(posts, p => Assert.Equal("/2/tweets", p.Request.Path));
        Assert.All(posts, p => Assert.StartsWith("OAuth ", p.Request.Headers["Authorization"]));
        Assert.All(posts, p => Assert.Contains("oauth_signature=", p.Request.Headers["Authorization"]));
        // Within X's limit: the text is weighted (CJK counts 2) and the link counts 23.
        Assert.All(posts, p => Assert.True(SnsPosts.Weight(p.Text[..p.Text.LastIndexOf('\n')]) + 1 + SnsPosts.UrlWeight <= SnsPosts.MaxWeight, p.Text));
        Assert.All(posts, p => Assert.Contains($"{Base}/ja/incidents/", p.Text));
        var one = posts.Single(p => p.Text.StartsWith("[調査中] BTC/JPY", StringComparison.Ordinal));
        var two = posts.Single(p => p.Text.StartsWith("[原因特定・対応中]", StringComparison.Ordinal));
        var three = posts.Single(p => p.Text.StartsWith("[復旧済み]", StringComparison.Ordinal));
        var other = posts.Single(p => p.Text.Contains("ウェブサイトの障害", StringComparison.Ordinal));
        Assert.False(one.Body.TryGetProperty("reply", out _));
        Assert.False(other.Body.TryGetProperty("reply", out _));
        Assert.Equal(assigned[one.Text], two.Body.GetProperty("reply").GetProperty("in_reply_to_tweet_id").GetString());
        Assert.Equal(assigned[two.Text], three.Body.GetProperty("reply").GetProperty("in_reply_to_tweet_id").GetString());
        Assert.EndsWith("…", two.Text[..two.Text.LastIndexOf('\n')]);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ACrashMidFanoutSkipsNobodyAndQueuesNobodyTwice(Store store)
    {
        await using var sink = new SmtpSinkServer();
        await using var app = await FukkyuApp.StartAsync(store, settings: Settings(sink.Port, new() { ["Fukkyu:Subscribers:FanoutBatchSize"] = "1000" }));
        const int count = 2500;
        await app.WithDbAsync(async db =>
        {
            var now = DateTime.UtcNow;
            for (var i = 0; i < count; i++)
            {
                db.Subscribers.Add(new Subscriber { Kind = SubscriberKind.Email, Address = $"user{i:D5}@example.jp", Language = i % 2 == 0 ? "ja" : "en", State = SubscriberState.Active, CreatedAt = now, UpdatedAt = now });
            }
            await db.SaveChangesAsync();
        });
        var admin = app.Admin();
        var (_, number) = await DeclareAsync(admin, TradingIncident());
        var noticeId = Guid.Parse((await PostNoticeAsync(admin, number, Notice())).GetProperty("id").GetString()!);
        var crashed = 0;
        NoticeFanoutJob.AfterBatch = (n, channel, batch) =>
        {
            if (n == noticeId && channel == "subscriber-email" && batch == 2 && Interlocked.Exchange(ref crashed, 1) == 0)
            {
                throw new IOException("simulated crash after the second batch");
            }
        };
        try
        {
            var jobs = app.Services.GetRequiredService<JobRunner>();
            await jobs.RunDueAsync(CancellationToken.None);
            Assert.Equal(1, crashed);
            Assert.Equal(2000, await app.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.Channel == "subscriber-email")));
            // The job is retried with backoff; make it due now and run it again.
            await app.WithDbAsync(db => db.Set<Job>().Where(j => j.State == JobState.Pending).ExecuteUpdateAsync(s => s.SetProperty(j => j.DueAt, DateTime.UtcNow.AddSeconds(-1))));
            await DrainAsync(app);
        }
        finally
        {
            NoticeFanoutJob.AfterBatch = null;
        }
        var rows = await app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Channel == "subscriber-email").Select(m => m.Recipient).ToListAsync());
        Assert.Equal(count, rows.Count);
        Assert.Equal(count, rows.Distinct().Count());
        Assert.Equal(count, sink.Count);
        Assert.Equal(count, sink.Messages.Select(m => m.To.Single()).Distinct().Count());
        var english = sink.Messages.First(m => m.To.Single() == "user00001@example.jp");
        Assert.Equal("[Investigating] Issue affecting BTC/JPY trading", Parse(english).Subject);
    }

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b + new string('=', (4 - b.Length % 4) % 4));
    }
}
