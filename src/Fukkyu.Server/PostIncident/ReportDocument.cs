using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.PostIncident;

/// <summary>The incident report as a printable document in one language.</summary>
public static class ReportDocument
{
    public static DocumentModel Build(ReportView v, string lang, DateTime now)
    {
        var i = v.Incident;
        string T(string key, params object?[] args) => PostIncidentStrings.In(lang, key, args);
        var status = T("ReportStatus_" + WireEnum.Name(v.Status));
        if (v.Report?.ApprovedAt is { } approved)
        {
            status += " — " + T("ApprovedBy", v.Report.ApprovedByName, Tokyo.Format(approved));
        }
        var facts = new List<(string, string)>
        {
            (T("F_Number"), i.Number),
            (T("F_Title"), i.Title),
            (T("F_Level"), i.Level.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (T("F_Status"), Lang.In(lang, () => IncidentStrings.T("Status_" + WireEnum.Name(i.Status)))),
            (T("F_Commander"), i.Commander?.DisplayName ?? "—"),
            (T("F_ReportStatus"), status),
        };
        if (v.Report?.SubmittedAt is { } submitted)
        {
            facts.Add((T("F_Submitted"), $"{v.Report.SubmittedByName} ({Tokyo.Format(submitted)})"));
        }
        var n = 0;
        var sections = ReportService.Keys
            .Select(k => ($"{++n}. {T("Section_" + WireEnum.Name(k))}", v.Section(k, lang).Body))
            .ToList();
        var heading = T(i.Drill ? "ReportHeadingDrill" : "ReportHeading", i.Number);
        return new DocumentModel(lang, $"{i.Number} {T("ReportTitle")}", heading, i.Title, facts, sections, DocumentRenderer.Stamp(now, lang));
    }
}
