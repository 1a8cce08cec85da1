using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.OnCall;

public sealed record AckOutcome(Incident Incident, IReadOnlyList<Page> Pages, bool TookCommand);

/// <summary>
/// Acknowledging stops escalation. From the UI, the API and the CLI a person acknowledges the
/// pages they were notified in (or, if they were notified in none, every page asking people to
/// respond: "I have it"); command requests only by someone who may command, who then becomes the
/// commander. The first acknowledgement moves a detected incident to triaging (manual 2.2: confirm
/// the situation), which records when it was acknowledged.
/// </summary>
public sealed class Acknowledgements(
    FukkyuDb db,
    IncidentService incidents,
    AckLinks links,
    TimeProvider time,
    ChangeSignal signal,
    IOptions<PagingOptions> options)
{
    public async Task<OpResult<AckOutcome>> AcknowledgeAsync(string idOrNumber, Guid? pageId, Caller caller, AckVia via, CancellationToken ct)
    {
        var userId = caller.Actor.UserId;
        var mayCommand = caller.MayOverrideGates;
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var incident = await incidents.FindAsync(idOrNumber, caller, tracking: true, ct);
            if (incident is null)
            {
                return NotFoundError.Instance;
            }
            var now = time.GetUtcNow().UtcDateTime;
            var open = await db.Set<Page>().Where(p => p.IncidentId == incident.Id && p.State == PageState.Triggered).ToListAsync(ct);
            List<Page> chosen;
            if (pageId is { } pid)
            {
                if (!await db.Set<Page>().AnyAsync(p => p.Id == pid && p.IncidentId == incident.Id, ct))
                {
                    return NotFoundError.Instance;
                }
                chosen = [.. open.Where(p => p.Id == pid)];
                if (chosen is [{ Purpose: PagePurpose.Command }] && !mayCommand)
                {
                    return new ConflictError("command-role", OnCallStrings.T("AckNeedsCommandRole"));
                }
            }
            else
            {
                var mine = (await db.Set<PageNotification>().Where(n => n.IncidentId == incident.Id && n.UserId == userId)
                    .Select(n => n.PageId).Distinct().ToListAsync(ct)).ToHashSet();
                chosen = [.. open.Where(p => mine.Contains(p.Id))];
                if (chosen.Count == 0)
                {
                    chosen = [.. open.Where(p => p.Purpose == PagePurpose.Respond)];
                }
                chosen.RemoveAll(p => p.Purpose == PagePurpose.Command && !mayCommand);
            }
            if (chosen.Count == 0)
            {
                return await NothingToAcknowledgeAsync(incident, pageId, ct);
            }
            foreach (var p in chosen)
            {
                p.State = PageState.Acknowledged;
                p.AcknowledgedAt = now;
                p.AcknowledgedById = userId;
                p.AcknowledgedByName = caller.Actor.Name;
                p.AcknowledgedVia = via;
                p.EndedAt = now;
                p.NextAt = null;
            }
            Timeline.Append(db, incident, caller.Actor, now, OnCallTimeline.PageAck, null, new
            {
                via = WireEnum.Name(via),
                pages = chosen.Select(p => new { pageId = p.Id, group = p.GroupKey, groupName = p.GroupName, purpose = WireEnum.Name(p.Purpose) }).ToArray(),
            });
            var saved = true;
            if (incident.Status == IncidentStatus.Detected)
            {
                // Saves the acknowledgement with the transition, in one unit of work.
                var moved = await incidents.TransitionAsync(incident.Id.ToString(), IncidentStatus.Triaging, null, null, caller, ct);
                saved = moved.Error is null;
                if (moved.Error is not null and not ConflictError { Code: "concurrency" })
                {
                    return moved.Error;
                }
            }
            else
            {
                try
                {
                    await db.SaveChangesAsync(ct);
                    signal.Raise(ChangeSignal.Incidents);
                }
                catch (DbUpdateException)
                {
                    saved = false;
                }
            }
            if (!saved)
            {
                if (attempt < 5)
                {
                    continue;
                }
                return new ConflictError("concurrency", Validation.Text("Conflict"));
            }
            foreach (var p in chosen)
            {
                await Jobs.CancelAsync(db, PagingEngine.StepJob, $"page:{p.Id}:", ct);
                await Jobs.CancelAsync(db, PagingEngine.ContactJob, $"page:{p.Id}:", ct);
            }
            return await AfterAsync(incident, chosen, caller, ct);
        }
    }

    /// <summary>Taking a command request makes the acknowledger commander; anyone else joins the team.</summary>
    private async Task<OpResult<AckOutcome>> AfterAsync(Incident incident, List<Page> pages, Caller caller, CancellationToken ct)
    {
        var tookCommand = false;
        if (caller.Actor.UserId is not { } uid)
        {
            return new AckOutcome(incident, pages, false);
        }
        var id = incident.Id.ToString();
        if (pages.Any(p => p.Purpose == PagePurpose.Command) && incident.CommanderId is null)
        {
            db.ChangeTracker.Clear();
            var r = await incidents.SetCommanderAsync(id, uid.ToString(), caller, ct);
            tookCommand = r.Error is null;
        }
        else if (options.Value.AddAcknowledgerAsMember && incident.Members.All(m => m.UserId != uid))
        {
            db.ChangeTracker.Clear();
            await incidents.AddMemberAsync(id, uid.ToString(), MemberRole.Responder, caller, ct);
        }
        return new AckOutcome(incident, pages, tookCommand);
    }

    private async Task<OpError> NothingToAcknowledgeAsync(Incident incident, Guid? pageId, CancellationToken ct)
    {
        var last = await db.Set<Page>().AsNoTracking()
            .Where(p => p.IncidentId == incident.Id && (pageId == null || p.Id == pageId) && p.AcknowledgedAt != null)
            .OrderByDescending(p => p.AcknowledgedAt).FirstOrDefaultAsync(ct);
        return last is null
            ? new ConflictError("nothing-to-acknowledge", OnCallStrings.T("NothingToAck", incident.Number))
            : new ConflictError("already-acknowledged", OnCallStrings.T("AlreadyAcked", incident.Number, last.AcknowledgedByName, Tokyo.Format(last.AcknowledgedAt)));
    }

    /// <summary>What an acknowledgement link refers to, if it is genuine, unused and unexpired.</summary>
    public sealed record LinkInfo(AckToken Token, Page Page, Incident Incident, User User);

    public async Task<(LinkInfo? Info, string? Problem)> InspectLinkAsync(string token, CancellationToken ct)
    {
        if (await links.VerifyAsync(token, ct) is not { } id)
        {
            return (null, OnCallStrings.T("LinkInvalid"));
        }
        var row = await db.Set<AckToken>().AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        if (row is null || row.ExpiresAt <= time.GetUtcNow().UtcDateTime)
        {
            return (null, OnCallStrings.T("LinkInvalid"));
        }
        var page = await db.Set<Page>().AsNoTracking().FirstAsync(p => p.Id == row.PageId, ct);
        var incident = await db.Incidents.AsNoTracking().FirstAsync(i => i.Id == page.IncidentId, ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == row.UserId && u.Active, ct);
        if (user is null)
        {
            return (null, OnCallStrings.T("LinkInvalid"));
        }
        if (row.UsedAt is not null)
        {
            return (new LinkInfo(row, page, incident, user), OnCallStrings.T("LinkUsed", Tokyo.Format(row.UsedAt)));
        }
        return (new LinkInfo(row, page, incident, user), null);
    }

    /// <summary>Uses an acknowledgement link: it works once (an atomic update claims it), as the person it was sent to.</summary>
    public async Task<OpResult<AckOutcome>> AcknowledgeByLinkAsync(string token, CancellationToken ct)
    {
        var (info, problem) = await InspectLinkAsync(token, ct);
        if (info is null || problem is not null)
        {
            return new ConflictError("link", problem ?? OnCallStrings.T("LinkInvalid"));
        }
        var now = time.GetUtcNow().UtcDateTime;
        var claimed = await db.Set<AckToken>().Where(t => t.Id == info.Token.Id && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        if (claimed == 0)
        {
            return new ConflictError("link", OnCallStrings.T("LinkUsed", Tokyo.Format(now)));
        }
        var user = info.User;
        // Being paged for it is what lets this person see it, security incidents included.
        var caller = new Caller(new Actor(ActorKind.User, user.Id, user.DisplayName), true,
            user.Roles.Any(r => Policies.RolesFor[Policies.Command].Contains(r)));
        return await AcknowledgeAsync(info.Incident.Id.ToString(), info.Page.Id, caller, AckVia.Link, ct);
    }
}
