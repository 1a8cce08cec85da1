using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.StatusPage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Notices;

/// <summary>What a person submits: the manual's five items (and a title) in both languages.</summary>
public sealed record NoticeInput(
    NoticeStatus? Status, DateTime? OccurredAt, LocalizedText? Title, LocalizedText? WhatHappened, LocalizedText? Impact,
    LocalizedText? RecoveryOutlook, LocalizedText? Alternatives, bool? DeliverNotifications);

/// <summary>
/// Composes, approves, rejects and publishes notices. Publishing stamps the notice's order in its
/// thread, the component statuses it announces, and queues the fan-out to subscribers and SNS in
/// the same transaction — unless the incident is a drill, whose notices never leave.
/// </summary>
public sealed class NoticeService(
    FukkyuDb db,
    IncidentService incidents,
    CommsTemplates templates,
    IPersonNotifier people,
    TimeProvider time,
    ChangeSignal signal,
    IOptions<NoticeOptions> options)
{
    public const string Topic = "notices";
    public const string FanoutJobKind = "notice-fanout";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly NoticeStatus[] IncidentStatuses = [NoticeStatus.Investigating, NoticeStatus.Identified, NoticeStatus.Monitoring, NoticeStatus.Resolved];

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The checks every notice passes, shared by the API and the composer. Each missing item is named.</summary>
    public static Validation Validate(NoticeInput input, NoticeOptions o, DateTime now)
    {
        var v = new Validation();
        if (input.Status is { } s && !IncidentStatuses.Contains(s))
        {
            v.Add("status", Validation.Text("UnknownValue", WireEnum.Name(s), string.Join(", ", IncidentStatuses.Select(x => WireEnum.Name(x)))));
        }
        if (input.OccurredAt is null)
        {
            v.Add("occurredAt", NoticeStrings.T("Missing", NoticeStrings.T("Item_occurredAt")));
        }
        else if (input.OccurredAt > now.AddMinutes(5))
        {
            v.Add("occurredAt", NoticeStrings.T("OccurredInFuture"));
        }
        Item(v, "title", input.Title, NoticeLimits.Title, o.RequireEnglish);
        Item(v, "whatHappened", input.WhatHappened, NoticeLimits.Field, o.RequireEnglish);
        Item(v, "impact", input.Impact, NoticeLimits.Field, o.RequireEnglish);
        Item(v, "recoveryOutlook", input.RecoveryOutlook, NoticeLimits.Field, o.RequireEnglish);
        Item(v, "alternatives", input.Alternatives, NoticeLimits.Field, o.RequireEnglish);
        return v;
    }

    private static void Item(Validation v, string field, LocalizedText? text, int max, bool requireEnglish)
    {
        var label = NoticeStrings.T("Item_" + field);
        if (string.IsNullOrWhiteSpace(text?.Ja))
        {
            v.Add(field + ".ja", NoticeStrings.T("Missing", label + " (日本語)"));
        }
        if (requireEnglish && string.IsNullOrWhiteSpace(text?.En))
        {
            v.Add(field + ".en", NoticeStrings.T("Missing", label + " (English)"));
        }
        v.MaxLength(field + ".ja", text?.Ja, max).MaxLength(field + ".en", text?.En, max);
    }

    /// <summary>The template for this incident and status, filled with what is known.</summary>
    public async Task<NoticeDraft?> TemplateAsync(string incidentIdOrNumber, NoticeStatus? status, Caller caller, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(incidentIdOrNumber, caller, tracking: false, ct);
        return incident is null ? null : Template(incident, status ?? DefaultStatus(incident));
    }

    public NoticeDraft Template(Incident incident, NoticeStatus status)
    {
        var names = incident.Components.Where(c => c.Component is { Public: true }).Select(c => c.Component!).ToList();
        static string Join(IEnumerable<string> xs, string lang)
        {
            var list = xs.ToList();
            var sep = lang == "en" ? ", " : "、";
            return list.Count <= 3 ? string.Join(sep, list) : string.Join(sep, list.Take(3)) + (lang == "en" ? $" and {list.Count - 3} more" : $" ほか{list.Count - 3}件");
        }
        var category = new LocalizedText(PublicText.T("ja", "Category_" + WireEnum.Name(incident.Category)), PublicText.T("en", "Category_" + WireEnum.Name(incident.Category)));
        var components = names.Count == 0 ? category : new LocalizedText(Join(names.Select(c => c.NameJa), "ja"), Join(names.Select(c => c.NameEn), "en"));
        var started = incident.StartedAt ?? incident.DetectedAt;
        var expectedAt = incident.ExpectedRecoveryMinutes is { } m ? started.AddMinutes(m) : (DateTime?)null;
        var values = new Dictionary<string, LocalizedText>
        {
            ["components"] = components,
            ["started"] = Time(started),
            ["resolved"] = Time(incident.ResolvedAt ?? Now),
            ["expected"] = templates.Expected(expectedAt is { } e && e > Now ? e : null, PublicText.Time),
        };
        return templates.Notice(incident.Category, status, started, values);
    }

    private static LocalizedText Time(DateTime t) => new(PublicText.Time(t, "ja"), PublicText.Time(t, "en"));

    public static NoticeStatus DefaultStatus(Incident incident) => Lifecycle.PublicStatus(incident.Status) switch
    {
        PublicIncidentStatus.Identified => NoticeStatus.Identified,
        PublicIncidentStatus.Monitoring => NoticeStatus.Monitoring,
        PublicIncidentStatus.Resolved or PublicIncidentStatus.Postmortem => NoticeStatus.Resolved,
        _ => NoticeStatus.Investigating,
    };

    /// <summary>Whether notices of this incident wait for approval.</summary>
    public bool NeedsApproval(Incident incident) =>
        incident.Security || (options.Value.RequireApprovalFromLevel > 0 && incident.Level >= options.Value.RequireApprovalFromLevel);

    public async Task<OpResult<Notice>> ComposeAsync(string incidentIdOrNumber, NoticeInput input, Caller caller, CancellationToken ct)
    {
        var v = Validate(input, options.Value, Now);
        if (!v.IsValid)
        {
            return new InvalidError(v.Errors);
        }
        for (var attempt = 1; ; attempt++)
        {
            var incident = await incidents.FindAsync(incidentIdOrNumber, caller, tracking: true, ct);
            if (incident is null)
            {
                return NotFoundError.Instance;
            }
            var now = Now;
            var notice = new Notice
            {
                Kind = NoticeKind.Incident,
                IncidentId = incident.Id,
                Status = input.Status ?? DefaultStatus(incident),
                State = NoticeState.PendingApproval,
                Drill = incident.Drill,
                TitleJa = input.Title!.Ja!.Trim(),
                TitleEn = (input.Title.En ?? input.Title.Ja!).Trim(),
                OccurredAt = input.OccurredAt!.Value,
                WhatJa = input.WhatHappened!.Ja!.Trim(),
                WhatEn = (input.WhatHappened.En ?? input.WhatHappened.Ja!).Trim(),
                ImpactJa = input.Impact!.Ja!.Trim(),
                ImpactEn = (input.Impact.En ?? input.Impact.Ja!).Trim(),
                OutlookJa = input.RecoveryOutlook!.Ja!.Trim(),
                OutlookEn = (input.RecoveryOutlook.En ?? input.RecoveryOutlook.Ja!).Trim(),
                AlternativesJa = input.Alternatives!.Ja!.Trim(),
                AlternativesEn = (input.Alternatives.En ?? input.Alternatives.Ja!).Trim(),
                DeliverNotifications = input.DeliverNotifications ?? true,
                AuthorId = caller.Actor.UserId,
                AuthorName = caller.Actor.Name,
                CreatedAt = now,
            };
            db.Notices.Add(notice);
            if (NeedsApproval(incident))
            {
                Timeline.Append(db, incident, caller.Actor, now, NoticeTimeline.Submitted, notice.TitleJa, new { noticeId = notice.Id, status = WireEnum.Name(notice.Status) });
                await RequestApprovalAsync(incident, notice, now, ct);
            }
            else
            {
                await PublishIncidentNoticeAsync(incident, notice, caller.Actor, now, approved: false, ct);
            }
            if (await TrySaveAsync(attempt, ct))
            {
                return notice;
            }
        }
    }

    public async Task<OpResult<Notice>> ApproveAsync(Guid noticeId, Caller caller, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (notice, incident, error) = await PendingAsync(noticeId, caller, ct);
            if (error is not null)
            {
                return error;
            }
            if (!options.Value.AllowSelfApproval && notice!.AuthorId is { } author && author == caller.Actor.UserId)
            {
                return new ConflictError("self-approval", NoticeStrings.T("SelfApproval"));
            }
            var now = Now;
            notice!.ReviewerId = caller.Actor.UserId;
            notice.ReviewerName = caller.Actor.Name;
            notice.ReviewedAt = now;
            await PublishIncidentNoticeAsync(incident!, notice, caller.Actor, now, approved: true, ct);
            if (await TrySaveAsync(attempt, ct))
            {
                return notice;
            }
        }
    }

    public async Task<OpResult<Notice>> RejectAsync(Guid noticeId, string reason, Caller caller, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (notice, incident, error) = await PendingAsync(noticeId, caller, ct);
            if (error is not null)
            {
                return error;
            }
            var now = Now;
            notice!.State = NoticeState.Rejected;
            notice.ReviewerId = caller.Actor.UserId;
            notice.ReviewerName = caller.Actor.Name;
            notice.ReviewedAt = now;
            notice.RejectReason = reason.Trim();
            Timeline.Append(db, incident!, caller.Actor, now, NoticeTimeline.Rejected, notice.RejectReason, new { noticeId = notice.Id });
            if (notice.AuthorId is { } author && author != caller.Actor.UserId)
            {
                await people.NotifyAsync(db, new PersonMessage(author, "notice-rejected", $"notice-rejected:{notice.Id:N}",
                    NoticeStrings.In("ja", "RejectedSubject", incident!.Number), NoticeStrings.In("en", "RejectedSubject", incident.Number),
                    NoticeStrings.In("ja", "RejectedBody", notice.TitleJa, caller.Actor.Name, notice.RejectReason, OperatorLink(incident)),
                    NoticeStrings.In("en", "RejectedBody", notice.TitleEn, caller.Actor.Name, notice.RejectReason, OperatorLink(incident)),
                    incident.Id, notice.Id.ToString()), now, ct);
            }
            if (await TrySaveAsync(attempt, ct))
            {
                return notice;
            }
        }
    }

    private async Task<(Notice? Notice, Incident? Incident, OpError? Error)> PendingAsync(Guid noticeId, Caller caller, CancellationToken ct)
    {
        var notice = await db.Notices.FirstOrDefaultAsync(n => n.Id == noticeId && n.Kind == NoticeKind.Incident, ct);
        // The incident's visibility rules apply to its notices: a security incident's draft is not shown to outsiders.
        var incident = notice?.IncidentId is { } iid ? await incidents.FindAsync(iid.ToString(), caller, tracking: true, ct) : null;
        if (notice is null || incident is null)
        {
            return (null, null, NotFoundError.Instance);
        }
        if (notice.State != NoticeState.PendingApproval)
        {
            return (null, null, new ConflictError("not-pending", NoticeStrings.T("NotPending", NoticeStrings.T("State_" + WireEnum.Name(notice.State)))));
        }
        return (notice, incident, null);
    }

    private async Task<bool> TrySaveAsync(int attempt, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            signal.Raise(Topic);
            return true;
        }
        catch (DbUpdateException) when (attempt < 5)
        {
            // Someone else changed the incident (a note, a transition): read it again and retry.
            db.ChangeTracker.Clear();
            return false;
        }
    }

    private async Task PublishIncidentNoticeAsync(Incident incident, Notice notice, Actor actor, DateTime now, bool approved, CancellationToken ct)
    {
        await PublishAsync(notice, [.. incident.Components.Where(c => c.Component is not null).Select(c => c.Component!)], now, ct);
        Timeline.Append(db, incident, actor, now, NoticeTimeline.Published, NoticeText.Body(PublicModelLoader.ToUpdate(notice), false, "ja"), new
        {
            noticeId = notice.Id,
            status = WireEnum.Name(notice.Status),
            titleJa = notice.TitleJa,
            titleEn = notice.TitleEn,
            approvedBy = approved ? actor.Name : null,
            drill = notice.Drill,
        });
        // Drills practise the cadence too; reminders reach only the people inside.
        if (incident.IsOpen && options.Value.Cadence(incident.Level) is { } cadence)
        {
            await NoticeCadence.EnsureAsync(db, incident.Id, now + cadence, now, ct);
        }
    }

    /// <summary>
    /// Marks a notice published: its order in the thread, the component statuses it announces
    /// (and which changed since the previous notice), and the fan-out job — all in the caller's
    /// unit of work. Used for incident and maintenance notices alike.
    /// </summary>
    public async Task PublishAsync(Notice notice, IReadOnlyList<Component> components, DateTime now, CancellationToken ct)
    {
        var subject = notice.SubjectId;
        var previous = await db.Notices.AsNoTracking()
            .Where(n => (n.IncidentId == subject || n.MaintenanceId == subject) && n.State == NoticeState.Published && n.Id != notice.Id)
            .OrderByDescending(n => n.Seq).Select(n => new { n.Seq, n.ComponentStates }).FirstOrDefaultAsync(ct);
        var pendingSeq = db.ChangeTracker.Entries<Notice>()
            .Where(e => e.Entity != notice && e.Entity.SubjectId == subject && e.Entity.State == NoticeState.Published)
            .Select(e => e.Entity.Seq).DefaultIfEmpty(0).Max();
        notice.Seq = Math.Max(previous?.Seq ?? 0, pendingSeq) + 1;
        notice.State = NoticeState.Published;
        notice.PublishedAt = now;

        var publicComponents = components.Where(c => c.Public).ToList();
        var states = publicComponents.ToDictionary(c => c.Id.ToString("N"), c => WireEnum.Name(c.Status));
        var before = previous?.ComponentStates is { Length: > 0 } json
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(json, Json) ?? []
            : [];
        var affected = publicComponents
            .Select(c => (c, old: before.TryGetValue(c.Id.ToString("N"), out var o) ? o : WireEnum.Name(ComponentStatus.Operational), now: states[c.Id.ToString("N")]))
            .Where(x => x.old != x.now)
            .Select(x => new AffectedComponent(x.c.Id, x.c.NameJa, x.c.NameEn, x.old, x.now))
            .ToList();
        notice.ComponentStates = JsonSerializer.Serialize(states, Json);
        notice.AffectedComponents = affected.Count == 0 ? null : JsonSerializer.Serialize(affected, Json);
        if (!notice.Drill && notice.DeliverNotifications)
        {
            Jobs.Schedule(db, FanoutJobKind, now, now, new FanoutPayload(notice.Id), $"fanout:{notice.Id:N}", notice.IncidentId);
        }
    }

    private async Task RequestApprovalAsync(Incident incident, Notice notice, DateTime now, CancellationToken ct)
    {
        foreach (var userId in await NoticeRecipients.CommanderAndCommsAsync(db, incident, ct))
        {
            if (userId == notice.AuthorId && !options.Value.AllowSelfApproval)
            {
                continue;
            }
            await people.NotifyAsync(db, new PersonMessage(userId, "notice-approval", $"notice-approval:{notice.Id:N}",
                NoticeStrings.In("ja", "ApprovalSubject", incident.Number, incident.Level),
                NoticeStrings.In("en", "ApprovalSubject", incident.Number, incident.Level),
                NoticeStrings.In("ja", "ApprovalBody", notice.AuthorName, notice.TitleJa, NoticeText.Body(PublicModelLoader.ToUpdate(notice), false, "ja"), OperatorLink(incident)),
                NoticeStrings.In("en", "ApprovalBody", notice.AuthorName, notice.TitleEn, NoticeText.Body(PublicModelLoader.ToUpdate(notice), false, "en"), OperatorLink(incident)),
                incident.Id, notice.Id.ToString()), now, ct);
        }
    }

    private string OperatorLink(Incident incident) => $"{options.Value.OperatorUrl.TrimEnd('/')}/ops/incidents/{incident.Number}";
}

public sealed record FanoutPayload(Guid NoticeId);

/// <summary>Who is told about notices: the commander and the comms people who can see the incident.</summary>
public static class NoticeRecipients
{
    public static async Task<List<Guid>> CommanderAndCommsAsync(FukkyuDb db, Incident incident, CancellationToken ct)
    {
        var ids = new List<Guid>();
        if (incident.CommanderId is { } commander)
        {
            ids.Add(commander);
        }
        var memberIds = incident.Members.Select(m => m.UserId).ToList();
        var comms = await db.Users.AsNoTracking().Where(u => u.Active && u.Roles.Contains(Roles.Comms)).Select(u => u.Id).ToListAsync(ct);
        var commsMembers = comms.Where(memberIds.Contains).ToList();
        // A security incident is told only to those who may see it.
        ids.AddRange(commsMembers.Count > 0 || incident.Security ? commsMembers : comms);
        if (ids.Count == 0)
        {
            ids.AddRange(await db.Users.AsNoTracking().Where(u => u.Active && u.Roles.Contains(Roles.Commander)).Select(u => u.Id).ToListAsync(ct));
        }
        return [.. ids.Distinct()];
    }
}
