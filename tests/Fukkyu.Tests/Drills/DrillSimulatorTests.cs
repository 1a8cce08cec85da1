using System.Net;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tests.Monitoring;
using Fukkyu.Tests.PostIncident;

namespace Fukkyu.Tests.Drills;

/// <summary>
/// The shipped drill scenarios against the real exchange simulator (tools/ExchangeSimulator), not
/// a recorder: every fault they inject is one the simulator accepts, and clearing removes it.
/// </summary>
public sealed class DrillSimulatorTests
{
    private static async Task<string[]> ActiveFaultIds(Sim sim)
    {
        var body = JsonDocument.Parse(await sim.Http.GetStringAsync("/faults")).RootElement;
        return [.. body.GetProperty("faults").EnumerateArray().Select(f => f.GetProperty("id").GetString()!)];
    }

    // Scripted steps at 0 s are applied by the simulator's scheduler: give it a moment.
    private static async Task<string[]> Eventually(Sim sim, Func<string[], bool> done)
    {
        var ids = await ActiveFaultIds(sim);
        for (var i = 0; i < 40 && !done(ids); i++)
        {
            await Task.Delay(50);
            ids = await ActiveFaultIds(sim);
        }
        return ids;
    }

    [Fact]
    public async Task EveryShippedScenarioInjectsAFaultTheSimulatorTakesAndClearsIt()
    {
        await using var sim = await Sim.StartAsync();
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite, Scripted.Clock(), settings: Scripted.Manual(new()
        {
            ["Fukkyu:Drills:SimulatorBaseUrl"] = sim.Url,
            ["Fukkyu:Severity:EscalateLevel1AfterMinutes"] = "10000000",
            ["Fukkyu:Severity:EscalateLevel2AfterMinutes"] = "10000000",
        }));
        var admin = app.Admin();
        var person = await Scripted.PersonAsync(app, "drill@example.jp", Roles.Responder);
        var scenarios = (await admin.GetJson("/api/v1/drills/scenarios")).EnumerateArray().Select(s => s.GetProperty("key").GetString()!).ToList();
        Assert.Equal(5, scenarios.Count);

        foreach (var scenario in scenarios)
        {
            var drill = await admin.PostJson("/api/v1/drills", new { scenario, participants = new[] { person.UserName } }, HttpStatusCode.Created);
            Assert.True(drill.GetProperty("injectedAt").ValueKind != JsonValueKind.Null, $"{scenario}: the simulator refused the fault");
            // A scenario injects one fault or several (a script of steps starting now).
            var active = await Eventually(sim, ids => ids.Length > 0);
            Assert.All(active, id => Assert.StartsWith("drill-", id, StringComparison.Ordinal));

            await admin.PostJson($"/api/v1/drills/{drill.GetProperty("id").GetString()}/clear", new { });
            Assert.Empty(await Eventually(sim, ids => ids.Length == 0));
        }
    }
}
