using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fukkyu.Tests.Notifications;

public sealed class JobTests
{
    private sealed class Recorder(string kind = "test-recorder", bool urgent = false) : IJobHandler
    {
        public string Kind => kind;
        public bool Urgent => urgent;
        public List<string> Ran { get; } = [];
        public int FailuresLeft { get; set; }

        public Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
        {
            if (FailuresLeft-- > 0)
            {
                throw new InvalidOperationException("flaky downstream");
            }
            lock (Ran)
            {
                Ran.Add(job.PayloadAs<string>()!);
            }
            return Task.CompletedTask;
        }
    }

    private static async Task<(FukkyuApp App, Recorder Recorder, FakeTimeProvider Clock)> Start(Store store, Recorder? urgent = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero));
        var recorder = new Recorder();
        var app = await FukkyuApp.StartAsync(store, clock, services: s =>
            {
                s.AddSingleton<IJobHandler>(recorder);
                if (urgent is not null)
                {
                    s.AddSingleton<IJobHandler>(urgent);
                }
            },
            settings: new Dictionary<string, string?> { ["Fukkyu:Jobs:Enabled"] = "false" });
        return (app, recorder, clock);
    }

    private static Task<int> RunDue(FukkyuApp app) => app.Services.GetRequiredService<JobRunner>().RunDueAsync(CancellationToken.None);

    private static Task Schedule(FukkyuApp app, TimeSpan after, string payload, string key, string kind = "test-recorder") => app.WithDbAsync(async db =>
    {
        var now = app.Time!.GetUtcNow().UtcDateTime;
        Jobs.Schedule(db, kind, now + after, now, payload, key);
        await db.SaveChangesAsync();
    });

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AJobRunsOnceWhenDue(Store store)
    {
        var (app, recorder, clock) = await Start(store);
        await using var _ = app;
        await Schedule(app, TimeSpan.FromMinutes(5), "remind", "r:1");

        Assert.Equal(0, await RunDue(app));
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await RunDue(app));
        Assert.Equal(0, await RunDue(app));

        Assert.Equal(["remind"], recorder.Ran);
        var job = await app.WithDbAsync(db => db.Set<Job>().AsNoTracking().SingleAsync(j => j.Kind == "test-recorder"));
        Assert.Equal(JobState.Done, job.State);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AFailingJobIsRetriedWithBackoff(Store store)
    {
        var (app, recorder, clock) = await Start(store);
        await using var _ = app;
        recorder.FailuresLeft = 1;
        await Schedule(app, TimeSpan.Zero, "deadline", "d:1");

        await RunDue(app);
        Assert.Empty(recorder.Ran);
        var job = await app.WithDbAsync(db => db.Set<Job>().AsNoTracking().SingleAsync(j => j.Kind == "test-recorder"));
        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal("flaky downstream", job.LastError);

        clock.Advance(TimeSpan.FromMinutes(1));
        await RunDue(app);
        Assert.Equal(["deadline"], recorder.Ran);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task CancelledJobsDoNotRun(Store store)
    {
        var (app, recorder, clock) = await Start(store);
        await using var _ = app;
        await Schedule(app, TimeSpan.FromMinutes(1), "a", "escalation:inc1:1");
        await Schedule(app, TimeSpan.FromMinutes(1), "b", "escalation:inc1:2");
        await Schedule(app, TimeSpan.FromMinutes(1), "c", "escalation:inc2:1");

        var cancelled = await app.WithDbAsync(db => Jobs.CancelAsync(db, "test-recorder", "escalation:inc1:", CancellationToken.None));
        clock.Advance(TimeSpan.FromMinutes(2));
        await RunDue(app);

        Assert.Equal(2, cancelled);
        Assert.Equal(["c"], recorder.Ran);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WhileDeclarationsAreWorkedOnOnlyUrgentJobsRunUntilTheOthersHaveWaitedTheirTurn(Store store)
    {
        var urgent = new Recorder("test-urgent", urgent: true);
        var (app, recorder, clock) = await Start(store, urgent);
        await using var _ = app;
        await Schedule(app, TimeSpan.Zero, "reminder", "r:1");
        await Schedule(app, TimeSpan.Zero, "escalation step", "e:1", kind: "test-urgent");

        var turn = await app.Services.GetRequiredService<DeclarationQueue>().EnterAsync(CancellationToken.None);
        Assert.Equal(1, await RunDue(app));
        Assert.Equal(["escalation step"], urgent.Ran);
        Assert.Empty(recorder.Ran);

        // Still busy, but the reminder has waited as long as it may (Fukkyu:Jobs:YieldToDeclarationsSeconds, 5 s).
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, await RunDue(app));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await RunDue(app));
        Assert.Equal(["reminder"], recorder.Ran);

        // Once the declarations are done, every job runs when due.
        await Schedule(app, TimeSpan.Zero, "another reminder", "r:2");
        Assert.Equal(0, await RunDue(app));
        turn.Dispose();
        Assert.Equal(1, await RunDue(app));
        Assert.Equal(["reminder", "another reminder"], recorder.Ran);
    }
}
