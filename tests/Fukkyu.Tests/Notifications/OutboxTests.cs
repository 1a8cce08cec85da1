using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Tests.Infrastructure;
using Fukkyu.Tools.SmtpSink;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fukkyu.Tests.Notifications;

public sealed class OutboxTests
{
    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero));

    /// <summary>Outbox worker off: the test drives deliveries itself.</summary>
    private static Dictionary<string, string?> Manual(int smtpPort = 0) => new()
    {
        ["Fukkyu:Outbox:Enabled"] = "false",
        ["Fukkyu:Email:Host"] = smtpPort == 0 ? null : "127.0.0.1",
        ["Fukkyu:Email:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Fukkyu:Email:Security"] = "none",
        ["Fukkyu:Email:FromAddress"] = "alerts@fukkyu.test",
    };

    private static Task Enqueue(FukkyuApp app, OutgoingMessage m) => app.WithDbAsync(async db =>
    {
        Outbox.Enqueue(db, m, app.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync();
    });

    private static Task<OutboxMessage> Row(FukkyuApp app, string key) =>
        app.WithDbAsync(db => db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.IdempotencyKey == key));

    private static Task<List<OutboxAttempt>> Attempts(FukkyuApp app, Guid id) =>
        app.WithDbAsync(db => db.Set<OutboxAttempt>().AsNoTracking().Where(a => a.MessageId == id).OrderBy(a => a.Id).ToListAsync());

    private static Task<int> Deliver(FukkyuApp app) => app.Services.GetRequiredService<OutboxDispatcher>().RunOnceAsync(CancellationToken.None);

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task OldDeliveredMessagesAndFinishedJobsArePrunedAndFailedOnesStay(Store store)
    {
        var clock = Clock();
        var settings = Manual();
        settings["Fukkyu:Jobs:Enabled"] = "false";
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: settings);
        var now = clock.GetUtcNow().UtcDateTime;
        var old = now.AddDays(-91);
        var states = new (string Key, OutboxState State, DateTime CreatedAt)[]
        {
            ("old-delivered", OutboxState.Delivered, old), ("old-cancelled", OutboxState.Cancelled, old),
            ("old-failed", OutboxState.Failed, old), ("old-pending", OutboxState.Pending, old),
            ("recent-delivered", OutboxState.Delivered, now.AddDays(-89)),
        };
        foreach (var (key, _, _) in states)
        {
            await Enqueue(app, new OutgoingMessage("webhook", "https://hooks.example.jp/x", key, "page", "body", null, null));
        }
        foreach (var (key, state, createdAt) in states)
        {
            await app.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.IdempotencyKey == key)
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.State, state).SetProperty(m => m.CreatedAt, createdAt)));
        }
        var delivered = await Row(app, "old-delivered");
        await app.WithDbAsync(async db =>
        {
            db.Set<OutboxAttempt>().Add(new OutboxAttempt { MessageId = delivered.Id, At = old, Success = true, DurationMs = 3 });
            foreach (var (key, state, completed) in new (string, JobState, DateTime?)[]
            {
                ("old-done", JobState.Done, now.AddDays(-31)), ("old-cancelled", JobState.Cancelled, null),
                ("old-failed", JobState.Failed, now.AddDays(-31)), ("old-pending", JobState.Pending, null), ("recent-done", JobState.Done, now.AddDays(-29)),
            })
            {
                db.Set<Job>().Add(new Job { Kind = "test", Key = key, State = state, DueAt = completed ?? now.AddDays(-31), CreatedAt = now.AddDays(-40), CompletedAt = completed });
            }
            await db.SaveChangesAsync();
        });

        var worker = app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<DeliveryRetentionWorker>().Single();
        Assert.Equal(4, await app.WithDbAsync(db => worker.PruneAsync(db, CancellationToken.None)));

        var messages = await app.WithDbAsync(db => db.Set<OutboxMessage>().Select(m => m.IdempotencyKey).OrderBy(k => k).ToListAsync());
        Assert.Equal(["old-failed", "old-pending", "recent-delivered"], messages);
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<OutboxAttempt>().CountAsync()));
        var jobs = await app.WithDbAsync(db => db.Set<Job>().Where(j => j.Kind == "test").Select(j => j.Key!).OrderBy(k => k).ToListAsync());
        Assert.Equal(["old-failed", "old-pending", "recent-done"], jobs);
        // Nothing left to prune: a second run removes nothing.
        Assert.Equal(0, await app.WithDbAsync(db => worker.PruneAsync(db, CancellationToken.None)));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task EmailIsDeliveredOverRealSmtpAndReadBack(Store store)
    {
        await using var sink = new SmtpSinkServer();
        await using var app = await FukkyuApp.StartAsync(store, settings: Manual(sink.Port));

        await Enqueue(app, new OutgoingMessage("email", "oncall@example.jp", "page:1:sato", "page", "BTC/JPY の板が更新されていません。",
            "【障害】INC-2026-0001 レベル 2", new EmailPayload(Html: "<p>板が停止</p>", Headers: new() { ["X-Fukkyu-Incident"] = "INC-2026-0001" })));
        Assert.Equal(1, await Deliver(app));

        var mail = Assert.Single(sink.Messages);
        Assert.Equal(["oncall@example.jp"], mail.To);
        Assert.Equal("alerts@fukkyu.test", mail.From);
        Assert.Equal("INC-2026-0001", mail.Header("X-Fukkyu-Incident"));
        Assert.Equal($"<{EmailSender.MessageId("page:1:sato", "alerts@fukkyu.test")}>", mail.Header("Message-Id"));
        var parsed = await MimeKit.MimeMessage.LoadAsync(new MemoryStream(System.Text.Encoding.Latin1.GetBytes(mail.Data)));
        Assert.Equal("【障害】INC-2026-0001 レベル 2", parsed.Subject);
        Assert.Contains("板が更新されていません", parsed.TextBody);
        var row = await Row(app, "page:1:sato");
        Assert.Equal(OutboxState.Delivered, row.State);
        var attempt = Assert.Single(await Attempts(app, row.Id));
        Assert.True(attempt.Success);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TransientSmtpRefusalIsRetriedAndPermanentOneIsNot(Store store)
    {
        var clock = Clock();
        await using var sink = new SmtpSinkServer();
        sink.Deferred["busy@example.jp"] = 1;
        sink.Rejected["gone@example.jp"] = true;
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Manual(sink.Port));
        await Enqueue(app, new OutgoingMessage("email", "busy@example.jp", "k-busy", "test", "body", "subject"));
        await Enqueue(app, new OutgoingMessage("email", "gone@example.jp", "k-gone", "test", "body", "subject"));

        await Deliver(app);
        var busy = await Row(app, "k-busy");
        var gone = await Row(app, "k-gone");
        Assert.Equal(OutboxState.Pending, busy.State);
        Assert.True(busy.DueAt > clock.GetUtcNow().UtcDateTime);
        Assert.Equal(OutboxState.Failed, gone.State);
        Assert.Equal(550, Assert.Single(await Attempts(app, gone.Id)).Code);

        Assert.Equal(0, await Deliver(app)); // not due yet
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Deliver(app));
        Assert.Equal(OutboxState.Delivered, (await Row(app, "k-busy")).State);
        Assert.Equal(2, (await Attempts(app, busy.Id)).Count);
        Assert.Single(sink.Messages);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WebhookIsSignedAndTheReceiverVerifiesIt(Store store)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await FukkyuApp.StartAsync(store, settings: Manual());
        var secret = WebhookSecrets.NewSecret();
        var protectedSecret = app.Services.GetRequiredService<WebhookSecrets>().Protect(secret);

        await Enqueue(app, new OutgoingMessage("webhook", receiver.Url + "/hooks/fukkyu", "hook-1", "test", "{\"incident\":\"INC-2026-0001\"}",
            Payload: new WebhookPayload(protectedSecret)));
        await Deliver(app);

        var request = Assert.Single(receiver.Received);
        Assert.Equal("/hooks/fukkyu", request.Path);
        Assert.Equal("hook-1", request.Headers["Idempotency-Key"]);
        Assert.True(WebhookSender.Verify(secret, request.Headers[WebhookSender.SignatureHeader], request.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSender.Verify("whsec_wrong", request.Headers[WebhookSender.SignatureHeader], request.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSender.Verify(secret, request.Headers[WebhookSender.SignatureHeader], request.Body + " ", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Equal(OutboxState.Delivered, (await Row(app, "hook-1")).State);
        // The secret is encrypted at rest.
        Assert.DoesNotContain(secret, (await Row(app, "hook-1")).Payload);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task WebhookHonoursRetryAfterAndGivesUpOnClientErrors(Store store)
    {
        var clock = Clock();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script.Enqueue((429, "120"));
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Manual());
        await Enqueue(app, new OutgoingMessage("webhook", receiver.Url + "/a", "hook-429", "test", "{}"));

        await Deliver(app);
        var row = await Row(app, "hook-429");
        Assert.Equal(OutboxState.Pending, row.State);
        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddSeconds(120), row.DueAt, TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(0, await Deliver(app));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await Deliver(app));
        Assert.Equal(OutboxState.Delivered, (await Row(app, "hook-429")).State);

        receiver.Script.Enqueue((400, null));
        await Enqueue(app, new OutgoingMessage("webhook", receiver.Url + "/b", "hook-400", "test", "{}"));
        await Deliver(app);
        Assert.Equal(OutboxState.Failed, (await Row(app, "hook-400")).State);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task RowsWrittenWithoutChangeTrackingWakeTheDispatcherWhenTheyCommit(Store store)
    {
        var time = Clock();
        await using var app = await FukkyuApp.StartAsync(store, time, settings: Manual());
        var outbox = app.Services.GetRequiredService<WorkSignals>().Outbox;
        if (outbox.IsSet)
        {
            await outbox.WaitAsync(TimeSpan.FromHours(1), time, CancellationToken.None); // taken: start unset
        }

        await app.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            var rows = Outbox.Rows([new OutgoingMessage("email", "fanout@example.jp", "direct:1", "notice", "本文")], time.GetUtcNow().UtcDateTime);
            Assert.Equal(1, await Outbox.InsertAsync(db, rows, CancellationToken.None));
            Assert.False(outbox.IsSet); // not before the rows are visible
            await tx.CommitAsync();
        });

        Assert.True(outbox.IsSet);
        Assert.Equal(OutboxState.Pending, (await Row(app, "direct:1")).State);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task TheSameIdempotencyKeyIsStoredOnce(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Manual());
        var now = DateTime.UtcNow;

        await app.WithDbAsync(async db =>
        {
            Assert.NotNull(Outbox.Enqueue(db, new OutgoingMessage("email", "a@example.jp", "dup", "test", "x"), now));
            Assert.Null(Outbox.Enqueue(db, new OutgoingMessage("email", "a@example.jp", "dup", "test", "x"), now));
            await db.SaveChangesAsync();
        });
        await Assert.ThrowsAsync<DbUpdateException>(() => app.WithDbAsync(async db =>
        {
            Outbox.Enqueue(db, new OutgoingMessage("email", "a@example.jp", "dup", "test", "x"), now);
            await db.SaveChangesAsync();
        }));
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.IdempotencyKey == "dup")));
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task AMessageClaimedByADeadNodeIsDeliveredOnceItsClaimExpires(Store store)
    {
        var clock = Clock();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Manual());
        await Enqueue(app, new OutgoingMessage("webhook", receiver.Url + "/x", "orphan", "test", "{}"));

        // Another node claims it and dies before delivering.
        var claimed = await app.WithDbAsync(db => RowClaimer.ClaimAsync(db, "outbox_messages", "dead-node", clock.GetUtcNow().UtcDateTime, TimeSpan.FromMinutes(2), 10, CancellationToken.None));
        Assert.Single(claimed);
        Assert.Equal(0, await Deliver(app));

        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(1, await Deliver(app));
        Assert.Single(receiver.Received);
        Assert.Equal(OutboxState.Delivered, (await Row(app, "orphan")).State);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task ConcurrentNodesClaimDisjointMessages(Store store)
    {
        await using var app = await FukkyuApp.StartAsync(store, settings: Manual());
        var now = DateTime.UtcNow;
        await app.WithDbAsync(async db =>
        {
            for (var i = 0; i < 100; i++)
            {
                Outbox.Enqueue(db, new OutgoingMessage("webhook", "http://127.0.0.1:9/", $"m{i}", "test", "{}"), now);
            }
            await db.SaveChangesAsync();
        });

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(n => app.WithDbAsync(db =>
            RowClaimer.ClaimAsync(db, "outbox_messages", $"node-{n}", now.AddSeconds(1), TimeSpan.FromMinutes(2), 40, CancellationToken.None))));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(100, all.Count);
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task DeliveriesWaitWhileTooManyResultsAreUnrecorded(Store store)
    {
        // What a crash can repeat is what was delivered but not yet recorded: the dispatcher keeps
        // that (plus what is in flight) within MaxUnrecorded even when it may send 8 at once.
        var settings = Manual();
        settings["Fukkyu:Outbox:Parallelism"] = "8";
        settings["Fukkyu:Outbox:MaxUnrecorded"] = "2";
        await using var app = await FukkyuApp.StartAsync(store, settings: settings,
            services: s => s.AddSingleton<IOutboxSender, UnrecordedProbe>());
        var now = DateTime.UtcNow;
        await app.WithDbAsync(async db =>
        {
            for (var i = 0; i < 20; i++)
            {
                Outbox.Enqueue(db, new OutgoingMessage(UnrecordedProbe.Name, $"r{i}", $"probe-{i}", "test", "{}"), now);
            }
            await db.SaveChangesAsync();
        });

        Assert.Equal(20, await Deliver(app));

        var probe = app.Services.GetServices<IOutboxSender>().OfType<UnrecordedProbe>().Single();
        Assert.Equal(20, probe.Sent.Count);
        Assert.InRange(probe.MaxHeld, 1, 2);
        Assert.Equal(20, await app.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.Channel == UnrecordedProbe.Name && m.State == OutboxState.Delivered)));
    }

    /// <summary>
    /// A sender that, as each delivery starts, counts deliveries in flight plus those done but not
    /// yet recorded as delivered in the database (never more than the truth: see the order below).
    /// </summary>
    private sealed class UnrecordedProbe(IServiceScopeFactory scopes) : IOutboxSender
    {
        public const string Name = "unrecorded-probe";
        private int _inFlight;
        private int _maxHeld;

        public System.Collections.Concurrent.ConcurrentQueue<Guid> Sent { get; } = new();

        public int MaxHeld => Volatile.Read(ref _maxHeld);

        public string Channel => Name;

        public async Task<SendResult> SendAsync(OutboxMessage message, CancellationToken ct)
        {
            Interlocked.Increment(ref _inFlight);
            var sent = Sent.ToArray();
            var inFlight = Volatile.Read(ref _inFlight);
            var delivered = 0;
            if (sent.Length > 0)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
                delivered = await db.Set<OutboxMessage>().CountAsync(m => sent.Contains(m.Id) && m.State == OutboxState.Delivered, ct);
            }
            var held = inFlight + sent.Length - delivered;
            int max;
            while (held > (max = Volatile.Read(ref _maxHeld)) && Interlocked.CompareExchange(ref _maxHeld, held, max) != max)
            {
            }
            await Task.Delay(5, ct);
            Interlocked.Decrement(ref _inFlight);
            Sent.Enqueue(message.Id);
            return SendResult.Delivered();
        }
    }
}
