using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Server.Catalog;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fukkyu.Tests.Response;

/// <summary>Each refusal of the recovery gate, and the ways through it.</summary>
public sealed class RecoveryGateTests
{
    // monitoring: false keeps the real monitoring feature with no monitor on the incident's components.
    private static async Task<(ResponseWorld World, FakeHealth Health)> StartAsync(Store store, bool monitoring = true, Dictionary<string, string?>? settings = null)
    {
        var health = new FakeHealth();
        var w = await ResponseWorld.StartAsync(store, monitoring ? s => s.AddSingleton<IMonitorHealthSource>(health) : null, settings, teams: false);
        return (w, health);
    }

    private static async Task<string> VerifyingAsync(ResponseWorld w, string category, string[] components, bool security = false)
    {
        var id = (await w.Admin.PostJson("/api/v1/incidents", new { title = "Failure", category, impactScope = "some", componentIds = components, security }, HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        foreach (var to in new[] { "triaging", "investigating", "recovering", "verifying" })
        {
            await w.Admin.PostJson($"/api/v1/incidents/{id}/transitions", new { to });
        }
        return id;
    }

    private static async Task<string[]> RefusalAsync(ResponseWorld w, string id, HttpClient? client = null, string? overrideReason = null)
    {
        var response = await (client ?? w.Sato.Client).PostAsJsonAsync($"/api/v1/incidents/{id}/transitions", new { to = "resolved", overrideReason });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal("gate", problem.GetProperty("title").GetString());
        return [.. problem.GetProperty("missing").EnumerateArray().Select(m => m.GetString()!)];
    }

    private static async Task ResolveAsync(ResponseWorld w, string id) =>
        Assert.Equal("resolved", (await w.Sato.Client.PostJson($"/api/v1/incidents/{id}/transitions", new { to = "resolved" })).GetProperty("status").GetString());

    private static async Task TickVerificationAsync(ResponseWorld w, string id)
    {
        var lists = await w.Admin.GetJson($"/api/v1/incidents/{id}/checklist");
        foreach (var item in lists.EnumerateArray().SelectMany(l => l.GetProperty("items").EnumerateArray()).Where(i => i.GetProperty("phase").GetString() == "verification"))
        {
            await w.Sato.Client.PostJson($"/api/v1/incidents/{id}/checklist/{item.GetProperty("id").GetString()}", new { done = true });
        }
    }

    private static async Task<Guid> ComponentIdAsync(ResponseWorld w, string key) => (await w.Admin.GetJson($"/api/v1/components/{key}")).GetProperty("id").GetGuid();

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WithoutMonitoringAComponentNeedsAPersonsConfirmationAndTheHold(Store store)
    {
        var (w, _) = await StartAsync(store, monitoring: false);
        await using var _w = w;
        var id = await VerifyingAsync(w, "trading", ["trading.btc_jpy"]); // level 2: a 15-minute hold

        var missing = await RefusalAsync(w, id);
        Assert.Contains(missing, m => m.Contains("BTC/JPY trading has no monitor"));
        Assert.Contains(missing, m => m.StartsWith("Verification step not done: Place, fill and cancel test orders", StringComparison.Ordinal));
        Assert.Contains(missing, m => m.Contains("15-minute monitoring period"));
        Assert.DoesNotContain(missing, m => m.Contains("reconciliation"));

        await TickVerificationAsync(w, id);
        var confirmed = await w.Sato.Client.PostJson($"/api/v1/incidents/{id}/recovery/confirmations",
            new { component = "trading.btc_jpy", note = "Test orders filled" }, HttpStatusCode.Created);
        Assert.Equal("trading.btc_jpy", confirmed.GetProperty("component").GetString());
        missing = await RefusalAsync(w, id);
        Assert.Equal([$"The 15-minute monitoring period since verification began ends at {Fukkyu.Server.Infrastructure.Tokyo.Format(w.Now.AddMinutes(15))}."], missing);

        var status = await w.Admin.GetJson($"/api/v1/incidents/{id}/recovery");
        Assert.False(status.GetProperty("ready").GetBoolean());
        Assert.True(status.GetProperty("monitoringInstalled").GetBoolean());

        w.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.True((await w.Admin.GetJson($"/api/v1/incidents/{id}/recovery")).GetProperty("ready").GetBoolean());
        await ResolveAsync(w, id);
        var timeline = await w.Admin.GetJson($"/api/v1/incidents/{id}/timeline");
        Assert.Contains(timeline.EnumerateArray(), e => e.GetProperty("kind").GetString() == "recovery_confirmed" && e.GetProperty("body").GetString() == "Test orders filled");
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task MonitorsMustBeGreenForTheWholeHoldPeriod(Store store)
    {
        var (w, health) = await StartAsync(store);
        await using var _w = w;
        var btc = await ComponentIdAsync(w, "trading.btc_jpy");
        var monitorId = Guid.NewGuid();
        health.Monitors.Add(new MonitorHealth(monitorId, "BTC order book", btc, false, w.Now.AddMinutes(-1), false));
        var id = await VerifyingAsync(w, "trading", ["trading.btc_jpy"]);
        await TickVerificationAsync(w, id);

        Assert.Equal(["Monitor 'BTC order book' (BTC/JPY trading) is down."], await RefusalAsync(w, id));

        health.Monitors[0] = health.Monitors[0] with { Up = true, StateSince = w.Now.AddMinutes(-3) };
        var held = Assert.Single(await RefusalAsync(w, id));
        Assert.StartsWith("Monitor 'BTC order book' (BTC/JPY trading) has been green for 3 of the 15 minutes required", held);

        w.Clock.Advance(TimeSpan.FromMinutes(12));
        await ResolveAsync(w, id);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WithdrawalIncidentsNeedAPassingReconciliation(Store store)
    {
        var (w, health) = await StartAsync(store);
        await using var _w = w;
        var eth = await ComponentIdAsync(w, "withdrawal.eth.ethereum");
        health.Monitors.Add(new MonitorHealth(Guid.NewGuid(), "ETH withdrawal queue", eth, true, w.Now.AddHours(-1), false));
        var id = await VerifyingAsync(w, "withdrawal", ["withdrawal.eth.ethereum"]);
        await TickVerificationAsync(w, id);

        Assert.Equal(["withdrawal incidents need a passing reconciliation check, but no reconciliation monitor exists."], await RefusalAsync(w, id));

        health.Monitors.Add(new MonitorHealth(Guid.NewGuid(), "Book vs chain", null, false, w.Now.AddMinutes(-5), true));
        Assert.Equal(["Reconciliation 'Book vs chain' is failing."], await RefusalAsync(w, id));

        health.Monitors[1] = health.Monitors[1] with { Up = true, StateSince = w.Now };
        await ResolveAsync(w, id);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AnIncidentWithoutComponentsShowsNoRecovery(Store store)
    {
        var (w, _) = await StartAsync(store);
        await using var _w = w;
        var id = await VerifyingAsync(w, "web", []);
        await TickVerificationAsync(w, id);

        Assert.Equal(["No affected components are recorded, so nothing shows the service recovered: add them to the incident."], await RefusalAsync(w, id));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WithoutAVerificationChecklistTheGateRefuses(Store store)
    {
        var (w, health) = await StartAsync(store, settings: new() { ["Fukkyu:Runbooks:LoadSamplesWhenEmpty"] = "false" });
        await using var _w = w;
        health.Monitors.Add(new MonitorHealth(Guid.NewGuid(), "Site", await ComponentIdAsync(w, "web.site"), true, w.Now.AddHours(-1), false));
        var id = await VerifyingAsync(w, "web", ["web.site"]);

        Assert.Equal(["No verification checklist is attached: add a runbook with verification steps for this category."], await RefusalAsync(w, id));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task OnlyACommanderOverridesAndTheOverrideIsOnTheTimeline(Store store)
    {
        var (w, _) = await StartAsync(store);
        await using var _w = w;
        var id = await VerifyingAsync(w, "deposit", ["deposit.jpy.bank"]);

        // A responder's override reason does not open the gate.
        var missing = await RefusalAsync(w, id, w.Sato.Client, "trust me");
        Assert.NotEmpty(missing);

        var resolved = await w.Suzuki.Client.PostJson($"/api/v1/incidents/{id}/transitions", new { to = "resolved", overrideReason = "Bank confirmed all transfers by phone" });
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        var entry = (await w.Admin.GetJson($"/api/v1/incidents/{id}/timeline")).EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "gate_override");
        Assert.Equal("Bank confirmed all transfers by phone", entry.GetProperty("body").GetString());
        Assert.Equal(missing, entry.GetProperty("data").GetProperty("missing").EnumerateArray().Select(m => m.GetString()!).ToArray());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ConfirmationsCountOnlyWhileVerifying(Store store)
    {
        var (w, _) = await StartAsync(store, monitoring: false);
        await using var _w = w;
        var id = await VerifyingAsync(w, "web", ["web.site"]);
        await w.Admin.PostJson($"/api/v1/incidents/{id}/transitions", new { to = "recovering" });

        var early = await w.Sato.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/recovery/confirmations", new { component = "web.site" });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var other = await w.Sato.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/recovery/confirmations", new { component = "trading.btc_jpy" });
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);

        // A relapse restarts verification: a confirmation from before it no longer counts.
        await w.Admin.PostJson($"/api/v1/incidents/{id}/transitions", new { to = "verifying" });
        await w.Sato.Client.PostJson($"/api/v1/incidents/{id}/recovery/confirmations", new { component = "web.site" }, HttpStatusCode.Created);
        w.Clock.Advance(TimeSpan.FromMinutes(1));
        await w.Admin.PostJson($"/api/v1/incidents/{id}/transitions", new { to = "recovering" });
        await w.Admin.PostJson($"/api/v1/incidents/{id}/transitions", new { to = "verifying" });
        Assert.Contains("Website has no monitor: a person must confirm it works while the incident is being verified.", await RefusalAsync(w, id));
    }
}
