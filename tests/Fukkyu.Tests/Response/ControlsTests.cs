using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Server.Notifications;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Tests.Response;

/// <summary>The function-suspension board: changes, the exchange's reads (ETag, long-poll, bitbank shape), the two-person rule.</summary>
public sealed class ControlsTests
{
    private static JsonElement Control(JsonElement board, string list, string component) =>
        board.GetProperty(list).EnumerateArray().Single(c => c.GetProperty("component").GetString() == component);

    private static async Task<string> DeclareAsync(ResponseWorld w, string category, string component, bool security = false) =>
        (await w.Admin.PostJson("/api/v1/incidents", new { title = $"{component} failing", category, impactScope = "some", componentIds = new[] { component }, security },
            HttpStatusCode.Created)).GetProperty("number").GetString()!;

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task HaltingAPairIsRecordedOnTheTimelineUpdatesItsStatusAndTellsTheWebhooks(Store store)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        var hook = await w.Admin.PostJson("/api/v1/controls/webhooks", new { url = receiver.Url + "/controls", description = "matching engine" }, HttpStatusCode.Created);
        var secret = hook.GetProperty("secret").GetString()!;
        var number = await DeclareAsync(w, "trading", "trading.btc_jpy");

        var noReason = await w.Sato.Client.PostAsJsonAsync("/api/v1/controls/trading.btc_jpy", new { state = "halt" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.Json()).GetProperty("errors").TryGetProperty("reason", out _));
        var badState = await w.Sato.Client.PostAsJsonAsync("/api/v1/controls/trading.btc_jpy", new { state = "suspended", reason = "x" });
        Assert.Contains("very_busy", (await badState.Json()).GetProperty("errors").GetProperty("state")[0].GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await (await w.App.UserAsync("viewer")).Client.PostAsJsonAsync("/api/v1/controls/trading.btc_jpy", new { state = "halt", reason = "x" })).StatusCode);

        var changed = await w.Sato.Client.PostJson("/api/v1/controls/trading.btc_jpy", new { state = "halt", reason = "Order book stale", incident = number });

        Assert.Equal("halt", changed.GetProperty("control").GetProperty("state").GetString());
        Assert.Equal("normal → halt", changed.GetProperty("change").GetProperty("from").GetString() + " → " + changed.GetProperty("change").GetProperty("to").GetString());
        Assert.Equal("major_outage", (await w.Admin.GetJson("/api/v1/components/trading.btc_jpy")).GetProperty("status").GetString());
        var timeline = await w.Admin.GetJson($"/api/v1/incidents/{number}/timeline");
        var entry = timeline.EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "control_change");
        Assert.Equal("Order book stale", entry.GetProperty("body").GetString());
        Assert.Contains("BTC/JPY trading: normal → halt", entry.GetProperty("summary").GetString());

        // Only market orders stopped on ETH/JPY: partial outage; resuming clears it.
        await w.Sato.Client.PostJson("/api/v1/controls/trading.eth_jpy", new { flags = new { stopMarketOrder = true }, reason = "Slippage", incident = number });
        Assert.Equal("partial_outage", (await w.Admin.GetJson("/api/v1/components/trading.eth_jpy")).GetProperty("status").GetString());
        await w.Sato.Client.PostJson("/api/v1/controls/trading.eth_jpy", new { state = "normal", flags = new { }, reason = "Fixed", incident = number });
        Assert.Equal("operational", (await w.Admin.GetJson("/api/v1/components/trading.eth_jpy")).GetProperty("status").GetString());

        await w.DeliverAsync();
        var delivered = receiver.Received.Where(r => r.Path == "/controls").ToList();
        Assert.Equal(3, delivered.Count);
        Assert.All(delivered, r => Assert.True(WebhookSender.Verify(secret, r.Headers[WebhookSender.SignatureHeader], r.Body, w.Clock.GetUtcNow(), TimeSpan.FromMinutes(5))));
        var first = JsonDocument.Parse(delivered.Single(r => r.Body.Contains("btc_jpy", StringComparison.Ordinal)).Body).RootElement;
        Assert.Equal("control.changed", first.GetProperty("event").GetString());
        Assert.Equal("halt", first.GetProperty("control").GetProperty("state").GetString());
        Assert.Equal(number, first.GetProperty("incident").GetString());

        var history = await w.Admin.GetJson("/api/v1/controls/history?component=trading.btc_jpy");
        Assert.Equal("User " + w.Sato.UserName, Assert.Single(history.EnumerateArray()).GetProperty("actor").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheBoardAnswers304WhileNothingChanged(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        var first = await w.Admin.GetAsync("/api/v1/controls");
        var etag = first.Headers.ETag!;
        var board = await first.Json();
        Assert.Equal("normal", Control(board, "trading", "trading.btc_jpy").GetProperty("state").GetString());
        Assert.Equal("open", Control(board, "withdrawals", "withdrawal.eth.ethereum").GetProperty("state").GetString());
        Assert.Equal("normal", Control(board, "apis", "api.private").GetProperty("state").GetString());

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/controls");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await w.Admin.SendAsync(again)).StatusCode);

        await w.Sato.Client.PostJson("/api/v1/controls/api.private", new { state = "read_only", reason = "DB failover" });
        using var after = new HttpRequestMessage(HttpMethod.Get, "/api/v1/controls");
        after.Headers.IfNoneMatch.Add(etag);
        var changed = await w.Admin.SendAsync(after);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Equal("read_only", Control(await changed.Json(), "apis", "api.private").GetProperty("state").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ALongPollWakesOnAChange(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        var etag = (await w.Admin.GetAsync("/api/v1/controls")).Headers.ETag!;

        using var poll = new HttpRequestMessage(HttpMethod.Get, "/api/v1/controls?wait=60");
        poll.Headers.IfNoneMatch.Add(etag);
        var watching = w.Admin.SendAsync(poll);
        await Task.Delay(300);
        Assert.False(watching.IsCompleted, "the long-poll answered before anything changed");

        await w.Sato.Client.PostJson("/api/v1/controls/withdrawal.eth.ethereum", new { state = "suspended", reason = "Node out of sync" });

        // Without waking it would answer 304 only after 60 s; it answers the new board instead.
        var answer = await watching.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("suspended", Control(await answer.Json(), "withdrawals", "withdrawal.eth.ethereum").GetProperty("state").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ALongPollWithoutAChangeAnswers304AfterTheWait(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        var etag = (await w.Admin.GetAsync("/api/v1/controls")).Headers.ETag!;
        using var poll = new HttpRequestMessage(HttpMethod.Get, "/api/v1/controls?wait=1");
        poll.Headers.IfNoneMatch.Add(etag);

        var started = Stopwatch.StartNew();
        var answer = await w.Admin.SendAsync(poll);

        Assert.Equal(HttpStatusCode.NotModified, answer.StatusCode);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(900), "it did not wait");
        Assert.Equal(HttpStatusCode.BadRequest, (await w.Admin.GetAsync("/api/v1/controls?wait=100000")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheExchangeReadsTheBoardInBitbanksShape(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        await w.Sato.Client.PostJson("/api/v1/controls/trading.xrp_jpy", new { state = "very_busy", minAmount = "10", reason = "Load" });
        await w.Sato.Client.PostJson("/api/v1/controls/trading.btc_jpy", new { flags = new { stopSellOrder = true }, reason = "x" });
        await w.Sato.Client.PostJson("/api/v1/controls/withdrawal.eth.arbitrum", new { state = "suspended", reason = "Bridge" });

        var anonymous = w.App.Anonymous();
        var status = await anonymous.GetJson("/exchange/v1/spot/status");
        Assert.Equal(1, status.GetProperty("success").GetInt32());
        var xrp = status.GetProperty("data").GetProperty("statuses").EnumerateArray().Single(s => s.GetProperty("pair").GetString() == "xrp_jpy");
        Assert.Equal("VERY_BUSY", xrp.GetProperty("status").GetString());
        Assert.Equal("10", xrp.GetProperty("min_amount").GetString());
        Assert.Equal(8, status.GetProperty("data").GetProperty("statuses").GetArrayLength());

        var pairs = await anonymous.GetJson("/exchange/v1/spot/pairs");
        var btc = pairs.GetProperty("data").GetProperty("pairs").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "btc_jpy");
        Assert.True(btc.GetProperty("is_enabled").GetBoolean());
        Assert.True(btc.GetProperty("stop_sell_order").GetBoolean());
        Assert.False(btc.GetProperty("stop_buy_order").GetBoolean());
        Assert.Equal("jpy", btc.GetProperty("quote_asset").GetString());

        var assets = await anonymous.GetJson("/exchange/v1/assets");
        var eth = assets.GetProperty("data").GetProperty("assets").EnumerateArray().Single(a => a.GetProperty("asset").GetString() == "eth");
        Assert.True(eth.GetProperty("stop_withdrawal").GetBoolean());
        Assert.False(eth.GetProperty("stop_deposit").GetBoolean());
        var networks = eth.GetProperty("network_list").EnumerateArray().ToDictionary(n => n.GetProperty("network").GetString()!, n => n.GetProperty("stop_withdrawal").GetBoolean());
        Assert.True(networks["arbitrum"]);
        Assert.False(networks["ethereum"]);

        var response = await anonymous.GetAsync("/exchange/v1/spot/status");
        using var cached = new HttpRequestMessage(HttpMethod.Get, "/exchange/v1/spot/status");
        cached.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(cached)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ADrillNeverChangesTheRealControls(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        var drill = (await w.Admin.PostJson("/api/v1/incidents", new { title = "Drill: BTC halt", category = "trading", impactScope = "some", drill = true }, HttpStatusCode.Created))
            .GetProperty("number").GetString();

        var refused = await w.Sato.Client.PostAsJsonAsync("/api/v1/controls/trading.btc_jpy", new { state = "halt", reason = "drill", incident = drill });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("normal", Control(await w.Admin.GetJson("/api/v1/controls"), "trading", "trading.btc_jpy").GetProperty("state").GetString());
        var unknown = await w.Sato.Client.PostAsJsonAsync("/api/v1/controls/trading.btc_jpy", new { state = "halt", reason = "x", incident = "INC-1999-0001" });
        Assert.True((await unknown.Json()).GetProperty("errors").TryGetProperty("incident", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await w.Sato.Client.PostAsJsonAsync("/api/v1/controls/nope", new { state = "halt", reason = "x" })).StatusCode);
        var noControl = await w.Sato.Client.PostAsJsonAsync("/api/v1/controls/web.site", new { state = "halt", reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, noControl.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ResumingWithdrawalsAfterASecurityIncidentNeedsASecondPerson(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        var number = await DeclareAsync(w, "security", "withdrawal.eth.ethereum", security: true);
        await w.Admin.PostJson($"/api/v1/incidents/{number}/members", new { userId = w.Sato.Id.ToString(), role = "responder" });
        await w.Sato.Client.PostJson("/api/v1/controls/withdrawal.eth.ethereum", new { state = "suspended", reason = "Hot wallet outflow", incident = number });

        var request = await w.Sato.Client.PostAsJsonAsync("/api/v1/controls/withdrawal.eth.ethereum", new { state = "open", reason = "Keys rotated, reconciled" });
        Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
        var approval = (await request.Json()).GetProperty("approval");
        var approvalId = approval.GetProperty("id").GetString();
        Assert.Equal("pending", approval.GetProperty("state").GetString());
        Assert.Equal("suspended", Control(await w.Admin.GetJson("/api/v1/controls"), "withdrawals", "withdrawal.eth.ethereum").GetProperty("state").GetString());

        // Not the same person, not without a command role, and not twice at once.
        Assert.Equal(HttpStatusCode.Conflict, (await w.Sato.Client.PostAsJsonAsync("/api/v1/controls/withdrawal.eth.ethereum", new { state = "open", reason = "again" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await w.Kato.Client.PostAsJsonAsync($"/api/v1/controls/approvals/{approvalId}/approve", new { })).StatusCode);
        var selfApproving = await w.App.UserAsync("commander", "responder");
        var own = await selfApproving.Client.PostAsJsonAsync("/api/v1/controls/trading.btc_jpy", new { state = "halt", reason = "x" });
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);

        var approved = await w.Suzuki.Client.PostJson($"/api/v1/controls/approvals/{approvalId}/approve", new { note = "Checked the reconciliation" });
        Assert.Equal("open", approved.GetProperty("control").GetProperty("state").GetString());
        Assert.Equal("User " + w.Suzuki.UserName, approved.GetProperty("change").GetProperty("approvedBy").GetString());
        Assert.Equal("User " + w.Sato.UserName, approved.GetProperty("change").GetProperty("actor").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await w.Suzuki.Client.PostAsJsonAsync($"/api/v1/controls/approvals/{approvalId}/approve", new { })).StatusCode);

        var kinds = (await w.Admin.GetJson($"/api/v1/incidents/{number}/timeline")).EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToList();
        Assert.Equal(["control_change", "control_approval_requested", "control_approval_decided", "control_change"], kinds.Where(k => k.StartsWith("control", StringComparison.Ordinal)).ToArray());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheRequesterCannotApproveTheirOwnResume(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false, settings: new() { ["Fukkyu:Controls:TwoPersonRule"] = "Always" });
        await w.Suzuki.Client.PostJson("/api/v1/controls/withdrawal.btc.bitcoin", new { state = "suspended", reason = "Fee spike" });
        var approval = (await (await w.Suzuki.Client.PostAsJsonAsync("/api/v1/controls/withdrawal.btc.bitcoin", new { state = "open", reason = "Fees normal" })).Json())
            .GetProperty("approval").GetProperty("id").GetString();

        var self = await w.Suzuki.Client.PostAsJsonAsync($"/api/v1/controls/approvals/{approval}/approve", new { });

        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Contains("second person", (await self.Json()).GetProperty("detail").GetString());
        var rejected = await w.Yamada.Client.PostJson($"/api/v1/controls/approvals/{approval}/reject", new { note = "Wait for the morning" });
        Assert.Equal("rejected", rejected.GetProperty("approval").GetProperty("state").GetString());
        Assert.Equal("suspended", Control(await w.Admin.GetJson("/api/v1/controls"), "withdrawals", "withdrawal.btc.bitcoin").GetProperty("state").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheCliSuspendsAndResumes(Store store)
    {
        await using var w = await ResponseWorld.StartAsync(store, teams: false);
        var number = await DeclareAsync(w, "deposit", "deposit.xrp.xrpl");

        var (exit, output, error) = await w.CliAsync(w.Sato, "control", "suspend", "deposit.xrp.xrpl", "--reason", "Node stuck", "--incident", number);
        Assert.True(exit == 0, error);
        Assert.Contains("deposit.xrp.xrpl: open → suspended", output);
        (exit, output, error) = await w.CliAsync(w.Sato, "control", "suspend", "api.private", "--read-only", "--reason", "Failover");
        Assert.True(exit == 0, error);
        (exit, output, _) = await w.CliAsync(w.Sato, "control", "list");
        Assert.Contains("read_only", output);
        (exit, output, error) = await w.CliAsync(w.Sato, "control", "resume", "deposit.xrp.xrpl", "--reason", "Synced", "--incident", number);
        Assert.True(exit == 0, error);
        Assert.Contains("suspended → open", output);
        (exit, _, error) = await w.CliAsync(w.Sato, "control", "suspend", "deposit.xrp.xrpl");
        Assert.NotEqual(0, exit);
        (exit, _, error) = await w.CliAsync(w.Sato, "control", "suspend", "nothing.here", "--reason", "x");
        Assert.Equal(1, exit);
        Assert.Contains("No control", error);
    }
}
