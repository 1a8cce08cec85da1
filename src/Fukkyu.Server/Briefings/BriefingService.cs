using System.Globalization;
using System.Resources;
using System.Text;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.StatusPage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Briefings;

/// <summary>Texts of briefings (BriefingStrings.resx, BriefingStrings.ja.resx).</summary>
public sealed class BriefingStrings
{
    private static readonly ResourceManager Resources = new(typeof(BriefingStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    public static string In(string lang, string key, params object?[] args) => Texts.Format(Resources, key, lang == "en" ? "en" : "ja", args);
}

public sealed record BriefingDraft(BriefingAudience Audience, LocalizedText Subject, LocalizedText Body, int Recipients);

/// <summary>
/// The manual's 3.1: the response team, management, customer support and PR each get what they
/// need, generated from the incident (and, for support and PR, from the approved public
/// wording), edited by a person, delivered to each recipient in their language and recorded on
/// the timeline.
/// </summary>
public sealed class BriefingService(
    FukkyuDb db,
    IncidentService incidents,
    CommsTemplates templates,
    IPersonNotifier people,
    TimeProvider time,
    ChangeSignal signal,
    IOptions<StatusPageOptions> page)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Who each audience is: the incident's team, or everyone active with the audience's role.</summary>
    public async Task<List<Guid>> RecipientsAsync(Incident incident, BriefingAudience audience, CancellationToken ct)
    {
        if (audience == BriefingAudience.Team)
        {
            var team = incident.Members.Select(m => m.UserId).ToList();
            if (incident.CommanderId is { } c && !team.Contains(c))
            {
                team.Add(c);
            }
            return team;
        }
        var role = audience switch
        {
            BriefingAudience.Management => Roles.Executive,
            BriefingAudience.Support => Roles.Support,
            _ => Roles.Comms,
        };
        return await db.Users.AsNoTracking().Where(u => u.Active && u.Roles.Contains(role)).Select(u => u.Id).ToListAsync(ct);
    }

    public async Task<BriefingDraft?> DraftAsync(string incidentIdOrNumber, BriefingAudience audience, Caller caller, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(incidentIdOrNumber, caller, tracking: false, ct);
        return incident is null ? null : await DraftAsync(incident, audience, ct);
    }

    public async Task<BriefingDraft> DraftAsync(Incident incident, BriefingAudience audience, CancellationToken ct)
    {
        var notices = await db.Notices.AsNoTracking().Where(n => n.IncidentId == incident.Id).ToListAsync(ct);
        var published = notices.Where(n => n.State == NoticeState.Published).OrderByDescending(n => n.PublishedAt).FirstOrDefault();
        var pending = notices.Count(n => n.State == NoticeState.PendingApproval);
        var recipients = (await RecipientsAsync(incident, audience, ct)).Count;
        return new BriefingDraft(audience,
            new LocalizedText(Subject(incident, audience, "ja"), Subject(incident, audience, "en")),
            new LocalizedText(Body(incident, audience, published, pending, "ja"), Body(incident, audience, published, pending, "en")),
            recipients);
    }

    private static string Subject(Incident i, BriefingAudience audience, string lang) =>
        (i.Drill ? BriefingStrings.In(lang, "DrillPrefix") : "") + BriefingStrings.In(lang, "Subject", i.Number, i.Level, BriefingStrings.In(lang, "For_" + WireEnum.Name(audience)), i.Title);

    private string Body(Incident i, BriefingAudience audience, Notice? published, int pending, string lang)
    {
        string L(string key, params object?[] args) => BriefingStrings.In(lang, key, args);
        var sb = new StringBuilder();
        void Line(string key, string value) => sb.Append(L(key)).Append(": ").Append(value).Append('\n');
        var status = L("Status_" + WireEnum.Name(i.Status));
        var components = i.Components.Where(c => c.Component is not null).Select(c => c.Component!.Name(lang == "ja")).ToList();
        var componentText = components.Count == 0 ? "—" : string.Join(lang == "en" ? ", " : "、", components);
        var started = i.StartedAt ?? i.DetectedAt;
        var minutes = (int)(Now - started).TotalMinutes;
        var expected = i.ExpectedRecoveryMinutes is { } erm
            ? L("ExpectedAt", PublicText.Time(started.AddMinutes(erm), lang), erm)
            : L("ExpectedUnknown");
        if (i.Drill)
        {
            sb.Append(L("DrillNotice")).Append("\n\n");
        }
        if (i.Security)
        {
            sb.Append(L("SecurityNotice")).Append("\n\n");
        }
        switch (audience)
        {
            case BriefingAudience.Team:
                Line("Status", status);
                Line("Level", L("LevelWithReason", i.Level, lang == "en" ? i.LevelReasonEn : i.LevelReasonJa));
                Line("Commander", i.Commander?.DisplayName ?? "—");
                Line("Affected", componentText);
                Line("Since", L("SinceFor", PublicText.Time(started, lang), minutes));
                Line("NextSteps", templates.ByKey(templates.Document.NextSteps, WireEnum.Name(i.Status)).For(lang));
                break;
            case BriefingAudience.Management:
                Line("Status", status);
                Line("Level", L("LevelWithReason", i.Level, lang == "en" ? i.LevelReasonEn : i.LevelReasonJa));
                Line("Impact", L("ImpactScope", L("Scope_" + WireEnum.Name(i.ImpactScope)),
                    i.AffectedUsersEstimate?.ToString("N0", CultureInfo.InvariantCulture) ?? L("Unknown")));
                Line("Affected", componentText);
                Line("Since", L("SinceFor", PublicText.Time(started, lang), minutes));
                Line("Outlook", expected);
                Line("WorstCase", templates.ByKey(templates.Document.WorstCase, WireEnum.Name(i.Category)).For(lang));
                Line("Commander", i.Commander?.DisplayName ?? "—");
                break;
            case BriefingAudience.Support:
                sb.Append(L("TellCustomers")).Append('\n');
                sb.Append(published is null ? templates.Document.HoldingStatement.For(lang) : PublicWording(published, lang)).Append("\n\n");
                sb.Append(L("IdentityCheck")).Append('\n').Append(templates.Document.IdentityCheck.For(lang)).Append("\n\n");
                sb.Append(L("Faq")).Append('\n');
                foreach (var f in templates.Faq(i.Category))
                {
                    sb.Append("Q: ").Append(f.Q.For(lang)).Append('\n').Append("A: ").Append(f.A.For(lang)).Append('\n');
                }
                sb.Append('\n').Append(L("StatusPageLink", $"{page.Value.Base}/{lang}/"));
                break;
            case BriefingAudience.Pr:
                sb.Append(L("ApprovedWording")).Append('\n');
                sb.Append(published is null ? L("NothingPublished") : PublicWording(published, lang)).Append("\n\n");
                if (pending > 0)
                {
                    sb.Append(L("PendingApproval", pending)).Append("\n\n");
                }
                sb.Append(L("PrInstructions")).Append('\n');
                sb.Append(L("StatusPageLink", $"{page.Value.Base}/{lang}/"));
                break;
        }
        return sb.ToString().TrimEnd();
    }

    private static string PublicWording(Notice n, string lang)
    {
        var u = PublicModelLoader.ToUpdate(n);
        return $"{n.Title(lang == "ja")}\n{NoticeText.Body(u, false, lang)}";
    }

    /// <summary>Sends a briefing (the edited draft) to its audience; on the timeline with the text.</summary>
    public async Task<OpResult<Briefing>> SendAsync(string incidentIdOrNumber, BriefingAudience audience, LocalizedText? subject, LocalizedText? body,
        Caller caller, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var incident = await incidents.FindAsync(incidentIdOrNumber, caller, tracking: true, ct);
            if (incident is null)
            {
                return NotFoundError.Instance;
            }
            var draft = subject is null || body is null ? await DraftAsync(incident, audience, ct) : null;
            var now = Now;
            var b = new Briefing
            {
                IncidentId = incident.Id,
                Audience = audience,
                SubjectJa = Pick(subject?.Ja, draft?.Subject.Ja),
                SubjectEn = Pick(subject?.En, draft?.Subject.En, subject?.Ja),
                BodyJa = Pick(body?.Ja, draft?.Body.Ja),
                BodyEn = Pick(body?.En, draft?.Body.En, body?.Ja),
                SentById = caller.Actor.UserId,
                SentByName = caller.Actor.Name,
                SentAt = now,
            };
            var sent = 0;
            foreach (var userId in await RecipientsAsync(incident, audience, ct))
            {
                sent += await people.NotifyAsync(db, new PersonMessage(userId, "briefing", $"briefing:{b.Id:N}", b.SubjectJa, b.SubjectEn, b.BodyJa, b.BodyEn,
                    incident.Id, b.Id.ToString()), now, ct);
            }
            b.Recipients = sent;
            db.Briefings.Add(b);
            Timeline.Append(db, incident, caller.Actor, now, NoticeTimeline.Briefing, b.BodyJa,
                new { briefingId = b.Id, audience = WireEnum.Name(audience), recipients = sent, subjectJa = b.SubjectJa, subjectEn = b.SubjectEn });
            try
            {
                await db.SaveChangesAsync(ct);
                signal.Raise(ChangeSignal.Incidents);
                return b;
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private static string Pick(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim() ?? "";
}
