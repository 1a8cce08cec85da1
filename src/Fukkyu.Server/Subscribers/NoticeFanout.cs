using System.Collections.Concurrent;
using System.Text.Json;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.StatusPage;
using Fukkyu.Server.Subscribers.Pages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Subscribers;

/// <summary>Payload of a subscriber email or webhook: which notice, which subscriber, their language and unsubscribe token.</summary>
public sealed record SubscriberMessagePayload(Guid N, Guid S, string L, string T, string? Secret = null);

/// <summary>What a channel sends for one notice, in each language (JSON per channel: email parts, webhook document).</summary>
public sealed record ChannelContent(string Ja, string En)
{
    public string For(string lang) => lang == "en" ? En : Ja;
}

public sealed record EmailContent(string Subject, string Text, string Html);

public static class SubscriberChannels
{
    public const string Email = "subscriber-email";
    public const string Webhook = "subscriber-webhook";
    /// <summary>Where the per-recipient unsubscribe link goes in stored content.</summary>
    public const string UnsubscribePlaceholder = "%%FUKKYU_UNSUBSCRIBE%%";
}

/// <summary>
/// Fans one published notice out to its subscribers: every active email, webhook and push
/// subscriber who wants one of the notice's components, plus the SNS thread. Subscribers are
/// enqueued in batches in id order, each batch in one transaction with the cursor that records
/// it (<see cref="NoticeDelivery"/>) — after a crash the job resumes after the last committed
/// batch: nobody is skipped and nobody gets the notice twice (and the outbox keys would refuse
/// a second copy anyway). The content is rendered once per notice and language and stored with
/// the cursor; the outbox rows carry only who and which.
/// </summary>
public sealed class NoticeFanoutJob(
    IOptions<SubscriberOptions> options,
    IOptions<StatusPageOptions> page,
    IOptions<SnsOptions> sns,
    PageRenderer pages,
    SubscriberTokens tokens,
    TimeProvider time,
    ILogger<NoticeFanoutJob> log) : IJobHandler
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Kind => NoticeService.FanoutJobKind;

    /// <summary>Test hook: called after each committed batch (a test throws here to simulate a crash).</summary>
    internal static Action<Guid, string, int>? AfterBatch { get; set; }

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var payload = job.PayloadAs<FanoutPayload>() ?? throw new InvalidOperationException("Fan-out job without payload.");
        var db = services.GetRequiredService<FukkyuDb>();
        var notice = await db.Notices.AsNoTracking().FirstOrDefaultAsync(n => n.Id == payload.NoticeId, ct);
        if (notice is not { State: NoticeState.Published, Drill: false, DeliverNotifications: true })
        {
            return;
        }
        if (notice.IncidentId is { } iid && await db.Incidents.AnyAsync(i => i.Id == iid && i.Drill, ct))
        {
            return; // belt and braces: a drill never reaches anyone outside
        }
        var components = await SubjectComponentsAsync(db, notice, ct);
        var channels = new List<string> { SubscriberChannels.Email, SubscriberChannels.Webhook, PushMessages.Channel };
        if (sns.Value.Configured)
        {
            channels.Add(SnsPosts.Channel);
        }
        await PrepareAsync(db, services, notice, channels, ct);
        foreach (var channel in channels)
        {
            await DeliverAsync(db, notice, channel, components, ct);
        }
    }

    private static async Task<List<Guid>> SubjectComponentsAsync(FukkyuDb db, Notice notice, CancellationToken ct)
    {
        var ids = notice.IncidentId is { } iid
            ? await db.IncidentComponents.Where(c => c.IncidentId == iid).Select(c => c.ComponentId).ToListAsync(ct)
            : await db.Set<Maintenance.MaintenanceComponent>().Where(c => c.MaintenanceId == notice.MaintenanceId).Select(c => c.ComponentId).ToListAsync(ct);
        return await db.Components.Where(c => ids.Contains(c.Id) && c.Public).Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>Renders each channel's content once and stores it with the channel's cursor.</summary>
    private async Task PrepareAsync(FukkyuDb db, IServiceProvider services, Notice notice, List<string> channels, CancellationToken ct)
    {
        var existing = await db.Set<NoticeDelivery>().AsNoTracking().Where(d => d.NoticeId == notice.Id).Select(d => d.Channel).ToListAsync(ct);
        var missing = channels.Except(existing).ToList();
        if (missing.Count == 0)
        {
            return;
        }
        var model = await services.GetRequiredService<PublicModelLoader>().LoadAsync(ct);
        var subject = model.Find(notice.SubjectId);
        var update = subject?.Updates.FirstOrDefault(u => u.Id == notice.Id) ?? PublicModelLoader.ToUpdate(notice);
        var o = page.Value;
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var channel in missing)
        {
            var content = channel switch
            {
                SubscriberChannels.Email => new ChannelContent(await EmailAsync(update, subject, "ja"), await EmailAsync(update, subject, "en")),
                SubscriberChannels.Webhook when subject is not null => new ChannelContent(Webhook(model, subject, "ja"), Webhook(model, subject, "en")),
                PushMessages.Channel => new ChannelContent(Push(update, subject, "ja"), Push(update, subject, "en")),
                _ => null,
            };
            db.Set<NoticeDelivery>().Add(new NoticeDelivery
            {
                NoticeId = notice.Id,
                Channel = channel,
                ContentJa = content?.Ja,
                ContentEn = content?.En,
                UpdatedAt = now,
            });
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        log.LogDebug("Prepared fan-out of notice {Notice} on {Channels}.", notice.Id, string.Join(", ", missing));

        string Url(PublicIncident? s, string lang) => s is null ? $"{o.Base}/{lang}/" : Feeds.Url(o, lang, s);

        async Task<string> EmailAsync(PublicUpdate u, PublicIncident? s, string lang)
        {
            var maintenance = s?.IsMaintenance ?? notice.Kind == NoticeKind.Maintenance;
            var name = lang == "en" ? o.NameEn : o.NameJa;
            var html = await pages.RenderAsync<NoticeEmail>(new Dictionary<string, object?>
            {
                ["Update"] = u, ["Maintenance"] = maintenance, ["Lang"] = lang, ["Url"] = Url(s, lang), ["SiteName"] = name,
                ["Unsubscribe"] = SubscriberChannels.UnsubscribePlaceholder,
            });
            var text = $"{u.Title.For(lang)}\n{PublicText.Status(u.Status, lang)} — {PublicText.Time(u.PublishedAt, lang)}\n\n"
                + NoticeText.Body(u, maintenance, lang) + $"\n\n{Url(s, lang)}\n\n-- \n{name}\n"
                + PublicText.T(lang, "UnsubscribeLine", SubscriberChannels.UnsubscribePlaceholder) + "\n";
            return JsonSerializer.Serialize(new EmailContent(NoticeText.Headline(u, lang), text, html), Json);
        }

        string Push(PublicUpdate u, PublicIncident? s, string lang)
        {
            var what = u.What.For(lang);
            var body = what.Length > 150 ? what[..150] + "…" : what;
            return JsonSerializer.Serialize(new PushContent(NoticeText.Headline(u, lang), body, new Dictionary<string, string>
            {
                ["notice_id"] = notice.Id.ToString("N"),
                [notice.Kind == NoticeKind.Maintenance ? "maintenance_id" : "incident_id"] = notice.SubjectId.ToString("N"),
                ["status"] = WireEnum.Name(u.Status),
                ["url"] = Url(s, lang),
            }, $"{notice.SubjectId:N}"), Json);
        }
    }

    /// <summary>Statuspage's webhook document without its <c>meta</c>, which is per subscriber.</summary>
    private string Webhook(PublicModel model, PublicIncident subject, string lang) =>
        JsonSerializer.Serialize(new
        {
            page = new { id = page.Value.PageId, status_indicator = model.Status.Indicator, status_description = model.Status.Description.For(lang) },
            incident = new StatuspageJson(model, page.Value, lang).Incident(subject),
        }, StatuspageJson.Json);

    private async Task DeliverAsync(FukkyuDb db, Notice notice, string channel, List<Guid> components, CancellationToken ct)
    {
        var size = Math.Max(1, channel == PushMessages.Channel ? Math.Min(options.Value.FanoutBatchSize, PushMessages.MaxTokens) : options.Value.FanoutBatchSize);
        var batches = 0;
        while (true)
        {
            // One transaction: the batch's messages and the cursor past them.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var d = await db.Set<NoticeDelivery>().FirstAsync(x => x.NoticeId == notice.Id && x.Channel == channel, ct);
            if (d.Done)
            {
                return;
            }
            var now = time.GetUtcNow().UtcDateTime;
            if (channel == SnsPosts.Channel)
            {
                EnqueueSns(db, notice, now);
                d.Done = true;
                d.Queued = 1;
            }
            else
            {
                var kind = channel switch
                {
                    SubscriberChannels.Email => SubscriberKind.Email,
                    SubscriberChannels.Webhook => SubscriberKind.Webhook,
                    _ => SubscriberKind.Push,
                };
                var query = db.Subscribers.AsNoTracking().Where(s => s.Kind == kind && s.State == SubscriberState.Active);
                if (d.Cursor is { } cursor)
                {
                    query = query.Where(s => s.Id.CompareTo(cursor) > 0);
                }
                var batch = await query.OrderBy(s => s.Id).Take(size)
                    .Select(s => new Recipient(s.Id, s.Address, s.Language, s.ComponentIds, s.TokenStamp, s.SigningSecret)).ToListAsync(ct);
                var wanted = batch.Where(s => components.Count == 0 || s.ComponentIds.Count == 0 || s.ComponentIds.Any(components.Contains)).ToList();
                d.Queued += channel == PushMessages.Channel ? EnqueuePush(db, notice, d, wanted, now) : await EnqueueEachAsync(db, notice, channel, wanted, now, ct);
                if (batch.Count > 0)
                {
                    d.Cursor = batch[^1].Id;
                }
                d.Done = batch.Count < size;
            }
            d.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();
            AfterBatch?.Invoke(notice.Id, channel, ++batches);
        }
    }

    private sealed record Recipient(Guid Id, string Address, string Language, List<Guid> ComponentIds, string TokenStamp, string? SigningSecret);

    private Task<int> EnqueueEachAsync(FukkyuDb db, Notice notice, string channel, List<Recipient> recipients, DateTime now, CancellationToken ct)
    {
        var letter = channel == SubscriberChannels.Email ? "e" : "w";
        // Set-based: a batch of subscribers becomes a few multi-row INSERTs, not hundreds of tracked entities.
        return Outbox.InsertAsync(db, Outbox.Rows(recipients.Select(r =>
        {
            var lang = PublicText.Lang(r.Language);
            var payload = new SubscriberMessagePayload(notice.Id, r.Id, lang, tokens.Unsubscribe(r.Id, r.TokenStamp), r.SigningSecret);
            return new OutgoingMessage(channel, r.Address, $"notice:{notice.Id:N}:{letter}:{r.Id:N}", "notice", "",
                notice.Title(lang == "ja"), JsonSerializer.Serialize(payload, Json), notice.IncidentId, Reference: $"subscriber:{r.Id:N}");
        }), now), ct);
    }

    private static int EnqueuePush(FukkyuDb db, Notice notice, NoticeDelivery d, List<Recipient> recipients, DateTime now)
    {
        // One message per language per batch; the batch's first id keeps the key stable across a retry.
        foreach (var group in recipients.GroupBy(r => PublicText.Lang(r.Language)))
        {
            var content = JsonSerializer.Deserialize<PushContent>(group.Key == "en" ? d.ContentEn! : d.ContentJa!, Json)!;
            PushMessages.Enqueue(db, [.. group.Select(r => r.Address)], content, $"notice:{notice.Id:N}:p:{group.Key}:{group.First().Id:N}", "notice",
                now, notice.IncidentId);
        }
        return recipients.Count;
    }

    private void EnqueueSns(FukkyuDb db, Notice notice, DateTime now)
    {
        var lang = PublicText.Lang(sns.Value.Language);
        var u = PublicModelLoader.ToUpdate(notice);
        var url = $"{page.Value.Base}/{lang}/incidents/{notice.SubjectId:N}";
        var text = SnsPosts.Fit(NoticeText.Headline(u, lang) + "\n" + u.What.For(lang), url);
        Outbox.Enqueue(db, new OutgoingMessage(SnsPosts.Channel, "x", SnsPosts.Key(notice.SubjectId, notice.Seq), "notice", text, null,
            new SnsPayload(text, notice.SubjectId, notice.Seq), notice.IncidentId), now);
    }
}

/// <summary>
/// The stored content of a notice's channel, read once per node (senders deliver thousands of the
/// same), and parsed once per language by <see cref="ParsedAsync{T}"/>.
/// </summary>
public sealed class NoticeContentCache(IServiceScopeFactory scopes)
{
    private readonly ConcurrentDictionary<(Guid, string), Lazy<Task<ChannelContent?>>> _cache = new();
    private readonly ConcurrentDictionary<(Guid, string, string), object> _parsed = new();

    public async Task<T?> ParsedAsync<T>(Guid noticeId, string channel, string lang, CancellationToken ct) where T : class
    {
        if (_parsed.TryGetValue((noticeId, channel, lang), out var hit))
        {
            return (T)hit;
        }
        if (await GetAsync(noticeId, channel, ct) is not { } content)
        {
            return null;
        }
        if (_parsed.Count > 400)
        {
            _parsed.Clear();
        }
        var value = JsonSerializer.Deserialize<T>(content.For(lang), Json)!;
        _parsed[(noticeId, channel, lang)] = value;
        return value;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ChannelContent?> GetAsync(Guid noticeId, string channel, CancellationToken ct)
    {
        if (_cache.Count > 200)
        {
            _cache.Clear();
        }
        var lazy = _cache.GetOrAdd((noticeId, channel), key => new Lazy<Task<ChannelContent?>>(() => LoadAsync(key.Item1, key.Item2)));
        var content = await lazy.Value.WaitAsync(ct);
        if (content is null)
        {
            _cache.TryRemove((noticeId, channel), out _);
        }
        return content;
    }

    private async Task<ChannelContent?> LoadAsync(Guid noticeId, string channel)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        var d = await db.Set<NoticeDelivery>().AsNoTracking().FirstOrDefaultAsync(x => x.NoticeId == noticeId && x.Channel == channel);
        return d is { ContentJa: { } ja, ContentEn: { } en } ? new ChannelContent(ja, en) : null;
    }
}
