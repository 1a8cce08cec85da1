using System.Globalization;
using System.Text;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Regulatory;

/// <summary>
/// Drafts the 障害発生等報告書 for each filing from the incident: what the authority asks for —
/// when it happened and was recognised, what failed, the impact, the cause, the response and its
/// state, the prevention measures, and when the next reports will follow. The Japanese text is
/// the one filed; the English one is a reference for staff.
/// </summary>
public sealed class FilingDrafter(ReportDrafter report, IOptions<RegulatoryOptions> options)
{
    public string Draft(RegulatoryFiling filing, RegulatoryTrack track, ReportSource s, string lang, DateTime now)
    {
        var o = options.Value;
        var i = s.Incident;
        string T(string key, params object?[] args) => RegulatoryStrings.In(lang, key, args);
        var today = Tokyo.FromUtc(now);
        var sb = new StringBuilder();
        sb.AppendLine(o.Addressee).AppendLine();
        sb.AppendLine(T("FD_Company", o.CompanyName));
        sb.AppendLine(T("FD_Date", lang == Lang.Ja ? today.ToString("yyyy年M月d日", CultureInfo.InvariantCulture) : today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        sb.AppendLine();
        sb.AppendLine(T("FD_Title", T("Kind_" + WireEnum.Name(filing.Kind)))).AppendLine();

        sb.AppendLine(T("FD_H1"));
        sb.AppendLine(T("KindText_" + WireEnum.Name(filing.Kind))).AppendLine();

        sb.AppendLine(T("FD_H2"));
        sb.AppendLine(T("FD_Subject", i.Title));
        sb.AppendLine(T("FD_Number", i.Number));
        sb.AppendLine(T("FD_CategoryLevel", Lang.In(lang, () => IncidentStrings.T("Category_" + WireEnum.Name(i.Category))), i.Level));
        if (!string.IsNullOrWhiteSpace(i.Description))
        {
            sb.AppendLine(i.Description.Trim());
        }
        if (i.Security)
        {
            sb.AppendLine(T("FD_Security"));
        }
        sb.AppendLine();

        sb.AppendLine(T("FD_H3")).AppendLine(report.Draft(ReportSectionKey.Occurrence, lang, s)).AppendLine();
        sb.AppendLine(T("FD_H4")).AppendLine(report.Draft(ReportSectionKey.Impact, lang, s)).AppendLine();
        sb.AppendLine(T("FD_H5")).AppendLine(report.Draft(ReportSectionKey.Cause, lang, s)).AppendLine();

        sb.AppendLine(T("FD_H6"));
        sb.AppendLine(T("FD_State", Lang.In(lang, () => IncidentStrings.T("Status_" + WireEnum.Name(i.Status)))));
        if (s.Times.ResolvedAt is null && i.ExpectedRecoveryMinutes is { } expected)
        {
            sb.AppendLine(T("FD_Expected", Tokyo.Format(i.DetectedAt.AddMinutes(expected))));
        }
        sb.AppendLine(report.Draft(ReportSectionKey.Recovery, lang, s));
        sb.AppendLine(T("FD_Steps"));
        sb.AppendLine(report.Draft(ReportSectionKey.Response, lang, s)).AppendLine();

        sb.AppendLine(T("FD_H7")).AppendLine(report.Draft(ReportSectionKey.Prevention, lang, s)).AppendLine();

        sb.AppendLine(T("FD_H8"));
        var next = track.Filings.Where(f => f.Id != filing.Id && f.Status == FilingStatus.Pending && f.Kind > filing.Kind).OrderBy(f => f.Kind).ToList();
        if (next.Count == 0)
        {
            sb.AppendLine(T("FD_NoMore"));
        }
        foreach (var f in next)
        {
            sb.AppendLine(f.DueAt is { } due
                ? T("FD_NextDue", T("Kind_" + WireEnum.Name(f.Kind)), Tokyo.Format(due))
                : T("FD_NextWaiting", T("Kind_" + WireEnum.Name(f.Kind)), T("Trigger_" + WireEnum.Name(f.Kind))));
        }
        sb.AppendLine().AppendLine(T("FD_End"));
        return sb.ToString().TrimEnd();
    }
}
