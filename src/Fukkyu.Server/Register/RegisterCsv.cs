using System.Globalization;
using System.Text;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;

namespace Fukkyu.Server.Register;

/// <summary>
/// The register as CSV that opens in Excel as it is: UTF-8 with a byte-order mark (without it,
/// Japanese Excel reads Shift_JIS and garbles every kanji), CRLF line ends, RFC 4180 quoting, and
/// text that would start a formula neutralised with a leading apostrophe (CSV injection).
/// </summary>
public static class RegisterCsv
{
    public static readonly string[] Columns =
    [
        "number", "title", "category", "level", "status", "started", "detected", "acknowledged", "resolved", "impact_minutes",
        "components", "impact_scope", "affected_users", "cause", "cause_class", "reportable", "filings", "action_items", "report",
        "commander", "security", "remarks",
    ];

    public static byte[] Write(IEnumerable<RegisterRow> rows, string lang)
    {
        var sb = new StringBuilder();
        string T(string key, params object?[] args) => RegisterStrings.In(lang, key, args);
        string I(string key) => Lang.In(lang, () => IncidentStrings.T(key));
        string YesNo(bool? b) => b switch { true => T("Yes"), false => T("No"), null => "" };
        Line(sb, Columns.Select(c => T("Col_" + c)));
        foreach (var r in rows)
        {
            var i = r.Incident;
            Line(sb,
            [
                i.Number,
                Text(i.Title),
                I("Category_" + WireEnum.Name(i.Category)),
                i.Level.ToString(CultureInfo.InvariantCulture),
                I("Status_" + WireEnum.Name(i.Status)),
                Time(i.StartedAt),
                Time(i.DetectedAt),
                Time(i.AcknowledgedAt),
                Time(i.ResolvedAt),
                r.ImpactMinutes?.ToString("0.#", CultureInfo.InvariantCulture) ?? "",
                Text(string.Join(lang == Lang.Ja ? "、" : "; ", r.Components.Select(c => $"{c.Component.Name(lang == Lang.Ja)} ({I("Impact_" + WireEnum.Name(c.Impact))})"))),
                I("Scope_" + WireEnum.Name(i.ImpactScope)),
                i.AffectedUsersEstimate?.ToString(CultureInfo.InvariantCulture) ?? "",
                Text(i.Cause ?? ""),
                T("Cause_" + WireEnum.Name(r.CauseClass)),
                YesNo(r.Reportable),
                r.FilingsRequired == 0 ? "" : $"{r.FilingsSubmitted}/{r.FilingsRequired}",
                r.ActionItems == 0 ? "" : $"{r.ActionItemsDone}/{r.ActionItems}",
                r.ReportStatus is { } rs ? PostIncidentStrings.In(lang, "ReportStatus_" + WireEnum.Name(rs)) : "",
                Text(i.Commander?.DisplayName ?? ""),
                YesNo(i.Security),
                Text(r.Remarks ?? ""),
            ]);
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }

    /// <summary>Japan time as Excel recognises it.</summary>
    private static string Time(DateTime? utc) =>
        utc is { } t ? Tokyo.FromUtc(t).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";

    /// <summary>Text that Excel would read as a formula gets a leading apostrophe.</summary>
    internal static string Text(string s) => s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + s : s;

    private static void Line(StringBuilder sb, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var f in fields)
        {
            if (!first)
            {
                sb.Append(',');
            }
            first = false;
            if (f.IndexOfAny([',', '"', '\r', '\n']) >= 0)
            {
                sb.Append('"').Append(f.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(f);
            }
        }
        sb.Append("\r\n");
    }
}
