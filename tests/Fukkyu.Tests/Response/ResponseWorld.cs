using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fukkyu.Cli;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.OnCall;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fukkyu.Tests.Response;

/// <summary>A monitoring feature stand-in: the tests decide what each monitor reports.</summary>
public sealed class FakeHealth : IMonitorHealthSource
{
    public List<MonitorHealth> Monitors { get; } = [];

    public Task<IReadOnlyList<MonitorHealth>> ForComponentsAsync(IReadOnlyCollection<Guid> componentIds, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<MonitorHealth>>([.. Monitors.Where(m => m.Reconciliation || (m.ComponentId is { } c && componentIds.Contains(c)))]);
}

/// <summary>
/// An exchange with people and an on-call set-up, on a clock the test moves (Monday 23 Nov 2026,
/// 10:00 JST — a public holiday), with jobs and deliveries driven by the test.
/// The SRE team owns BTC/JPY trading and the website; its daily rotation (Sato, Kato) hands off at
/// 09:00 JST; its policy pages the on-call, then after 5 min the lead Tanaka, then gives up after
/// 10 min. Suzuki leads the emergency response team (with Sato); Yamada is the executive.
/// </summary>
public sealed class ResponseWorld : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    private ResponseWorld(FukkyuApp app, FakeTimeProvider clock)
    {
        App = app;
        Clock = clock;
        Admin = app.Admin();
    }

    public FukkyuApp App { get; }
    public FakeTimeProvider Clock { get; }
    public HttpClient Admin { get; }
    public TestUser Sato { get; private set; } = null!;
    public TestUser Kato { get; private set; } = null!;
    public TestUser Tanaka { get; private set; } = null!;
    public TestUser Suzuki { get; private set; } = null!;
    public TestUser Yamada { get; private set; } = null!;

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public static async Task<ResponseWorld> StartAsync(Store store, Action<IServiceCollection>? services = null,
        Dictionary<string, string?>? settings = null, bool teams = true)
    {
        var clock = new FakeTimeProvider(Start);
        var all = new Dictionary<string, string?>
        {
            ["Fukkyu:Jobs:Enabled"] = "false",
            ["Fukkyu:Outbox:Enabled"] = "false",
            ["Fukkyu:Paging:PublicUrl"] = "https://fukkyu.example.jp",
            // Time moves by hours and days here: the core's auto-escalation would raise levels (and
            // page) behind the tests' backs, and its 15-second timer would fire thousands of times.
            ["Fukkyu:Severity:EscalateLevel1AfterMinutes"] = "525600",
            ["Fukkyu:Severity:EscalateLevel2AfterMinutes"] = "525600",
            ["Fukkyu:Severity:EscalationCheckSeconds"] = "3600",
        };
        foreach (var (k, v) in settings ?? [])
        {
            all[k] = v;
        }
        var app = await FukkyuApp.StartAsync(store, clock, services, all);
        var world = new ResponseWorld(app, clock);
        world.Sato = await app.UserAsync(Roles.Responder);
        world.Kato = await app.UserAsync(Roles.Responder);
        world.Tanaka = await app.UserAsync(Roles.Responder);
        world.Suzuki = await app.UserAsync(Roles.Commander);
        world.Yamada = await app.UserAsync(Roles.Executive);
        foreach (var u in new[] { world.Sato, world.Kato, world.Tanaka, world.Suzuki, world.Yamada })
        {
            await world.AddContactAsync(u, "email", $"{u.UserName}@example.jp");
        }
        if (teams)
        {
            await world.SetUpTeamsAsync();
        }
        return world;
    }

    public async Task<JsonElement> AddContactAsync(TestUser user, string kind, string address, int delay = 0, bool? briefings = null)
    {
        var created = await Admin.PostJson($"/api/v1/users/{user.Id}/contact-methods",
            new { kind, address, delayMinutes = delay, useForBriefings = briefings }, HttpStatusCode.Created);
        return created;
    }

    public async Task SetUpTeamsAsync()
    {
        await Put("/api/v1/schedules/sre-primary", new
        {
            name = "SRE primary",
            layers = new[] { new { name = "weekdays and weekends", rotation = "daily", startDate = "2026-11-01", handoffTime = "09:00", members = new[] { Sato.UserName, Kato.UserName } } },
        });
        await Put("/api/v1/escalation-policies/sre", new
        {
            name = "SRE",
            repeat = 0,
            steps = new object[]
            {
                new { delayMinutes = 5, targets = new[] { new { kind = "schedule", @ref = "sre-primary" } } },
                new { delayMinutes = 10, targets = new[] { new { kind = "user", @ref = Tanaka.UserName } } },
            },
        });
        await Put("/api/v1/teams/exchange-sre", new
        {
            nameJa = "取引所SRE",
            nameEn = "Exchange SRE",
            kind = "standard",
            schedule = "sre-primary",
            escalationPolicy = "sre",
            members = new object[] { new { user = Sato.UserName }, new { user = Kato.UserName }, new { user = Tanaka.UserName, lead = true } },
            components = new[] { "trading.btc_jpy", "web.site" },
        });
        await Put("/api/v1/teams/ert", new
        {
            nameJa = "緊急対応チーム",
            nameEn = "Emergency response team",
            kind = "emergency_response",
            members = new object[] { new { user = Suzuki.UserName, lead = true }, new { user = Sato.UserName } },
        });
        await Put("/api/v1/teams/executives", new
        {
            nameJa = "経営陣",
            nameEn = "Executives",
            kind = "executives",
            members = new object[] { new { user = Yamada.UserName } },
        });
    }

    public async Task<JsonElement> Put(string url, object body)
    {
        var response = await Admin.PutAsJsonAsync(url, body);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, $"PUT {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Json();
    }

    /// <summary>A level-1 incident on the website (owned by the SRE team).</summary>
    public async Task<JsonElement> DeclareLevelOneAsync(HttpClient? as_ = null, bool drill = false) =>
        await (as_ ?? Admin).PostJson("/api/v1/incidents", new
        {
            title = "Website slow for some users",
            category = "web",
            impactScope = "some",
            expectedRecoveryMinutes = 10,
            componentIds = new[] { "web.site" },
            drill,
        }, HttpStatusCode.Created);

    public Task<int> RunJobsAsync() => App.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);

    public Task<int> DeliverAsync() => App.Services.GetRequiredService<OutboxDispatcher>().RunOnceAsync(CancellationToken.None);

    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        while (await RunJobsAsync() > 0)
        {
        }
    }

    public Task<List<OutboxMessage>> PagesSentAsync(string incidentId) => App.WithDbAsync(db =>
        db.Set<OutboxMessage>().AsNoTracking().Where(m => m.IncidentId == Guid.Parse(incidentId) && m.Purpose == "page").OrderBy(m => m.CreatedAt).ToListAsync());

    public async Task<HashSet<Guid>> PagedUsersAsync(string incidentId) =>
        [.. (await PagesSentAsync(incidentId)).Select(m => m.UserId!.Value)];

    public async Task<JsonElement> PagingAsync(string incidentId) => await Admin.GetJson($"/api/v1/incidents/{incidentId}/pages");

    public async Task<(int Exit, string Out, string Err)> CliAsync(TestUser user, params string[] args) => await CliAsync(user.ApiKey, args);

    public async Task<(int Exit, string Out, string Err)> CliAsync(string apiKey, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var settings = new CliSettings(Path.Combine(Path.GetTempPath(), $"fukkyu-cli-{Guid.NewGuid():N}.json"), "http://localhost", apiKey, App.Server.CreateHandler(), "en");
        var exit = await FukkyuCli.RunAsync(args, output, error, settings);
        return (exit, output.ToString(), error.ToString());
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
