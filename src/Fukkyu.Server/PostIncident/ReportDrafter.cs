using System.Globalization;
using System.Text;
using System.Text.Json;
using Fukkyu.Server.ActionItems;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.PostIncident;

/// <summary>Everything a draft is made from, loaded once.</summary>
public sealed record ReportSource(Incident Incident, IReadOnlyList<TimelineEntry> Timeline, IReadOnlyList<ActionItem> ActionItems)
{
    /// <summary>Computed, not stored, so a copy with a shorter timeline (a drill cut at its end) gets its own.</summary>
    public IncidentTimes Times => IncidentTimes.From(Incident, Timeline);
}

/// <summary>
/// Drafts each section of the report from the incident, its timeline and its action items, in
/// Japanese and English. Facts only: what people wrote (description, cause, notes) is quoted,
/// everything else is derived from recorded times and fields.
/// </summary>
public sealed class ReportDrafter(TimelineText timelineText)
{
    /// <summary>Timeline kinds that are bookkeeping rather than response steps.</summary>
    private static readonly HashSet<string> NotSteps = new(StringComparer.Ordinal)
    {
        TimelineKinds.MemberAdded, TimelineKinds.MemberRemoved, ReportTimeline.Kind, "regulatory", "filing",
    };

    /// <summary>Field changes worth a line in the response steps.</summary>
    private static readonly string[] StepFields = ["cause", "components", "impactScope", "expectedRecoveryMinutes"];

    public const int MaxSteps = 150;

    public string Draft(ReportSectionKey key, string lang, ReportSource s) => key switch
    {
        ReportSectionKey.Occurrence => Occurrence(lang, s),
        ReportSectionKey.Summary => Summary(lang, s),
        ReportSectionKey.Impact => Impact(lang, s),
        ReportSectionKey.Cause => Cause(lang, s),
        ReportSectionKey.Response => Response(lang, s),
        ReportSectionKey.Recovery => Recovery(lang, s),
        ReportSectionKey.Prevention => Prevention(lang, s),
        ReportSectionKey.PublicSummary => PublicSummary(lang, s),
        _ => "",
    };

    private static string T(string lang, string key, params object?[] args) => PostIncidentStrings.In(lang, key, args);

    private static string Incidents(string lang, string key) => Lang.In(lang, () => IncidentStrings.T(key));

    internal static string When(DateTime utc) => Tokyo.Format(utc);

    private static string Occurrence(string lang, ReportSource s)
    {
        var i = s.Incident;
        var sb = new StringBuilder();
        sb.AppendLine(s.Times.TimeToDetect is not null
            ? T(lang, "D_Started", When(i.StartedAt!.Value))
            : T(lang, "D_StartedUnknown", When(i.DetectedAt)));
        sb.AppendLine(T(lang, "D_Detected", When(i.DetectedAt), T(lang, "D_Channel_" + WireEnum.Name(i.Reporter.Channel))));
        var who = string.Join(" ", new[] { i.Reporter.Name, i.Reporter.Contact is { Length: > 0 } c ? $"({c})" : null }.Where(x => !string.IsNullOrWhiteSpace(x)));
        if (who.Length > 0)
        {
            sb.AppendLine(T(lang, "D_Reporter", who));
        }
        return sb.ToString().TrimEnd();
    }

    private static string Summary(string lang, ReportSource s)
    {
        var i = s.Incident;
        var sb = new StringBuilder();
        sb.AppendLine(i.Title);
        if (!string.IsNullOrWhiteSpace(i.Description))
        {
            sb.AppendLine().AppendLine(i.Description.Trim()).AppendLine();
        }
        sb.AppendLine(T(lang, "D_Category", Incidents(lang, "Category_" + WireEnum.Name(i.Category))));
        sb.AppendLine(T(lang, "D_Level", i.Level, lang == Lang.Ja ? i.LevelReasonJa : i.LevelReasonEn));
        if (i.Security)
        {
            sb.AppendLine(T(lang, "D_Security"));
        }
        return sb.ToString().TrimEnd();
    }

    private static string Impact(string lang, ReportSource s)
    {
        var i = s.Incident;
        var sb = new StringBuilder();
        sb.AppendLine(T(lang, "D_Scope", Incidents(lang, "Scope_" + WireEnum.Name(i.ImpactScope)) + (i.MainFunction ? T(lang, "D_MainFunction") : "")));
        if (i.Components.Count == 0)
        {
            sb.AppendLine(T(lang, "D_NoComponents"));
        }
        else
        {
            sb.AppendLine(T(lang, "D_Functions"));
            foreach (var c in i.Components.Where(c => c.Component is not null).OrderBy(c => c.Component!.Key, StringComparer.Ordinal))
            {
                sb.AppendLine($"- {c.Component!.Name(lang == Lang.Ja)} ({Incidents(lang, "Impact_" + WireEnum.Name(c.Impact))})");
            }
        }
        sb.AppendLine(Window(lang, s.Times));
        sb.AppendLine(i.AffectedUsersEstimate is { } users ? T(lang, "D_Users", Lang.Number(users, lang)) : T(lang, "D_UsersUnknown"));
        return sb.ToString().TrimEnd();
    }

    internal static string Window(string lang, IncidentTimes t) => T(lang, "D_Window", Span(lang, t));

    /// <summary><c>2026-11-20 12:00 JST – 2026-11-20 13:10 JST (1 h 10 min)</c>, or open-ended.</summary>
    internal static string Span(string lang, IncidentTimes t) => t.ImpactUntil is { } until
        ? T(lang, "D_Span", When(t.ImpactFrom), When(until), Lang.Duration(until - t.ImpactFrom, lang))
        : T(lang, "D_SpanOpen", When(t.ImpactFrom));

    private static string Cause(string lang, ReportSource s) =>
        string.IsNullOrWhiteSpace(s.Incident.Cause) ? T(lang, "D_CauseUnknown") : s.Incident.Cause.Trim();

    private string Response(string lang, ReportSource s)
    {
        var steps = s.Timeline.Where(IsStep).OrderBy(e => e.Seq).ToList();
        if (steps.Count == 0)
        {
            return T(lang, "D_NoSteps");
        }
        var sb = new StringBuilder();
        var multiDay = Tokyo.FromUtc(steps[0].At).Date != Tokyo.FromUtc(steps[^1].At).Date;
        foreach (var e in steps.Take(MaxSteps))
        {
            var at = Tokyo.FromUtc(e.At).ToString(multiDay ? "MM/dd HH:mm" : "HH:mm", CultureInfo.InvariantCulture);
            var what = Lang.In(lang, () => timelineText.Describe(e));
            var body = e.Body is { Length: > 0 } b && e.Kind != TimelineKinds.Declared ? " — " + FirstLine(b, 200) : "";
            sb.AppendLine($"- {at} {what}{body} ({e.ActorName})");
        }
        if (steps.Count > MaxSteps)
        {
            sb.AppendLine(T(lang, "D_MoreSteps", steps.Count - MaxSteps));
        }
        return sb.ToString().TrimEnd();
    }

    private static bool IsStep(TimelineEntry e)
    {
        if (NotSteps.Contains(e.Kind))
        {
            return false;
        }
        if (e.Kind != TimelineKinds.Updated)
        {
            return true;
        }
        try
        {
            using var doc = JsonDocument.Parse(e.Data ?? "{}");
            return doc.RootElement.ValueKind == JsonValueKind.Object && StepFields.Any(f => doc.RootElement.TryGetProperty(f, out _));
        }
        catch (JsonException)
        {
            return true;
        }
    }

    private static string FirstLine(string text, int max)
    {
        var line = text.Trim().Split('\n')[0].Trim();
        return line.Length > max ? line[..max] + "…" : line;
    }

    private static string Recovery(string lang, ReportSource s)
    {
        var t = s.Times;
        var sb = new StringBuilder();
        sb.AppendLine(T(lang, "D_Milestones", When(t.DetectedAt), Tokyo.Format(t.AcknowledgedAt), Tokyo.Format(t.RecoveryStartedAt), Tokyo.Format(t.RecoveredAt), Tokyo.Format(t.ResolvedAt)));
        sb.AppendLine(T(lang, "D_TimeToDetect", t.TimeToDetect is null ? T(lang, "D_NotKnown") : Lang.Duration(t.TimeToDetect, lang)));
        sb.AppendLine(T(lang, "D_TimeToAck", Lang.Duration(t.TimeToAcknowledge, lang)));
        sb.AppendLine(T(lang, "D_TimeToRecover", Lang.Duration(t.TimeToRecover, lang)));
        sb.AppendLine(T(lang, "D_TimeToResolve", Lang.Duration(t.TimeToResolve, lang)));
        return sb.ToString().TrimEnd();
    }

    private static string Prevention(string lang, ReportSource s)
    {
        var items = s.ActionItems.Where(a => a.Status != ActionItemStatus.Cancelled).OrderBy(a => a.DueOn).ThenBy(a => a.CreatedAt).ToList();
        if (items.Count == 0)
        {
            return T(lang, "D_NoActions");
        }
        var sb = new StringBuilder();
        foreach (var a in items)
        {
            sb.AppendLine("- " + T(lang, "D_Action", T(lang, "Kind_" + WireEnum.Name(a.Kind)), a.Title, a.Owner?.DisplayName ?? "—",
                a.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), T(lang, "ActionStatus_" + WireEnum.Name(a.Status))));
        }
        return sb.ToString().TrimEnd();
    }

    private static string PublicSummary(string lang, ReportSource s)
    {
        var i = s.Incident;
        var functions = i.Components.Where(c => c.Component is { Public: true }).Select(c => c.Component!.Name(lang == Lang.Ja)).Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.AppendLine(T(lang, "D_PublicWhat", Span(lang, s.Times), i.Title));
        if (functions.Count > 0)
        {
            sb.AppendLine(T(lang, "D_PublicAffected", string.Join(lang == Lang.Ja ? "、" : ", ", functions)));
        }
        sb.AppendLine(string.IsNullOrWhiteSpace(i.Cause) ? T(lang, "D_PublicCauseUnknown") : T(lang, "D_PublicCause", i.Cause.Trim()));
        var measures = s.ActionItems.Count(a => a.Status != ActionItemStatus.Cancelled);
        if (measures > 0)
        {
            sb.AppendLine(T(lang, "D_PublicMeasures", measures));
        }
        sb.AppendLine(T(lang, "D_PublicApology"));
        return sb.ToString().TrimEnd();
    }
}
