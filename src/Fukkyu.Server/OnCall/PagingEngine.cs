using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.OnCall;

/// <summary>A group to page and how to escalate within it.</summary>
public sealed record PageGroup(string Key, string Name, PagePurpose Purpose, PlannedStep[] Steps, int Repeat);

public sealed record StepJobPayload(Guid PageId, int Cycle, int Step);

public sealed record ContactJobPayload(Guid NotificationId);

/// <summary>
/// Runs escalations: starts a page (its first step fires in the caller's unit of work, so the
/// first messages commit with the incident), fires later steps from durable jobs, sends to each
/// person's contact methods through the outbox, and writes every step on the timeline.
/// </summary>
public sealed class PagingEngine(FukkyuDb db, OnCallService oncall, AckLinks links, IOptions<PagingOptions> options)
{
    public const string StepJob = "page-step";
    public const string ContactJob = "page-contact";
    public const string Purpose = "page";

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public static PlannedStep[] StepsOf(Page page) => JsonSerializer.Deserialize<PlannedStep[]>(page.Steps, Json) ?? [];

    /// <summary>How late a step may run and still keep the steps after it on their original times.</summary>
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromMinutes(1);

    /// <summary>Creates the page and fires its first step; nothing is saved here.</summary>
    public async Task<Page> StartAsync(Incident incident, PageGroup group, Actor actor, DateTime now, CancellationToken ct)
    {
        var page = new Page
        {
            IncidentId = incident.Id,
            GroupKey = group.Key,
            GroupName = group.Name,
            Purpose = group.Purpose,
            Level = incident.Level,
            State = PageState.Triggered,
            Steps = JsonSerializer.Serialize(group.Steps, Json),
            Repeat = group.Repeat,
            Step = -1,
            CreatedAt = now,
        };
        db.Set<Page>().Add(page);
        await FireAsync(page, incident, 0, 0, actor, now, ct);
        return page;
    }

    /// <summary>
    /// Fires one step of a tracked, triggered page and schedules what comes next. A step that
    /// reaches nobody (an empty schedule, nobody with a contact method) does not wait: the next
    /// step fires at once, so a gap never stalls the escalation silently.
    /// </summary>
    /// <param name="scheduledFor">When this step was due (a step job's due time); the next step counts from it.</param>
    public async Task FireAsync(Page page, Incident incident, int cycle, int step, Actor actor, DateTime now, CancellationToken ct, DateTime? scheduledFor = null)
    {
        var steps = StepsOf(page);
        if (steps.Length == 0)
        {
            Exhaust(page, incident, actor, now);
            return;
        }
        while (true)
        {
            var outcome = await NotifyStepAsync(page, incident, steps[step], cycle, step, now, ct);
            page.Step = step;
            page.Cycle = cycle;
            Timeline.Append(db, incident, actor, now, OnCallTimeline.Page, null, new
            {
                pageId = page.Id,
                group = page.GroupKey,
                groupName = page.GroupName,
                purpose = WireEnum.Name(page.Purpose),
                step = step + 1,
                steps = steps.Length,
                cycle = cycle + 1,
                people = outcome.People,
                unreachable = outcome.Unreachable,
                alreadyPaged = outcome.AlreadyPaged,
            });
            if (outcome.People.Count > 0 || step + 1 >= steps.Length)
            {
                break;
            }
            step++;
        }
        // The next step counts from when this one was due, so a step that ran a little late (a busy
        // node) does not push every later step back. After a longer stall (the node was down) the
        // people of this step get their whole delay from now.
        var from = scheduledFor is { } planned && planned <= now && now - planned <= MaxCatchUp ? planned : now;
        var due = from + TimeSpan.FromMinutes(steps[step].DelayMinutes);
        var (nextCycle, nextStep) = step + 1 < steps.Length ? (cycle, step + 1) : cycle < page.Repeat ? (cycle + 1, 0) : (-1, -1);
        page.NextAt = due;
        Jobs.Schedule(db, StepJob, due, now, new StepJobPayload(page.Id, nextCycle, nextStep),
            key: $"page:{page.Id}:step:{nextCycle}:{nextStep}", incidentId: incident.Id);
    }

    /// <summary>Nobody acknowledged after every step and repeat.</summary>
    public void Exhaust(Page page, Incident incident, Actor actor, DateTime now)
    {
        page.State = PageState.Exhausted;
        page.EndedAt = now;
        page.NextAt = null;
        Timeline.Append(db, incident, actor, now, OnCallTimeline.PageExhausted, null, new { pageId = page.Id, group = page.GroupKey, groupName = page.GroupName });
    }

    private sealed record StepOutcome(List<object> People, List<string> Unreachable, List<string> AlreadyPaged);

    private async Task<StepOutcome> NotifyStepAsync(Page page, Incident incident, PlannedStep plan, int cycle, int step, DateTime now, CancellationToken ct)
    {
        var ids = new List<Guid>();
        foreach (var target in plan.Targets)
        {
            foreach (var id in await oncall.ResolveAsync(target.Kind, target.Id, now, ct))
            {
                if (!ids.Contains(id))
                {
                    ids.Add(id);
                }
            }
        }
        var already = await AlreadyPagedAsync(page, incident.Id, ct);
        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id) && u.Active).ToDictionaryAsync(u => u.Id, ct);
        var methods = (await db.Set<ContactMethod>().AsNoTracking()
            .Where(m => ids.Contains(m.UserId) && m.Enabled && m.UseForPages).ToListAsync(ct))
            .ToLookup(m => m.UserId);
        var outcome = new StepOutcome([], [], []);
        foreach (var id in ids)
        {
            if (!users.TryGetValue(id, out var user))
            {
                continue;
            }
            if (already.Contains(id))
            {
                outcome.AlreadyPaged.Add(user.DisplayName);
                continue;
            }
            var mine = methods[id].ToList();
            if (mine.Count == 0 && user.Email is { Length: > 0 } email)
            {
                // Nobody is unreachable just because they never set up contact methods.
                mine.Add(new ContactMethod { UserId = id, Kind = ContactKind.Email, Address = email });
            }
            if (mine.Count == 0)
            {
                outcome.Unreachable.Add(user.DisplayName);
                continue;
            }
            var channels = new List<string>();
            foreach (var group in mine.GroupBy(m => (m.DelayMinutes, Push: m.Kind == ContactKind.Push)))
            {
                var batches = group.Key.Push ? group.Chunk(PageMessages.MaxPushTokens).Select(c => c.ToList()) : group.Select(m => new List<ContactMethod> { m });
                foreach (var batch in batches)
                {
                    var n = new PageNotification
                    {
                        PageId = page.Id,
                        IncidentId = incident.Id,
                        UserId = id,
                        UserName = user.DisplayName,
                        Step = step,
                        Cycle = cycle,
                        Channel = batch[0].Kind,
                        ContactMethodId = batch.Count == 1 ? NullIfSynthetic(batch[0]) : null,
                        Recipient = Display(batch),
                        At = now + TimeSpan.FromMinutes(group.Key.DelayMinutes),
                        Deferred = group.Key.DelayMinutes > 0,
                    };
                    db.Set<PageNotification>().Add(n);
                    if (n.Deferred)
                    {
                        Jobs.Schedule(db, ContactJob, n.At, now, new ContactJobPayload(n.Id), key: $"page:{page.Id}:contact:{n.Id}", incidentId: incident.Id);
                    }
                    else
                    {
                        n.OutboxMessageId = (await SendAsync(n, incident, page, user, batch, now, ct))?.Id;
                    }
                    channels.Add(WireEnum.Name(n.Channel) + (n.Deferred ? $"+{group.Key.DelayMinutes}m" : ""));
                }
            }
            outcome.People.Add(new { userId = id, name = user.DisplayName, channels });
        }
        return outcome;
    }

    private static Guid? NullIfSynthetic(ContactMethod m) => m.CreatedAt == default ? null : m.Id;

    /// <summary>People already notified for this incident in another page with the same purpose: only the newly required are paged.</summary>
    private async Task<HashSet<Guid>> AlreadyPagedAsync(Page page, Guid incidentId, CancellationToken ct)
    {
        if (page.GroupKey.StartsWith("manual:", StringComparison.Ordinal))
        {
            return []; // someone asked for exactly these people
        }
        var set = db.IsBeingDeclared(incidentId)
            ? []
            : (await (from n in db.Set<PageNotification>()
                      join p in db.Set<Page>() on n.PageId equals p.Id
                      where n.IncidentId == incidentId && n.PageId != page.Id && p.Purpose == page.Purpose
                      select n.UserId).Distinct().ToListAsync(ct)).ToHashSet();
        var trackedPages = db.ChangeTracker.Entries<Page>().Select(e => e.Entity)
            .Where(p => p.IncidentId == incidentId && p.Id != page.Id && p.Purpose == page.Purpose).Select(p => p.Id).ToHashSet();
        foreach (var n in db.ChangeTracker.Entries<PageNotification>().Select(e => e.Entity).Where(n => trackedPages.Contains(n.PageId)))
        {
            set.Add(n.UserId);
        }
        return set;
    }

    private static string Display(List<ContactMethod> batch) =>
        batch[0].Kind == ContactKind.Push ? (batch.Count == 1 ? "1 device" : $"{batch.Count} devices") : batch[0].Address;

    /// <summary>Enqueues the message for one notification; the ack link is minted now.</summary>
    private async Task<OutboxMessage?> SendAsync(PageNotification n, Incident incident, Page page, User user, List<ContactMethod> batch, DateTime now, CancellationToken ct)
    {
        var o = options.Value;
        var token = new AckToken { PageId = page.Id, UserId = user.Id, CreatedAt = now, ExpiresAt = now.AddHours(Math.Max(1, o.AckLinkHours)) };
        db.Set<AckToken>().Add(token);
        var ackUrl = o.Link("/ack/" + await links.CreateAsync(token.Id, token.ExpiresAt, ct));
        var c = new PageContext(incident, page, user, ackUrl, o.Link("/ops/incidents/" + incident.Number), now);
        var key = $"page:{n.Id}";
        var m = batch[0];
        var message = n.Channel switch
        {
            ContactKind.Email => new OutgoingMessage(EmailSender.ChannelName, m.Address, key, Purpose, PageMessages.EmailBody(c), PageMessages.Subject(c),
                PageMessages.EmailPayloadFor(c), incident.Id, user.Id, page.Id.ToString()),
            ContactKind.Sms => new OutgoingMessage(SmsSender.ChannelName, m.Address, key, Purpose, PageMessages.Sms(c), null, null, incident.Id, user.Id, page.Id.ToString()),
            ContactKind.Slack => new OutgoingMessage(SlackSender.ChannelName, m.Address, key, Purpose, PageMessages.Slack(c), null,
                new SlackPayload(m.ProtectedSecret ?? ""), incident.Id, user.Id, page.Id.ToString()),
            ContactKind.Webhook => new OutgoingMessage(WebhookSender.ChannelName, m.Address, key, Purpose, PageMessages.Webhook(c), null,
                new WebhookPayload(m.ProtectedSecret), incident.Id, user.Id, page.Id.ToString()),
            _ => new OutgoingMessage(PushChannel, $"user:{user.Id}", key, Purpose, PageMessages.Sms(c), PageMessages.Subject(c),
                PageMessages.Push(c, [.. batch.Select(b => b.Address)]), incident.Id, user.Id, page.Id.ToString()),
        };
        return Outbox.Enqueue(db, message, now);
    }

    /// <summary>The channel the communication feature delivers (FCM HTTP v1).</summary>
    public const string PushChannel = "push";

    /// <summary>Sends a notification that waited for its contact method's delay, unless the page ended first.</summary>
    public async Task SendDeferredAsync(Guid notificationId, DateTime now, CancellationToken ct)
    {
        var n = await db.Set<PageNotification>().FirstOrDefaultAsync(x => x.Id == notificationId, ct);
        if (n is null || !n.Deferred)
        {
            return;
        }
        var page = await db.Set<Page>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == n.PageId, ct);
        var incident = await db.Incidents.AsNoTracking().Include(i => i.Components).ThenInclude(c => c.Component).FirstOrDefaultAsync(i => i.Id == n.IncidentId, ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == n.UserId && u.Active, ct);
        if (page is not { State: PageState.Triggered } || incident is null || user is null)
        {
            return; // acknowledged or ended first: the SMS after two minutes is not needed
        }
        var methods = n.Channel == ContactKind.Push
            ? await db.Set<ContactMethod>().AsNoTracking().Where(m => m.UserId == n.UserId && m.Kind == ContactKind.Push && m.Enabled && m.UseForPages)
                .OrderByDescending(m => m.CreatedAt).Take(PageMessages.MaxPushTokens).ToListAsync(ct)
            : await db.Set<ContactMethod>().AsNoTracking().Where(m => m.Id == n.ContactMethodId && m.Enabled).ToListAsync(ct);
        if (methods.Count == 0)
        {
            return; // removed in the meantime
        }
        n.Deferred = false;
        n.At = now;
        n.OutboxMessageId = (await SendAsync(n, incident, page, user, methods, now, ct))?.Id;
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>Fires the next step of a page when it is due; idempotent (a step that already fired or a page that ended is skipped).</summary>
public sealed class PageStepJobHandler : IJobHandler
{
    public string Kind => PagingEngine.StepJob;

    public bool Urgent => true;

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var p = job.PayloadAs<StepJobPayload>()!;
        var time = services.GetRequiredService<TimeProvider>();
        var db = services.GetRequiredService<FukkyuDb>();
        var engine = services.GetRequiredService<PagingEngine>();
        var signal = services.GetRequiredService<ChangeSignal>();
        // A concurrent change to the incident (a note, an acknowledgement) may win the race for the
        // timeline; try again at once rather than waiting for the job's backoff.
        for (var attempt = 1; ; attempt++)
        {
            var page = await db.Set<Page>().FirstOrDefaultAsync(x => x.Id == p.PageId, ct);
            if (page is not { State: PageState.Triggered } || (p.Cycle >= 0 && (p.Cycle < page.Cycle || (p.Cycle == page.Cycle && p.Step <= page.Step))))
            {
                return;
            }
            var incident = await db.Incidents.Include(i => i.Components).ThenInclude(c => c.Component).FirstOrDefaultAsync(i => i.Id == page.IncidentId, ct);
            if (incident is null)
            {
                return;
            }
            var now = time.GetUtcNow().UtcDateTime;
            var actor = Actor.System("escalation");
            if (p.Cycle < 0)
            {
                engine.Exhaust(page, incident, actor, now);
            }
            else
            {
                await engine.FireAsync(page, incident, p.Cycle, p.Step, actor, now, ct, scheduledFor: job.DueAt);
            }
            try
            {
                await db.SaveChangesAsync(ct);
                signal.Raise(ChangeSignal.Incidents);
                return;
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}

public sealed class PageContactJobHandler : IJobHandler
{
    public string Kind => PagingEngine.ContactJob;

    public bool Urgent => true;

    public Task RunAsync(Job job, IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<PagingEngine>().SendDeferredAsync(job.PayloadAs<ContactJobPayload>()!.NotificationId,
            services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, ct);
}
