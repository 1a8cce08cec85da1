using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Incidents;

/// <summary>Who is asking, and what they may see and override.</summary>
public sealed record Caller(Actor Actor, bool SeesAllSecurityIncidents, bool MayOverrideGates)
{
    public static Caller From(ClaimsPrincipal user) => new(
        Actor.From(user),
        // Compliance files every cyber-security incident with the regulator, so it must see them.
        user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Commander) || user.IsInRole(Roles.Compliance),
        Policies.RolesFor[Policies.Command].Any(user.IsInRole));

    public static Caller System(string what) => new(Actor.System(what), true, false);
}

public sealed record ComponentRef(string Id, ComponentImpact? Impact);

public sealed record DeclareIncident(
    string Title,
    ComponentCategory Category,
    ImpactScope ImpactScope,
    int? ExpectedRecoveryMinutes,
    IReadOnlyList<ComponentRef> Components,
    string? Description,
    Reporter? Reporter,
    bool Security,
    bool Drill = false,
    DateTime? StartedAt = null,
    DateTime? DetectedAt = null,
    int? AffectedUsersEstimate = null);

public sealed record UpdateIncident(
    string? Title,
    string? Description,
    string? Cause,
    ImpactScope? ImpactScope,
    int? ExpectedRecoveryMinutes,
    int? AffectedUsersEstimate,
    IReadOnlyList<ComponentRef>? Components,
    DateTime? StartedAt);

/// <summary>
/// Every change to an incident goes through here — from the API, the UI, the CLI and the
/// workers — so that each one is checked the same way, lands on the timeline, reaches the
/// listeners in the same transaction, and loses no race silently.
/// </summary>
public sealed class IncidentService(
    FukkyuDb db,
    SeverityPolicy policy,
    TimeProvider time,
    ChangeSignal signal,
    DeclarationQueue queue,
    IEnumerable<IIncidentListener> listeners,
    IEnumerable<ITransitionGuard> guards)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Incidents the caller may see: security incidents only for admins, commanders and members.</summary>
    public static IQueryable<Incident> Visible(IQueryable<Incident> query, Caller caller)
    {
        if (caller.SeesAllSecurityIncidents)
        {
            return query;
        }
        var uid = caller.Actor.UserId;
        return query.Where(i => !i.Security || i.CommanderId == uid || i.Members.Any(m => m.UserId == uid));
    }

    public IQueryable<Incident> WithDetails(bool tracking = true)
    {
        var q = db.Incidents
            .Include(i => i.Components).ThenInclude(c => c.Component)
            .Include(i => i.Members).ThenInclude(m => m.User)
            .Include(i => i.Commander)
            .AsSplitQuery();
        return tracking ? q : q.AsNoTracking();
    }

    /// <summary>Finds by id or by number (<c>INC-2026-0001</c>), only if visible to the caller.</summary>
    public async Task<Incident?> FindAsync(string idOrNumber, Caller caller, bool tracking, CancellationToken ct)
    {
        var query = Visible(WithDetails(tracking), caller);
        return Guid.TryParse(idOrNumber, out var id)
            ? await query.FirstOrDefaultAsync(i => i.Id == id, ct)
            : await query.FirstOrDefaultAsync(i => i.Number == idOrNumber.ToUpperInvariant(), ct);
    }

    public async Task<OpResult<Incident>> DeclareAsync(DeclareIncident cmd, Caller caller, CancellationToken ct)
    {
        // Detected when it was reported, not when its turn in the queue came.
        var detectedAt = cmd.DetectedAt ?? Now;
        using var turn = await queue.EnterAsync(ct);
        // One connection for the whole declaration: its dozen reads and two writes do not hand
        // the connection back to the pool in between (where PostgreSQL would reset it each time).
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            return await DeclareInTurnAsync(cmd, detectedAt, caller, ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<OpResult<Incident>> DeclareInTurnAsync(DeclareIncident cmd, DateTime detectedAt, Caller caller, CancellationToken ct)
    {
        var now = Now;
        var year = Tokyo.FromUtc(detectedAt).Year;

        // The number is taken in its own short transaction, once the request is known to be valid:
        // concurrent declarations then queue only for the counter, not for each other's whole
        // unit of work (docs/decisions/005-incident-numbers.md). A save that fails for good
        // leaves a gap in the numbers; a retried save keeps its number.
        string? number = null;
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var resolved = await ResolveComponentsAsync(cmd.Components, ct);
            if (resolved.Error is not null)
            {
                return resolved.Error;
            }
            var components = resolved.Value!;
            number ??= await AllocateNumberAsync(year, ct);
            try
            {
                var mainFunction = Component.IsMainCategory(cmd.Category) || components.Any(c => c.Component.MainFunction);
                var decision = policy.Decide(new SeverityInput(cmd.ImpactScope, mainFunction, cmd.ExpectedRecoveryMinutes, cmd.Security));
                var incident = new Incident
                {
                    Number = number,
                    Title = cmd.Title.Trim(),
                    Description = cmd.Description,
                    Category = cmd.Category,
                    ImpactScope = cmd.ImpactScope,
                    MainFunction = mainFunction,
                    ExpectedRecoveryMinutes = cmd.ExpectedRecoveryMinutes,
                    AffectedUsersEstimate = cmd.AffectedUsersEstimate,
                    Level = decision.Level,
                    LevelRule = decision.Rule,
                    LevelReasonJa = decision.ReasonJa,
                    LevelReasonEn = decision.ReasonEn,
                    Security = cmd.Security,
                    Drill = cmd.Drill,
                    Reporter = cmd.Reporter ?? new Reporter { Name = caller.Actor.Name, Channel = ReporterChannel.Internal },
                    DeclaredById = caller.Actor.UserId,
                    StartedAt = cmd.StartedAt,
                    DetectedAt = detectedAt,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                foreach (var (component, impact) in components)
                {
                    incident.Components.Add(new IncidentComponent { ComponentId = component.Id, Component = component, Impact = impact });
                }
                if (caller.Actor.UserId is { } declarer && await db.Users.FindAsync([declarer], ct) is { } declaringUser)
                {
                    // The declarer stays able to see what they declared, security incidents included.
                    incident.Members.Add(new IncidentMember { UserId = declarer, User = declaringUser, Role = MemberRole.Responder, AddedAt = now });
                }
                db.Incidents.Add(incident);
                Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.Declared, incident.Title, new
                {
                    level = incident.Level,
                    rule = incident.LevelRule,
                    reasonJa = incident.LevelReasonJa,
                    reasonEn = incident.LevelReasonEn,
                    category = incident.Category,
                    impactScope = incident.ImpactScope,
                    expectedRecoveryMinutes = incident.ExpectedRecoveryMinutes,
                    components = components.Select(c => c.Component.Key).ToArray(),
                    security = incident.Security,
                    drill = incident.Drill,
                    reporter = new { incident.Reporter.Name, incident.Reporter.Channel },
                });
                db.Declaring(incident.Id);
                try
                {
                    await NotifyAsync(new IncidentChange(db, incident, IncidentChangeKind.Declared, caller.Actor, now, Crowded: queue.Crowded), ct);
                    await db.SaveChangesAsync(ct);
                }
                finally
                {
                    db.Declared(incident.Id);
                }
                signal.Raise(ChangeSignal.Incidents);
                return incident;
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                // Lost a race on a row the listeners touched: start over on fresh rows, same number.
            }
        }
    }

    /// <summary>Takes the next number of the year; the counter row may be created concurrently by two nodes, and the loser starts over.</summary>
    private async Task<string> AllocateNumberAsync(int year, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return $"INC-{year}-{await NextNumberAsync(year, ct):D4}";
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                foreach (var counter in db.ChangeTracker.Entries<IncidentCounter>().ToList())
                {
                    counter.State = EntityState.Detached;
                }
            }
        }
    }

    private async Task<int> NextNumberAsync(int year, CancellationToken ct)
    {
        // One statement, its own transaction: the UPDATE takes the row lock (PostgreSQL) or the
        // write lock (SQLite), so concurrent declarations queue here instead of reading the same
        // number, and RETURNING hands back the number it wrote.
        var taken = await db.Database
            .SqlQuery<int>($"UPDATE incident_counters SET last = last + 1 WHERE year = {year} RETURNING last AS \"Value\"")
            .ToListAsync(ct);
        if (taken.Count > 0)
        {
            return taken[0];
        }
        db.IncidentCounters.Add(new IncidentCounter { Year = year, Last = 1 });
        await db.SaveChangesAsync(ct);
        return 1;
    }

    public Task<OpResult<Incident>> TransitionAsync(string idOrNumber, IncidentStatus to, string? note, string? overrideReason, Caller caller, CancellationToken ct) =>
        OnFreshRowAsync(() => TransitionOnceAsync(idOrNumber, to, note, overrideReason, caller, ct));

    private async Task<OpResult<Incident>> TransitionOnceAsync(string idOrNumber, IncidentStatus to, string? note, string? overrideReason, Caller caller, CancellationToken ct)
    {
        var incident = await FindAsync(idOrNumber, caller, tracking: true, ct);
        if (incident is null)
        {
            return NotFoundError.Instance;
        }
        var from = incident.Status;
        if (!Lifecycle.IsAllowed(from, to))
        {
            var allowed = Lifecycle.AllowedFrom(from).Select(s => WireEnumConverterFactory.WireName(s)).ToArray();
            return new ConflictError("invalid-transition",
                IncidentStrings.T("InvalidTransition", Wire(from), Wire(to), allowed.Length == 0 ? "—" : string.Join(", ", allowed)),
                Allowed: allowed);
        }
        var context = new TransitionContext(caller.Actor, note, overrideReason, caller.MayOverrideGates);
        var missing = new List<string>();
        foreach (var guard in guards)
        {
            missing.AddRange(await guard.CheckAsync(db, incident, to, context, ct));
        }
        var now = Now;
        if (missing.Count > 0)
        {
            if (string.IsNullOrWhiteSpace(overrideReason) || !caller.MayOverrideGates)
            {
                return new ConflictError("gate", IncidentStrings.T("GateRefused", Wire(to), string.Join(" ", missing)), Missing: missing);
            }
            Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.GateOverride, overrideReason, new { to = Wire(to), missing });
        }

        incident.Status = to;
        switch (to)
        {
            case IncidentStatus.Triaging:
                incident.AcknowledgedAt ??= now;
                break;
            case IncidentStatus.Recovering:
                incident.IdentifiedAt ??= now;
                break;
            case IncidentStatus.Verifying:
                incident.MonitoringAt = now;
                break;
            case IncidentStatus.Resolved:
                incident.ResolvedAt = now;
                break;
            case IncidentStatus.Closed:
                incident.ClosedAt = now;
                break;
        }
        Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.Status, note, new { from = Wire(from), to = Wire(to) });
        return await SaveAsync(new IncidentChange(db, incident, IncidentChangeKind.StatusChanged, caller.Actor, now, FromStatus: from), ct);
    }

    public Task<OpResult<Incident>> ChangeLevelAsync(string idOrNumber, int level, string reason, Caller caller, CancellationToken ct) =>
        OnFreshRowAsync(() => ChangeLevelOnceAsync(idOrNumber, level, reason, caller, ct));

    private async Task<OpResult<Incident>> ChangeLevelOnceAsync(string idOrNumber, int level, string reason, Caller caller, CancellationToken ct)
    {
        var incident = await FindAsync(idOrNumber, caller, tracking: true, ct);
        if (incident is null)
        {
            return NotFoundError.Instance;
        }
        if (incident.Level == level)
        {
            return new ConflictError("same-level", IncidentStrings.T("SameLevel", level));
        }
        if (!incident.IsOpen)
        {
            return new ConflictError("not-open", IncidentStrings.T("NotOpen", Wire(incident.Status)));
        }
        var minimum = policy.Options.SecurityMinimumLevel;
        if (incident.Security && level < minimum)
        {
            return new ConflictError("security-minimum", IncidentStrings.T("SecurityMinimum", minimum));
        }
        var now = Now;
        var from = incident.Level;
        SetLevel(incident, level, "manual", reason.Trim(), reason.Trim());
        incident.LevelSetManuallyAt = now;
        Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.Level, reason.Trim(), new { from, to = level, rule = "manual" });
        return await SaveAsync(new IncidentChange(db, incident, IncidentChangeKind.LevelChanged, caller.Actor, now, FromLevel: from), ct);
    }

    /// <summary>Raises a tracked incident's level on the system's behalf (auto-escalation, policy re-evaluation).</summary>
    public async Task<OpResult<Incident>> EscalateAsync(Incident incident, int level, string rule, string reasonJa, string reasonEn, Actor actor, CancellationToken ct)
    {
        var now = Now;
        var from = incident.Level;
        SetLevel(incident, level, rule, reasonJa, reasonEn);
        Timeline.Append(db, incident, actor, now, TimelineKinds.Level, reasonEn, new { from, to = level, rule, reasonJa, reasonEn });
        return await SaveAsync(new IncidentChange(db, incident, IncidentChangeKind.LevelChanged, actor, now, FromLevel: from), ct);
    }

    private static void SetLevel(Incident incident, int level, string rule, string reasonJa, string reasonEn)
    {
        incident.Level = level;
        incident.LevelRule = rule;
        incident.LevelReasonJa = reasonJa;
        incident.LevelReasonEn = reasonEn;
    }

    public Task<OpResult<Incident>> SetCommanderAsync(string idOrNumber, string userIdOrName, Caller caller, CancellationToken ct) =>
        OnFreshRowAsync(() => SetCommanderOnceAsync(idOrNumber, userIdOrName, caller, ct));

    private async Task<OpResult<Incident>> SetCommanderOnceAsync(string idOrNumber, string userIdOrName, Caller caller, CancellationToken ct)
    {
        var incident = await FindAsync(idOrNumber, caller, tracking: true, ct);
        if (incident is null)
        {
            return NotFoundError.Instance;
        }
        var user = await FindUserAsync(userIdOrName, ct);
        if (user is null)
        {
            return new InvalidError(new() { ["userId"] = [Validation.Text("UnknownId", userIdOrName)] });
        }
        if (!user.Roles.Any(r => r is Roles.Commander or Roles.Executive or Roles.Admin))
        {
            return new InvalidError(new() { ["userId"] = [IncidentStrings.T("NotCommanderRole", user.UserName)] });
        }
        if (incident.CommanderId == user.Id)
        {
            return new ConflictError("same-commander", IncidentStrings.T("SameCommander", user.DisplayName));
        }
        var now = Now;
        var before = incident.Commander?.DisplayName;
        incident.CommanderId = user.Id;
        incident.Commander = user;
        var member = incident.Members.FirstOrDefault(m => m.UserId == user.Id);
        if (member is null)
        {
            incident.Members.Add(new IncidentMember { UserId = user.Id, User = user, Role = MemberRole.Commander, AddedAt = now });
        }
        else
        {
            member.Role = MemberRole.Commander;
        }
        foreach (var old in incident.Members.Where(m => m.Role == MemberRole.Commander && m.UserId != user.Id))
        {
            old.Role = MemberRole.Responder;
        }
        Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.Commander, null, new { from = before, to = user.DisplayName, userId = user.Id });
        return await SaveAsync(new IncidentChange(db, incident, IncidentChangeKind.CommanderChanged, caller.Actor, now), ct);
    }

    public Task<OpResult<Incident>> AddMemberAsync(string idOrNumber, string userIdOrName, MemberRole role, Caller caller, CancellationToken ct) =>
        OnFreshRowAsync(() => AddMemberOnceAsync(idOrNumber, userIdOrName, role, caller, ct));

    private async Task<OpResult<Incident>> AddMemberOnceAsync(string idOrNumber, string userIdOrName, MemberRole role, Caller caller, CancellationToken ct)
    {
        var incident = await FindAsync(idOrNumber, caller, tracking: true, ct);
        if (incident is null)
        {
            return NotFoundError.Instance;
        }
        var user = await FindUserAsync(userIdOrName, ct);
        if (user is null)
        {
            return new InvalidError(new() { ["userId"] = [Validation.Text("UnknownId", userIdOrName)] });
        }
        if (role == MemberRole.Commander)
        {
            return new InvalidError(new() { ["role"] = [IncidentStrings.T("UseCommanderEndpoint")] });
        }
        if (incident.Members.Any(m => m.UserId == user.Id))
        {
            return new ConflictError("already-member", IncidentStrings.T("AlreadyMember", user.DisplayName));
        }
        var now = Now;
        incident.Members.Add(new IncidentMember { UserId = user.Id, User = user, Role = role, AddedAt = now });
        Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.MemberAdded, null, new { user = user.DisplayName, userId = user.Id, role });
        return await SaveAsync(new IncidentChange(db, incident, IncidentChangeKind.MembersChanged, caller.Actor, now), ct);
    }

    public Task<OpResult<Incident>> RemoveMemberAsync(string idOrNumber, Guid userId, Caller caller, CancellationToken ct) =>
        OnFreshRowAsync(() => RemoveMemberOnceAsync(idOrNumber, userId, caller, ct));

    private async Task<OpResult<Incident>> RemoveMemberOnceAsync(string idOrNumber, Guid userId, Caller caller, CancellationToken ct)
    {
        var incident = await FindAsync(idOrNumber, caller, tracking: true, ct);
        var member = incident?.Members.FirstOrDefault(m => m.UserId == userId);
        if (incident is null || member is null)
        {
            return NotFoundError.Instance;
        }
        if (incident.CommanderId == userId)
        {
            return new ConflictError("is-commander", IncidentStrings.T("RemoveCommander"));
        }
        var now = Now;
        incident.Members.Remove(member);
        Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.MemberRemoved, null, new { user = member.User?.DisplayName, userId });
        return await SaveAsync(new IncidentChange(db, incident, IncidentChangeKind.MembersChanged, caller.Actor, now), ct);
    }

    /// <summary>
    /// Adds a note. Notes never conflict with anything, so a lost race is retried rather than
    /// refused: nothing a responder writes is lost.
    /// </summary>
    public async Task<OpResult<TimelineEntry>> AddNoteAsync(string idOrNumber, string text, Caller caller, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var incident = await FindAsync(idOrNumber, caller, tracking: true, ct);
            if (incident is null)
            {
                return NotFoundError.Instance;
            }
            var now = Now;
            var entry = Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.Note, text.Trim());
            try
            {
                await NotifyAsync(new IncidentChange(db, incident, IncidentChangeKind.NoteAdded, caller.Actor, now), ct);
                await db.SaveChangesAsync(ct);
                signal.Raise(ChangeSignal.Incidents);
                return entry;
            }
            catch (DbUpdateException) when (attempt < 10)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>
    /// Changes the incident's facts. When the new facts call for a higher level the level rises
    /// with the policy's reason; it never falls by itself — lowering is a person's decision.
    /// </summary>
    public Task<OpResult<Incident>> UpdateAsync(string idOrNumber, UpdateIncident cmd, Caller caller, CancellationToken ct) =>
        OnFreshRowAsync(() => UpdateOnceAsync(idOrNumber, cmd, caller, ct));

    private async Task<OpResult<Incident>> UpdateOnceAsync(string idOrNumber, UpdateIncident cmd, Caller caller, CancellationToken ct)
    {
        var incident = await FindAsync(idOrNumber, caller, tracking: true, ct);
        if (incident is null)
        {
            return NotFoundError.Instance;
        }
        if (incident.Status == IncidentStatus.Closed)
        {
            return new ConflictError("closed", IncidentStrings.T("Closed"));
        }
        var changes = new Dictionary<string, object?>();
        void Change<T>(string field, T before, T after, Action<T> set)
        {
            if (!EqualityComparer<T>.Default.Equals(before, after))
            {
                changes[field] = new { from = before, to = after };
                set(after);
            }
        }
        if (cmd.Title is not null)
        {
            Change("title", incident.Title, cmd.Title.Trim(), v => incident.Title = v);
        }
        if (cmd.Description is not null)
        {
            Change("description", incident.Description, cmd.Description, v => incident.Description = v);
        }
        if (cmd.Cause is not null)
        {
            Change("cause", incident.Cause, cmd.Cause, v => incident.Cause = v);
        }
        if (cmd.ImpactScope is { } scope)
        {
            Change("impactScope", incident.ImpactScope, scope, v => incident.ImpactScope = v);
        }
        if (cmd.ExpectedRecoveryMinutes is { } erm)
        {
            Change<int?>("expectedRecoveryMinutes", incident.ExpectedRecoveryMinutes, erm, v => incident.ExpectedRecoveryMinutes = v);
        }
        if (cmd.AffectedUsersEstimate is { } aue)
        {
            Change<int?>("affectedUsersEstimate", incident.AffectedUsersEstimate, aue, v => incident.AffectedUsersEstimate = v);
        }
        if (cmd.StartedAt is { } started)
        {
            Change<DateTime?>("startedAt", incident.StartedAt, started, v => incident.StartedAt = v);
        }
        if (cmd.Components is not null)
        {
            var resolved = await ResolveComponentsAsync(cmd.Components, ct);
            if (resolved.Error is not null)
            {
                return resolved.Error;
            }
            var wanted = resolved.Value!.ToDictionary(c => c.Component.Id);
            var before = incident.Components.Select(c => $"{c.Component?.Key}:{Wire(c.Impact)}").Order().ToArray();
            incident.Components.RemoveAll(c => !wanted.ContainsKey(c.ComponentId));
            foreach (var (component, impact) in wanted.Values)
            {
                var existing = incident.Components.FirstOrDefault(c => c.ComponentId == component.Id);
                if (existing is null)
                {
                    incident.Components.Add(new IncidentComponent { ComponentId = component.Id, Component = component, Impact = impact });
                }
                else
                {
                    existing.Impact = impact;
                }
            }
            var after = wanted.Values.Select(c => $"{c.Component.Key}:{Wire(c.Impact)}").Order().ToArray();
            if (!before.SequenceEqual(after))
            {
                changes["components"] = new { from = before, to = after };
            }
            incident.MainFunction = Component.IsMainCategory(incident.Category) || wanted.Values.Any(c => c.Component.MainFunction);
        }
        if (changes.Count == 0)
        {
            return incident;
        }
        var now = Now;
        Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.Updated, null, changes);
        var decision = policy.Decide(new SeverityInput(incident.ImpactScope, incident.MainFunction, incident.ExpectedRecoveryMinutes, incident.Security));
        if (incident.IsOpen && decision.Level > incident.Level)
        {
            var from = incident.Level;
            SetLevel(incident, decision.Level, decision.Rule, decision.ReasonJa, decision.ReasonEn);
            Timeline.Append(db, incident, caller.Actor, now, TimelineKinds.Level, decision.ReasonEn,
                new { from, to = decision.Level, rule = decision.Rule, reasonJa = decision.ReasonJa, reasonEn = decision.ReasonEn });
            await NotifyAsync(new IncidentChange(db, incident, IncidentChangeKind.LevelChanged, caller.Actor, now, FromLevel: from), ct);
        }
        return await SaveAsync(new IncidentChange(db, incident, IncidentChangeKind.Updated, caller.Actor, now), ct);
    }

    /// <summary>
    /// Runs a person's change and, when it lost a race with another writer — most often the system
    /// itself: a page, a reminder or a check putting an entry on the timeline — runs it again on
    /// the fresh row, checks included, as if it had arrived a moment later. Only a change that
    /// keeps losing is refused with "someone else changed this". A caller that brought its own
    /// unsaved changes (an acknowledgement saved with its transition) gets the refusal at once:
    /// the lost attempt discarded them, and only the caller can make them again.
    /// </summary>
    private async Task<OpResult<Incident>> OnFreshRowAsync(Func<Task<OpResult<Incident>>> change)
    {
        var callersOwn = db.ChangeTracker.HasChanges();
        for (var attempt = 1; ; attempt++)
        {
            var result = await change();
            if (callersOwn || attempt >= 3 || result.Error is not ConflictError { Code: "concurrency" })
            {
                return result;
            }
            db.ChangeTracker.Clear();
        }
    }

    private async Task<OpResult<Incident>> SaveAsync(IncidentChange change, CancellationToken ct)
    {
        try
        {
            await NotifyAsync(change, ct);
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Lost the race: on PostgreSQL the other writer's timeline entry may collide first
            // (unique incident/seq) before the version check does. Either way, nothing was saved.
            db.ChangeTracker.Clear();
            return new ConflictError("concurrency", Validation.Text("Conflict"));
        }
        signal.Raise(ChangeSignal.Incidents);
        return change.Incident;
    }

    private async Task NotifyAsync(IncidentChange change, CancellationToken ct)
    {
        foreach (var listener in listeners)
        {
            await listener.OnChangingAsync(change, ct);
        }
    }

    private async Task<User?> FindUserAsync(string idOrName, CancellationToken ct) =>
        Guid.TryParse(idOrName, out var id)
            ? await db.Users.FirstOrDefaultAsync(u => u.Id == id && u.Active, ct)
            : await db.Users.FirstOrDefaultAsync(u => u.UserName == idOrName.ToLowerInvariant() && u.Active, ct);

    private async Task<OpResult<List<(Component Component, ComponentImpact Impact)>>> ResolveComponentsAsync(IReadOnlyList<ComponentRef> refs, CancellationToken ct)
    {
        if (refs.Count == 0)
        {
            return new List<(Component, ComponentImpact)>();
        }
        var ids = refs.Select(r => Guid.TryParse(r.Id, out var g) ? g : (Guid?)null).Where(g => g is not null).Select(g => g!.Value).ToList();
        var keys = refs.Select(r => r.Id).ToList();
        // Tracked on purpose: the same instances the incident already references.
        var found = await db.Components.Where(c => ids.Contains(c.Id) || keys.Contains(c.Key)).ToListAsync(ct);
        var result = new List<(Component, ComponentImpact)>();
        var errors = new List<string>();
        foreach (var r in refs)
        {
            var c = Guid.TryParse(r.Id, out var gid) ? found.FirstOrDefault(x => x.Id == gid) : found.FirstOrDefault(x => x.Key == r.Id);
            if (c is null)
            {
                errors.Add(Validation.Text("UnknownId", r.Id));
            }
            else if (!result.Any(x => x.Item1.Id == c.Id))
            {
                result.Add((c, r.Impact ?? ComponentImpact.MajorOutage));
            }
        }
        return errors.Count > 0 ? new InvalidError(new() { ["componentIds"] = [.. errors] }) : result;
    }

    private static string Wire(Enum e) => WireEnumConverterFactory.WireName(e);
}
