using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notices;
using Fukkyu.Server.StatusPage;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Maintenance;

public sealed record MaintenanceInput(
    LocalizedText? Title, LocalizedText? WhatWeDo, LocalizedText? Impact, LocalizedText? Alternatives,
    DateTime? ScheduledFor, DateTime? ScheduledUntil, string[]? ComponentIds, bool? AutoTransitions, int? RemindMinutesBefore,
    bool? DeliverNotifications);

public sealed record MaintenanceJobPayload(Guid MaintenanceId, string Action);

/// <summary>
/// Schedules maintenance and moves it through scheduled → in_progress (→ verifying) → completed,
/// or cancelled. Each step publishes a notice; start and completion also set and restore the
/// components' status. Automatic steps are durable jobs, so they happen once even across
/// restarts and several nodes.
/// </summary>
public sealed class MaintenanceService(FukkyuDb db, NoticeService notices, CommsTemplates templates, TimeProvider time, ChangeSignal signal)
{
    public const string JobKind = "maintenance-transition";
    public const int MaxWindowDays = 14;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public static Validation Validate(MaintenanceInput input, DateTime now)
    {
        var v = new Validation();
        void Item(string field, LocalizedText? t, int max)
        {
            var label = MaintenanceStrings.T("Item_" + field);
            if (string.IsNullOrWhiteSpace(t?.Ja))
            {
                v.Add(field + ".ja", NoticeStrings.T("Missing", label + " (日本語)"));
            }
            if (string.IsNullOrWhiteSpace(t?.En))
            {
                v.Add(field + ".en", NoticeStrings.T("Missing", label + " (English)"));
            }
            v.MaxLength(field + ".ja", t?.Ja, max).MaxLength(field + ".en", t?.En, max);
        }
        Item("title", input.Title, NoticeLimits.Title);
        Item("whatWeDo", input.WhatWeDo, NoticeLimits.Field);
        Item("impact", input.Impact, NoticeLimits.Field);
        Item("alternatives", input.Alternatives, NoticeLimits.Field);
        v.Required("scheduledFor", input.ScheduledFor).Required("scheduledUntil", input.ScheduledUntil)
         .Range("remindMinutesBefore", input.RemindMinutesBefore, 0, 7 * 24 * 60)
         .Count("componentIds", input.ComponentIds, IncidentLimits.Components);
        if (input.ScheduledFor is { } from && input.ScheduledUntil is { } until)
        {
            if (until <= from)
            {
                v.Add("scheduledUntil", MaintenanceStrings.T("EndBeforeStart"));
            }
            else if (until - from > TimeSpan.FromDays(MaxWindowDays))
            {
                v.Add("scheduledUntil", MaintenanceStrings.T("WindowTooLong", MaxWindowDays));
            }
            if (until <= now)
            {
                v.Add("scheduledUntil", MaintenanceStrings.T("EndInPast"));
            }
        }
        if (input.ComponentIds is not { Length: > 0 })
        {
            v.Add("componentIds", MaintenanceStrings.T("ComponentsRequired"));
        }
        return v;
    }

    public async Task<OpResult<MaintenanceWindow>> CreateAsync(MaintenanceInput input, Actor actor, CancellationToken ct)
    {
        var now = Now;
        var v = Validate(input, now);
        var keys = input.ComponentIds ?? [];
        var ids = keys.Select(k => Guid.TryParse(k, out var g) ? g : (Guid?)null).Where(g => g is not null).Select(g => g!.Value).ToList();
        var components = await db.Components.Where(c => ids.Contains(c.Id) || keys.Contains(c.Key)).ToListAsync(ct);
        foreach (var missing in keys.Where(k => !components.Any(c => c.Key == k || c.Id.ToString() == k || c.Id.ToString("N") == k)))
        {
            v.Add("componentIds", Validation.Text("UnknownId", missing));
        }
        if (!v.IsValid)
        {
            return new InvalidError(v.Errors);
        }
        var m = new MaintenanceWindow
        {
            TitleJa = input.Title!.Ja!.Trim(),
            TitleEn = input.Title.En!.Trim(),
            WhatJa = input.WhatWeDo!.Ja!.Trim(),
            WhatEn = input.WhatWeDo.En!.Trim(),
            ImpactJa = input.Impact!.Ja!.Trim(),
            ImpactEn = input.Impact.En!.Trim(),
            AlternativesJa = input.Alternatives!.Ja!.Trim(),
            AlternativesEn = input.Alternatives.En!.Trim(),
            ScheduledFor = input.ScheduledFor!.Value,
            ScheduledUntil = input.ScheduledUntil!.Value,
            AutoTransitions = input.AutoTransitions ?? true,
            RemindMinutesBefore = input.RemindMinutesBefore ?? 60,
            CreatedById = actor.UserId,
            CreatedByName = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (var c in components.DistinctBy(c => c.Id))
        {
            m.Components.Add(new MaintenanceComponent { ComponentId = c.Id, Component = c });
        }
        db.Maintenances.Add(m);
        await AnnounceAsync(m, NoticeStatus.Scheduled, "scheduled", actor, now, input.DeliverNotifications ?? true, ct);
        if (m.RemindMinutesBefore > 0 && m.ScheduledFor.AddMinutes(-m.RemindMinutesBefore) > now)
        {
            Jobs.Schedule(db, JobKind, m.ScheduledFor.AddMinutes(-m.RemindMinutesBefore), now, new MaintenanceJobPayload(m.Id, "remind"), $"maintenance:{m.Id:N}:remind");
        }
        if (m.AutoTransitions)
        {
            Jobs.Schedule(db, JobKind, m.ScheduledFor, now, new MaintenanceJobPayload(m.Id, "start"), $"maintenance:{m.Id:N}:start");
            Jobs.Schedule(db, JobKind, m.ScheduledUntil, now, new MaintenanceJobPayload(m.Id, "complete"), $"maintenance:{m.Id:N}:complete");
        }
        await db.SaveChangesAsync(ct);
        signal.Raise(NoticeService.Topic);
        return m;
    }

    /// <summary>Moves a maintenance by hand (or by its job): in_progress, verifying, completed or cancelled.</summary>
    public async Task<OpResult<MaintenanceWindow>> TransitionAsync(Guid id, MaintenanceStatus to, Actor actor, CancellationToken ct)
    {
        var m = await db.Maintenances.Include(x => x.Components).ThenInclude(c => c.Component).FirstOrDefaultAsync(x => x.Id == id, ct);
        if (m is null)
        {
            return NotFoundError.Instance;
        }
        var allowed = m.Status switch
        {
            MaintenanceStatus.Scheduled => [MaintenanceStatus.InProgress, MaintenanceStatus.Cancelled],
            MaintenanceStatus.InProgress => [MaintenanceStatus.Verifying, MaintenanceStatus.Completed],
            MaintenanceStatus.Verifying => [MaintenanceStatus.Completed, MaintenanceStatus.InProgress],
            _ => Array.Empty<MaintenanceStatus>(),
        };
        if (!allowed.Contains(to))
        {
            var names = allowed.Select(a => WireEnum.Name(a)).ToArray();
            return new ConflictError("invalid-transition", MaintenanceStrings.T("InvalidTransition", WireEnum.Name(m.Status), WireEnum.Name(to),
                names.Length == 0 ? "—" : string.Join(", ", names)), Allowed: names);
        }
        var now = Now;
        var componentsChanged = false;
        switch (to)
        {
            case MaintenanceStatus.InProgress when m.Status == MaintenanceStatus.Scheduled:
                m.StartedAt = now;
                foreach (var c in m.Components.Where(c => c.Component is not null))
                {
                    c.StatusBefore = c.Component!.Status;
                    SetStatus(c.Component, ComponentStatus.UnderMaintenance, now);
                }
                componentsChanged = true;
                break;
            case MaintenanceStatus.Completed:
                m.CompletedAt = now;
                componentsChanged = await RestoreComponentsAsync(m, now, ct);
                break;
            case MaintenanceStatus.Cancelled:
                m.CancelledAt = now;
                // The jobs would find nothing to do; cancelling them keeps the job list honest.
                await Jobs.CancelAsync(db, JobKind, $"maintenance:{m.Id:N}:", ct);
                break;
        }
        m.Status = to;
        m.UpdatedAt = now;
        var stage = WireEnum.Name(to);
        await AnnounceAsync(m, to switch
        {
            MaintenanceStatus.InProgress => NoticeStatus.InProgress,
            MaintenanceStatus.Verifying => NoticeStatus.Verifying,
            MaintenanceStatus.Completed => NoticeStatus.Completed,
            _ => NoticeStatus.Cancelled,
        }, stage, actor, now, true, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new ConflictError("concurrency", Validation.Text("Conflict"));
        }
        signal.Raise(NoticeService.Topic);
        if (componentsChanged)
        {
            signal.Raise(ChangeSignal.Components);
        }
        return m;
    }

    /// <summary>The reminder before the start: a notice, unless the maintenance moved on.</summary>
    public async Task RemindAsync(Guid id, CancellationToken ct)
    {
        var m = await db.Maintenances.Include(x => x.Components).ThenInclude(c => c.Component).FirstOrDefaultAsync(x => x.Id == id, ct);
        if (m is null || m.Status != MaintenanceStatus.Scheduled)
        {
            return;
        }
        var now = Now;
        m.UpdatedAt = now;
        await AnnounceAsync(m, NoticeStatus.Scheduled, "reminder", Actor.System("maintenance"), now, true, ct);
        await db.SaveChangesAsync(ct);
        signal.Raise(NoticeService.Topic);
    }

    private async Task<bool> RestoreComponentsAsync(MaintenanceWindow m, DateTime now, CancellationToken ct)
    {
        var ids = m.Components.Select(c => c.ComponentId).ToList();
        // Another maintenance still running on a component keeps it under maintenance.
        var stillCovered = await db.Set<MaintenanceComponent>()
            .Where(mc => ids.Contains(mc.ComponentId) && mc.MaintenanceId != m.Id)
            .Join(db.Maintenances.Where(x => x.Status == MaintenanceStatus.InProgress || x.Status == MaintenanceStatus.Verifying),
                mc => mc.MaintenanceId, x => x.Id, (mc, x) => mc.ComponentId)
            .ToListAsync(ct);
        var changed = false;
        foreach (var c in m.Components.Where(c => c.Component is { Status: ComponentStatus.UnderMaintenance } && !stillCovered.Contains(c.ComponentId)))
        {
            // A component someone else set to an outage meanwhile keeps that status; ours goes back.
            SetStatus(c.Component!, c.StatusBefore is { } before && before != ComponentStatus.UnderMaintenance ? before : ComponentStatus.Operational, now);
            changed = true;
        }
        return changed;
    }

    private static void SetStatus(Component c, ComponentStatus status, DateTime now)
    {
        if (c.Status != status)
        {
            c.Status = status;
            c.StatusChangedAt = now;
            c.UpdatedAt = now;
        }
    }

    private async Task AnnounceAsync(MaintenanceWindow m, NoticeStatus status, string stage, Actor actor, DateTime now, bool deliver, CancellationToken ct)
    {
        var until = new LocalizedText(PublicText.Time(m.ScheduledUntil, "ja"), PublicText.Time(m.ScheduledUntil, "en"));
        var outlook = templates.MaintenanceOutlook(stage, new Dictionary<string, LocalizedText> { ["until"] = until });
        var notice = new Notice
        {
            Kind = NoticeKind.Maintenance,
            MaintenanceId = m.Id,
            Status = status,
            State = NoticeState.PendingApproval,
            TitleJa = m.TitleJa,
            TitleEn = m.TitleEn,
            OccurredAt = m.ScheduledFor,
            WhatJa = m.WhatJa,
            WhatEn = m.WhatEn,
            ImpactJa = m.ImpactJa,
            ImpactEn = m.ImpactEn,
            OutlookJa = outlook.For("ja"),
            OutlookEn = outlook.For("en"),
            AlternativesJa = m.AlternativesJa,
            AlternativesEn = m.AlternativesEn,
            DeliverNotifications = deliver,
            AuthorId = actor.UserId,
            AuthorName = actor.Name,
            CreatedAt = now,
        };
        db.Notices.Add(notice);
        await notices.PublishAsync(notice, [.. m.Components.Where(c => c.Component is not null).Select(c => c.Component!)], now, ct);
    }
}

public sealed class MaintenanceJob : IJobHandler
{
    public string Kind => MaintenanceService.JobKind;

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var payload = job.PayloadAs<MaintenanceJobPayload>() ?? throw new InvalidOperationException("Maintenance job without payload.");
        var service = services.GetRequiredService<MaintenanceService>();
        var db = services.GetRequiredService<FukkyuDb>();
        var m = await db.Maintenances.AsNoTracking().FirstOrDefaultAsync(x => x.Id == payload.MaintenanceId, ct);
        if (m is null)
        {
            return;
        }
        var actor = Actor.System("maintenance");
        // Each step only from the state it expects: a repeated or late run changes nothing.
        OpError? error = null;
        switch (payload.Action)
        {
            case "remind":
                await service.RemindAsync(m.Id, ct);
                break;
            case "start" when m.Status == MaintenanceStatus.Scheduled:
                error = (await service.TransitionAsync(m.Id, MaintenanceStatus.InProgress, actor, ct)).Error;
                break;
            case "complete" when m.Status is MaintenanceStatus.InProgress or MaintenanceStatus.Verifying:
                error = (await service.TransitionAsync(m.Id, MaintenanceStatus.Completed, actor, ct)).Error;
                break;
            case "complete" when m.Status == MaintenanceStatus.Scheduled:
                // The end came before the start ran (the server was down all window): start, then complete.
                error = (await service.TransitionAsync(m.Id, MaintenanceStatus.InProgress, actor, ct)).Error
                    ?? (await service.TransitionAsync(m.Id, MaintenanceStatus.Completed, actor, ct)).Error;
                break;
        }
        if (error is ConflictError { Code: "concurrency" })
        {
            throw new InvalidOperationException("Maintenance changed concurrently; retrying.");
        }
    }
}
