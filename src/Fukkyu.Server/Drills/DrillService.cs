using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.PostIncident;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Drills;

public sealed record StartDrill(string ScenarioKey, IReadOnlyList<string> Participants, string? Commander);

/// <summary>One milestone of a drill, timed from the fault (or from the start when nothing was injected).</summary>
public sealed record Milestone(string Key, DateTime? At, double? ElapsedSeconds, int? TargetMinutes, bool? Met);

public static class DrillTimeline
{
    public const string Kind = "drill";
}

internal sealed class DrillTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry entry, JsonElement data) => entry.Kind == DrillTimeline.Kind
        ? DrillStrings.T("Tl_" + (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("action", out var a) ? a.GetString() : ""),
            data.ValueKind == JsonValueKind.Object && data.TryGetProperty("scenario", out var s) ? s.GetString() : "")
        : null;
}

/// <summary>
/// Runs drills: declares the drill incident (flagged, so it never reaches the public page,
/// subscribers or the regulator), makes the participants its members (the only people a drill
/// pages), injects and clears the scenario's fault, and times every milestone.
/// </summary>
public sealed class DrillService(FukkyuDb db, IncidentService incidents, FaultInjector injector, IPersonNotifier notifier, TimeProvider time, IConfiguration config)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task<OpResult<Drill>> StartAsync(StartDrill cmd, Caller caller, CancellationToken ct)
    {
        var scenario = await DrillScenarios.FindAsync(db, cmd.ScenarioKey, ct);
        if (scenario?.Incident is not { } si)
        {
            return new InvalidError(new() { ["scenario"] = [Validation.Text("UnknownId", cmd.ScenarioKey)] });
        }
        var people = new List<User>();
        var unknown = new List<string>();
        foreach (var p in cmd.Participants.Append(cmd.Commander).Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var u = Guid.TryParse(p, out var id)
                ? await db.Users.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.Active, ct)
                : await db.Users.AsNoTracking().FirstOrDefaultAsync(x => x.UserName == p!.ToLowerInvariant() && x.Active, ct);
            if (u is null)
            {
                unknown.Add(p!);
            }
            else if (people.All(x => x.Id != u.Id))
            {
                people.Add(u);
            }
        }
        if (unknown.Count > 0)
        {
            return new InvalidError(new() { ["participants"] = [.. unknown.Select(u => Validation.Text("UnknownId", u))] });
        }
        // Checked before anything is declared, so a refused drill leaves nothing behind.
        if (cmd.Commander is { Length: > 0 } c && people.FirstOrDefault(u => u.Id.ToString() == c || u.UserName == c.ToLowerInvariant()) is { } lead
            && !lead.Roles.Any(r => r is Roles.Commander or Roles.Executive or Roles.Admin))
        {
            return new InvalidError(new() { ["commander"] = [IncidentStrings.T("NotCommanderRole", lead.UserName)] });
        }

        var declared = await incidents.DeclareAsync(new DeclareIncident(
            $"【訓練 Drill】{si.TitleJa} / {si.TitleEn}", si.Category ?? Catalog.ComponentCategory.Trading, si.ImpactScope ?? ImpactScope.Some, si.ExpectedRecoveryMinutes,
            [.. (si.Components ?? []).Where(c => c.Id is not null).Select(c => new ComponentRef(c.Id!, c.Impact))],
            $"{scenario.DescriptionJa}\n\n{scenario.DescriptionEn}".Trim(),
            new Reporter { Name = $"drill:{scenario.Key}", Channel = ReporterChannel.Internal },
            si.Security ?? false, Drill: true), caller, ct);
        if (declared.Error is not null)
        {
            return declared.Error;
        }
        var number = declared.Value!.Number;
        if (cmd.Commander is { Length: > 0 } commander)
        {
            var set = await incidents.SetCommanderAsync(number, commander, caller, ct);
            if (set.Error is InvalidError bad)
            {
                return new InvalidError(new() { ["commander"] = [.. bad.Errors.SelectMany(e => e.Value)] });
            }
        }
        foreach (var p in people)
        {
            var current = await incidents.FindAsync(number, Caller.System("drill"), tracking: false, ct);
            if (current!.Members.All(m => m.UserId != p.Id))
            {
                await incidents.AddMemberAsync(number, p.Id.ToString(), MemberRole.Responder, caller, ct);
            }
        }

        var now = Now;
        var drill = new Drill
        {
            ScenarioKey = scenario.Key!,
            Scenario = JsonSerializer.Serialize(scenario, DrillScenarios.Json),
            IncidentId = declared.Value.Id,
            Status = DrillStatus.Running,
            StartedById = caller.Actor.UserId,
            StartedByName = caller.Actor.Name,
            StartedAt = now,
        };
        var saved = await Retry.OnConflictAsync<Drill>(db, async () =>
        {
            var incident = await db.Incidents.Include(i => i.Members).FirstAsync(i => i.Id == drill.IncidentId, ct);
            if (db.Entry(drill).State == EntityState.Detached)
            {
                db.Add(drill);
            }
            Timeline.Append(db, incident, caller.Actor, now, DrillTimeline.Kind, null, new { action = "started", scenario = scenario.Key });
            foreach (var member in incident.Members)
            {
                await notifier.NotifyAsync(db, new PersonMessage(member.UserId, "drill", $"drill:{drill.Id}:started:{member.UserId}",
                    DrillStrings.In(Lang.Ja, "StartSubject", scenario.NameJa, number), DrillStrings.In(Lang.En, "StartSubject", scenario.NameEn, number),
                    DrillStrings.In(Lang.Ja, "StartBody", scenario.NameJa, number, Reminders.Link(config, $"/ops/incidents/{number}")),
                    DrillStrings.In(Lang.En, "StartBody", scenario.NameEn, number, Reminders.Link(config, $"/ops/incidents/{number}")),
                    incident.Id, drill.Id.ToString()), now, ct);
            }
            await db.SaveChangesAsync(ct);
            return drill;
        });
        if (saved.Error is not null)
        {
            return saved.Error;
        }
        if (scenario.Inject is not null)
        {
            var result = await injector.CallAsync(scenario.Inject, clearing: false, ct);
            await RecordCallAsync(drill.Id, result, injecting: true, caller.Actor, ct);
        }
        return (await FindAsync(drill.Id, ct))!;
    }

    /// <summary>Clears the fault — in a drill, "the fix". Ending the drill clears it too.</summary>
    public async Task<OpResult<Drill>> ClearAsync(Guid id, Caller caller, CancellationToken ct)
    {
        var drill = await db.Set<Drill>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (drill is null)
        {
            return NotFoundError.Instance;
        }
        if (drill.Status != DrillStatus.Running)
        {
            return new ConflictError("ended", DrillStrings.T("AlreadyEnded"));
        }
        if (drill.ClearedAt is not null)
        {
            return new ConflictError("cleared", DrillStrings.T("AlreadyCleared"));
        }
        var scenario = JsonSerializer.Deserialize<DrillScenarioDef>(drill.Scenario, DrillScenarios.Json)!;
        var result = await injector.CallAsync(scenario.Clear, clearing: true, ct);
        await RecordCallAsync(id, result, injecting: false, caller.Actor, ct);
        return (await FindAsync(id, ct))!;
    }

    public async Task<OpResult<Drill>> EndAsync(Guid id, string? findings, Caller caller, CancellationToken ct)
    {
        var drill = await db.Set<Drill>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (drill is null)
        {
            return NotFoundError.Instance;
        }
        if (drill.Status != DrillStatus.Running)
        {
            return new ConflictError("ended", DrillStrings.T("AlreadyEnded"));
        }
        if (drill.ClearedAt is null && drill.InjectedAt is not null)
        {
            var scenario = JsonSerializer.Deserialize<DrillScenarioDef>(drill.Scenario, DrillScenarios.Json)!;
            await RecordCallAsync(id, await injector.CallAsync(scenario.Clear, clearing: true, ct), injecting: false, caller.Actor, ct);
        }
        return await Retry.OnConflictAsync<Drill>(db, async () =>
        {
            var d = await db.Set<Drill>().FirstAsync(x => x.Id == id, ct);
            if (d.Status != DrillStatus.Running)
            {
                return new ConflictError("ended", DrillStrings.T("AlreadyEnded"));
            }
            var now = Now;
            var incident = await db.Incidents.FirstAsync(i => i.Id == d.IncidentId, ct);
            d.Status = DrillStatus.Ended;
            d.EndedAt = now;
            d.EndedByName = caller.Actor.Name;
            d.Findings = findings ?? d.Findings;
            Timeline.Append(db, incident, caller.Actor, now, DrillTimeline.Kind, findings, new { action = "ended", scenario = d.ScenarioKey });
            await db.SaveChangesAsync(ct);
            return d;
        });
    }

    public async Task<OpResult<Drill>> FindingsAsync(Guid id, string findings, CancellationToken ct)
    {
        var drill = await db.Set<Drill>().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (drill is null)
        {
            return NotFoundError.Instance;
        }
        drill.Findings = findings;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ConflictError("concurrency", Validation.Text("Conflict"));
        }
        return drill;
    }

    private async Task RecordCallAsync(Guid id, FaultCallResult result, bool injecting, Actor actor, CancellationToken ct)
    {
        await Retry.OnConflictAsync<Drill>(db, async () =>
        {
            var d = await db.Set<Drill>().FirstAsync(x => x.Id == id, ct);
            var incident = await db.Incidents.FirstAsync(i => i.Id == d.IncidentId, ct);
            var now = Now;
            if (injecting)
            {
                d.InjectedAt = result.Ok ? now : null;
                d.InjectStatus = result.Status;
                d.InjectError = result.Error;
            }
            else
            {
                d.ClearedAt = result.Ok || !result.Attempted ? now : null;
                d.ClearStatus = result.Status;
                d.ClearError = result.Error;
            }
            Timeline.Append(db, incident, actor, now, DrillTimeline.Kind, result.Error,
                new { action = (injecting ? "fault_injected" : "fault_cleared") + (result.Ok ? "" : "_failed"), scenario = d.ScenarioKey, status = result.Status });
            await db.SaveChangesAsync(ct);
            return d;
        });
    }

    public Task<Drill?> FindAsync(Guid id, CancellationToken ct) => db.Set<Drill>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);

    /// <summary>
    /// Open drill incidents covering any of these components. For detection: alerts about a
    /// component under drill belong to the drill incident, not to a new real one that would page
    /// everybody and go public.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ActiveDrillIncidentsAsync(IReadOnlyCollection<Guid> componentIds, CancellationToken ct)
    {
        var ids = componentIds.ToList();
        return await db.Set<Drill>().AsNoTracking().Where(d => d.Status == DrillStatus.Running)
            .Join(db.Incidents.Where(i => i.Drill && Lifecycle.Open.Contains(i.Status) && i.Components.Any(c => ids.Contains(c.ComponentId))),
                d => d.IncidentId, i => i.Id, (d, i) => i.Id)
            .ToListAsync(ct);
    }

    /// <summary>Each milestone against the scenario's targets, timed from the fault.</summary>
    public static IReadOnlyList<Milestone> Milestones(Drill drill, DrillScenarioDef scenario, IncidentTimes times, DateTime now)
    {
        var t0 = drill.InjectedAt ?? drill.StartedAt;
        var cutoff = drill.EndedAt ?? now;
        var targets = scenario.Targets;
        Milestone M(string key, DateTime? at, int? target)
        {
            at = at is { } a && a <= cutoff ? a : null;
            double? elapsed = at is { } x ? Math.Max(0, (x - t0).TotalSeconds) : null;
            bool? met = target is not { } t ? null
                : elapsed is { } e ? e <= t * 60
                : (cutoff - t0).TotalMinutes > t ? false : null;
            return new Milestone(key, at, elapsed, target, met);
        }
        return
        [
            M(drill.InjectedAt is null ? "started" : "injected", t0, null),
            M("acknowledged", times.AcknowledgedAt, targets?.AcknowledgeMinutes),
            M("recovery_started", times.RecoveryStartedAt, targets?.RecoveryStartedMinutes),
            M("fault_cleared", drill.ClearedAt, null),
            M("recovered", times.RecoveredAt, targets?.RecoveredMinutes),
            M("resolved", times.ResolvedAt, targets?.ResolvedMinutes),
        ];
    }
}
