using System.Globalization;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Controls;

/// <summary>When resuming withdrawals needs a second person.</summary>
public enum TwoPersonRule
{
    /// <summary>After a security incident: the suspension or the resume names one.</summary>
    SecurityIncidents,
    Always,
    Off,
}

public sealed class ControlsOptions
{
    public const string Section = "Fukkyu:Controls";

    public TwoPersonRule TwoPersonRule { get; set; } = TwoPersonRule.SecurityIncidents;
    /// <summary>An approval request lapses after this long.</summary>
    public int ApprovalMinutes { get; set; } = 60;
    /// <summary>The longest long-poll a client may ask for (<c>?wait=</c>).</summary>
    public int MaxWaitSeconds { get; set; } = 120;
}

/// <summary>What a control should become. Only the fields of its kind are used.</summary>
public sealed record ControlSetting(TradingState Trading, TransferState Transfer, ApiMode Api, OrderFlags Flags, string? MinAmount)
{
    public static ControlSetting Of(Control c) => new(c.Trading, c.Transfer, c.Api, c.Flags, c.MinAmount);
}

public sealed record ChangeCommand(string Component, string? State, OrderFlags? Flags, string? MinAmount, string Reason, string? Incident);

/// <summary>A change was applied, or it waits for a second person.</summary>
public sealed record ChangeOutcome(Control? Control, ControlChange? Change, ControlApproval? Pending);

/// <summary>
/// Changes the board: checked (role, reason, an incident that exists and is not a drill), recorded
/// in the change log and on the incident's timeline, reflected in the component's public status,
/// announced to the change webhooks through the outbox — all in one unit of work.
/// </summary>
public sealed class ControlService(
    FukkyuDb db,
    IncidentService incidents,
    TimeProvider time,
    ChangeSignal signal,
    IOptions<ControlsOptions> options)
{
    public const string Topic = "controls";
    public const string WebhookPurpose = "control_change";

    public static ControlKind? KindOf(Component c) => c.Category switch
    {
        ComponentCategory.Trading => ControlKind.Trading,
        ComponentCategory.Deposit => ControlKind.Deposit,
        ComponentCategory.Withdrawal => ControlKind.Withdrawal,
        ComponentCategory.Api => ControlKind.Api,
        _ => null,
    };

    /// <summary>The state names accepted for a kind, as they travel on the wire.</summary>
    public static IReadOnlyList<string> States(ControlKind kind) => kind switch
    {
        ControlKind.Trading => WireEnumConverterFactory.WireNames(typeof(TradingState)),
        ControlKind.Api => WireEnumConverterFactory.WireNames(typeof(ApiMode)),
        _ => WireEnumConverterFactory.WireNames(typeof(TransferState)),
    };

    public static string StateName(Control c) => c.Kind switch
    {
        ControlKind.Trading => WireEnum.Name(c.Trading),
        ControlKind.Api => WireEnum.Name(c.Api),
        _ => WireEnum.Name(c.Transfer),
    };

    /// <summary>Short text of a state for the log and the timeline: <c>normal; stopped: market, buy</c>.</summary>
    public static string Describe(Control c)
    {
        var text = StateName(c);
        if (c.Kind == ControlKind.Trading)
        {
            var f = c.Flags;
            var stopped = new List<string>();
            void Add(bool on, string name)
            {
                if (on)
                {
                    stopped.Add(name);
                }
            }
            Add(f.StopOrder, "order");
            Add(f.StopOrderAndCancel, "order_and_cancel");
            Add(f.StopMarketOrder, "market");
            Add(f.StopStopOrder, "stop");
            Add(f.StopStopLimitOrder, "stop_limit");
            Add(f.StopBuyOrder, "buy");
            Add(f.StopSellOrder, "sell");
            if (stopped.Count > 0)
            {
                text += "; stopped: " + string.Join(", ", stopped);
            }
            if (c.MinAmount is not null)
            {
                text += "; min " + c.MinAmount;
            }
        }
        return text;
    }

    /// <summary>The component's public status that follows from its control.</summary>
    public static ComponentStatus StatusOf(Control c) => c.Kind switch
    {
        ControlKind.Trading => c.Trading switch
        {
            TradingState.Halt => ComponentStatus.MajorOutage,
            TradingState.VeryBusy => ComponentStatus.PartialOutage,
            TradingState.Busy => ComponentStatus.DegradedPerformance,
            _ => c.Flags.Any ? ComponentStatus.PartialOutage : ComponentStatus.Operational,
        },
        ControlKind.Api => c.Api switch
        {
            ApiMode.Closed => ComponentStatus.MajorOutage,
            ApiMode.ReadOnly => ComponentStatus.PartialOutage,
            _ => ComponentStatus.Operational,
        },
        _ => c.Transfer == TransferState.Suspended ? ComponentStatus.MajorOutage : ComponentStatus.Operational,
    };

    public async Task<OpResult<ChangeOutcome>> ChangeAsync(ChangeCommand cmd, Caller caller, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var v = new Validation();
        var component = await db.Components.FirstOrDefaultAsync(c => c.Key == cmd.Component, ct);
        if (component is null)
        {
            return NotFoundError.Instance;
        }
        if (KindOf(component) is not { } kind)
        {
            v.Add("component", ControlsStrings.T("NoControl", component.Key, WireEnum.Name(component.Category)));
            return new InvalidError(v.Errors);
        }
        var control = await db.Set<Control>().FirstOrDefaultAsync(c => c.ComponentId == component.Id, ct)
            ?? new Control { ComponentId = component.Id, Kind = kind };
        var target = Parse(v, kind, ControlSetting.Of(control), cmd);
        var incident = await IncidentAsync(v, cmd.Incident, caller, ct);
        if (!v.IsValid)
        {
            return new InvalidError(v.Errors);
        }
        if (incident is { Drill: true })
        {
            return new ConflictError("drill", ControlsStrings.T("DrillNoControls", incident.Number));
        }
        if (target == ControlSetting.Of(control))
        {
            return new ConflictError("no-change", ControlsStrings.T("NoChange", component.Key, Describe(control)));
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (NeedsSecondPerson(control, target, incident))
        {
            return await RequestApprovalAsync(component, control, target, cmd.Reason, incident, caller, now, ct);
        }
        var change = Apply(component, control, target, cmd.Reason, incident, caller.Actor, null, now);
        return await SaveAsync(new ChangeOutcome(control, change, null), ct);
    }

    private static ControlSetting Parse(Validation v, ControlKind kind, ControlSetting current, ChangeCommand cmd)
    {
        var s = current;
        if (cmd.State is not null)
        {
            var ok = false;
            switch (kind)
            {
                case ControlKind.Trading when WireEnum.TryParse<TradingState>(cmd.State, out var t):
                    s = s with { Trading = t };
                    ok = true;
                    break;
                case ControlKind.Api when WireEnum.TryParse<ApiMode>(cmd.State, out var a):
                    s = s with { Api = a };
                    ok = true;
                    break;
                case ControlKind.Deposit or ControlKind.Withdrawal when WireEnum.TryParse<TransferState>(cmd.State, out var x):
                    s = s with { Transfer = x };
                    ok = true;
                    break;
            }
            if (!ok)
            {
                v.Add("state", Validation.Text("UnknownValue", cmd.State, string.Join(", ", States(kind))));
            }
        }
        if (kind != ControlKind.Trading && (cmd.Flags is not null || cmd.MinAmount is not null))
        {
            v.Add(cmd.Flags is not null ? "flags" : "minAmount", ControlsStrings.T("TradingOnly"));
        }
        if (cmd.Flags is { } flags)
        {
            s = s with { Flags = flags };
        }
        if (cmd.MinAmount is { } min)
        {
            if (min.Length == 0)
            {
                s = s with { MinAmount = null };
            }
            else if (min.Length > 40 || !decimal.TryParse(min, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
            {
                v.Add("minAmount", ControlsStrings.T("MinAmountFormat"));
            }
            else
            {
                s = s with { MinAmount = min };
            }
        }
        // Resuming normal trading clears the raised minimum unless one is given.
        if (kind == ControlKind.Trading && s.Trading == TradingState.Normal && current.Trading != TradingState.Normal && cmd.MinAmount is null)
        {
            s = s with { MinAmount = null };
        }
        return s;
    }

    private async Task<Incident?> IncidentAsync(Validation v, string? idOrNumber, Caller caller, CancellationToken ct)
    {
        if (idOrNumber is null)
        {
            return null;
        }
        var incident = await incidents.FindAsync(idOrNumber, caller, tracking: true, ct);
        if (incident is null)
        {
            v.Add("incident", Validation.Text("UnknownId", idOrNumber));
        }
        return incident;
    }

    private static bool IsSecurity(Incident? i) => i is not null && (i.Security || i.Category == ComponentCategory.Security);

    private bool NeedsSecondPerson(Control control, ControlSetting target, Incident? incident) =>
        control.Kind == ControlKind.Withdrawal
        && control.Transfer == TransferState.Suspended && target.Transfer == TransferState.Open
        && options.Value.TwoPersonRule switch
        {
            TwoPersonRule.Always => true,
            TwoPersonRule.Off => false,
            _ => control.UnderSecurityIncident || IsSecurity(incident),
        };

    private async Task<OpResult<ChangeOutcome>> RequestApprovalAsync(Component component, Control control, ControlSetting target, string reason,
        Incident? incident, Caller caller, DateTime now, CancellationToken ct)
    {
        if (caller.Actor.UserId is not { } requester)
        {
            return new ConflictError("two-person", ControlsStrings.T("NeedsPerson"));
        }
        var pending = await db.Set<ControlApproval>().AsNoTracking()
            .FirstOrDefaultAsync(a => a.ComponentId == component.Id && a.State == ApprovalState.Pending && a.ExpiresAt > now, ct);
        if (pending is not null)
        {
            return new ConflictError("approval-pending", ControlsStrings.T("ApprovalPending", component.Key, pending.RequestedByName, pending.Id));
        }
        var after = new Control { Kind = control.Kind };
        ApplySetting(after, target);
        var approval = new ControlApproval
        {
            ComponentId = component.Id,
            ComponentKey = component.Key,
            Requested = JsonSerializer.Serialize(target, JsonSerializerOptions.Web),
            Summary = $"{Describe(control)} → {Describe(after)}",
            Reason = reason.Trim(),
            IncidentId = incident?.Id ?? control.IncidentId,
            IncidentNumber = incident?.Number ?? control.IncidentNumber,
            RequestedById = requester,
            RequestedByName = caller.Actor.Name,
            RequestedAt = now,
            ExpiresAt = now.AddMinutes(Math.Max(1, options.Value.ApprovalMinutes)),
        };
        db.Add(approval);
        var timelineIncident = incident ?? (control.IncidentId is { } iid ? await db.Incidents.FirstOrDefaultAsync(i => i.Id == iid, ct) : null);
        if (timelineIncident is not null)
        {
            Timeline.Append(db, timelineIncident, caller.Actor, now, ControlsTimeline.ApprovalRequested, approval.Reason,
                new { approvalId = approval.Id, component = component.Key, name = component.NameJa + " / " + component.NameEn, change = approval.Summary });
        }
        return await SaveAsync(new ChangeOutcome(null, null, approval), ct);
    }

    /// <summary>The second person approves: the change is applied, naming both.</summary>
    public async Task<OpResult<ChangeOutcome>> DecideAsync(Guid approvalId, bool approve, string? note, Caller caller, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var approval = await db.Set<ControlApproval>().FirstOrDefaultAsync(a => a.Id == approvalId, ct);
        if (approval is null)
        {
            return NotFoundError.Instance;
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (approval.State == ApprovalState.Pending && approval.ExpiresAt <= now)
        {
            approval.State = ApprovalState.Expired;
            await db.SaveChangesAsync(ct);
        }
        if (approval.State != ApprovalState.Pending)
        {
            return new ConflictError("not-pending", ControlsStrings.T("NotPending", WireEnum.Name(approval.State)));
        }
        if (caller.Actor.UserId == approval.RequestedById)
        {
            return new ConflictError("same-person", ControlsStrings.T("SamePerson"));
        }
        var component = await db.Components.FirstAsync(c => c.Id == approval.ComponentId, ct);
        var control = await db.Set<Control>().FirstOrDefaultAsync(c => c.ComponentId == component.Id, ct);
        var incident = approval.IncidentId is { } iid ? await db.Incidents.FirstOrDefaultAsync(i => i.Id == iid, ct) : null;
        approval.State = approve ? ApprovalState.Approved : ApprovalState.Rejected;
        approval.DecidedById = caller.Actor.UserId;
        approval.DecidedByName = caller.Actor.Name;
        approval.DecidedAt = now;
        approval.DecisionNote = note?.Trim();
        var target = JsonSerializer.Deserialize<ControlSetting>(approval.Requested, JsonSerializerOptions.Web)!;
        if (incident is not null)
        {
            Timeline.Append(db, incident, caller.Actor, now, ControlsTimeline.ApprovalDecided, approval.DecisionNote,
                new { approvalId = approval.Id, component = approval.ComponentKey, change = approval.Summary, approved = approve, requestedBy = approval.RequestedByName });
        }
        if (!approve)
        {
            return await SaveAsync(new ChangeOutcome(control, null, approval), ct);
        }
        if (control is null || control.Transfer != TransferState.Suspended)
        {
            // Someone changed the control since: approving an outdated request would be a surprise.
            approval.State = ApprovalState.Expired;
            await db.SaveChangesAsync(ct);
            return new ConflictError("stale", ControlsStrings.T("Stale", approval.ComponentKey));
        }
        var requester = new Actor(ActorKind.User, approval.RequestedById, approval.RequestedByName);
        var change = Apply(component, control, target, approval.Reason, incident, requester, caller.Actor.Name, now);
        return await SaveAsync(new ChangeOutcome(control, change, approval), ct);
    }

    private static void ApplySetting(Control c, ControlSetting s)
    {
        c.Trading = s.Trading;
        c.Transfer = s.Transfer;
        c.Api = s.Api;
        c.Flags = s.Flags;
        c.MinAmount = s.MinAmount;
    }

    private ControlChange Apply(Component component, Control control, ControlSetting target, string reason, Incident? incident, Actor actor, string? approvedBy, DateTime now)
    {
        var from = Describe(control);
        if (db.Entry(control).State == EntityState.Detached)
        {
            db.Add(control);
        }
        ApplySetting(control, target);
        control.Reason = reason.Trim();
        control.IncidentId = incident?.Id;
        control.IncidentNumber = incident?.Number;
        control.UnderSecurityIncident = IsSecurity(incident) || (control.UnderSecurityIncident && control.Transfer == TransferState.Suspended && incident is null);
        control.ChangedAt = now;
        control.ChangedById = actor.UserId;
        control.ChangedByName = actor.Name;
        var change = new ControlChange
        {
            ComponentId = component.Id,
            ComponentKey = component.Key,
            Kind = control.Kind,
            At = now,
            From = from,
            To = Describe(control),
            Reason = reason.Trim(),
            IncidentId = incident?.Id,
            IncidentNumber = incident?.Number,
            ActorId = actor.UserId,
            ActorName = actor.Name,
            ApprovedByName = approvedBy,
        };
        db.Add(change);
        var status = StatusOf(control);
        if (component.Status != status)
        {
            component.Status = status;
            component.StatusChangedAt = now;
        }
        component.UpdatedAt = now;
        if (incident is not null)
        {
            Timeline.Append(db, incident, actor, now, ControlsTimeline.Change, change.Reason,
                new { component = component.Key, name = component.NameJa + " / " + component.NameEn, from = change.From, to = change.To, approvedBy });
        }
        return change;
    }

    private async Task<OpResult<ChangeOutcome>> SaveAsync(ChangeOutcome outcome, CancellationToken ct)
    {
        if (outcome.Change is { } change)
        {
            await AnnounceAsync(change, outcome.Control!, ct);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return new ConflictError("concurrency", Validation.Text("Conflict"));
        }
        signal.Raise(Topic);
        signal.Raise(ChangeSignal.Components);
        if (outcome.Change?.IncidentId is not null || outcome.Pending?.IncidentId is not null)
        {
            signal.Raise(ChangeSignal.Incidents);
        }
        return outcome;
    }

    /// <summary>Tells each change webhook, through the outbox, in the same transaction as the change.</summary>
    private async Task AnnounceAsync(ControlChange change, Control control, CancellationToken ct)
    {
        var hooks = await db.Set<ControlWebhook>().AsNoTracking().Where(h => h.Enabled).ToListAsync(ct);
        if (hooks.Count == 0)
        {
            return;
        }
        var component = await db.Components.AsNoTracking().FirstAsync(c => c.Id == change.ComponentId, ct);
        var body = JsonSerializer.Serialize(new
        {
            @event = "control.changed",
            eventId = change.EventId,
            at = change.At,
            control = ControlDto.From(component, control),
            from = change.From,
            to = change.To,
            reason = change.Reason,
            incident = change.IncidentNumber,
            actor = change.ActorName,
            approvedBy = change.ApprovedByName,
        }, ControlsApi.Json);
        foreach (var h in hooks)
        {
            Outbox.Enqueue(db, new OutgoingMessage(WebhookSender.ChannelName, h.Url, $"control:{change.EventId}:{h.Id}", WebhookPurpose, body,
                Payload: new WebhookPayload(h.ProtectedSecret), IncidentId: change.IncidentId, Reference: change.ComponentKey), change.At);
        }
    }
}

public static class ControlsTimeline
{
    public const string Change = "control_change";
    public const string ApprovalRequested = "control_approval_requested";
    public const string ApprovalDecided = "control_approval_decided";
}
