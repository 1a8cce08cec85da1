using Fukkyu.Server.Catalog;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.PostIncident;

namespace Fukkyu.Server.Regulatory;

public sealed record ReportableDecision(bool Reportable, string Rule, string ReasonJa, string ReasonEn);

/// <summary>
/// The FSA's test, not the level: reportable whenever any exchange function was delayed or
/// stopped, or a cyber threat may affect users. Every component in the catalog is an exchange
/// function (a pair, deposits or withdrawals of an asset on a network, an API, the site, the app),
/// so any affected component counts; so does an incident of a function category with no
/// component listed yet. What is left — say, a database failover that removed all real impact —
/// is not reportable until a person says otherwise.
/// </summary>
public static class ReportableRule
{
    private static readonly ComponentCategory[] FunctionCategories =
        [ComponentCategory.Trading, ComponentCategory.Deposit, ComponentCategory.Withdrawal, ComponentCategory.Api, ComponentCategory.Web, ComponentCategory.App];

    public static ReportableDecision Decide(Incident incident)
    {
        var rules = new List<string>();
        var ja = new List<string>();
        var en = new List<string>();
        if (incident.Security)
        {
            rules.Add("security");
            ja.Add(RegulatoryStrings.In(Lang.Ja, "RuleSecurity"));
            en.Add(RegulatoryStrings.In(Lang.En, "RuleSecurity"));
        }
        var components = incident.Components.Where(c => c.Component is not null).Select(c => c.Component!).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        if (components.Count > 0 || FunctionCategories.Contains(incident.Category))
        {
            rules.Add("function-affected");
            foreach (var lang in Lang.Both)
            {
                var what = components.Count > 0
                    ? string.Join(lang == Lang.Ja ? "、" : ", ", components.Take(5).Select(c => c.Name(lang == Lang.Ja)))
                      + (components.Count > 5 ? RegulatoryStrings.In(lang, "AndMore", components.Count - 5) : "")
                    : Lang.In(lang, () => IncidentStrings.T("Category_" + Infrastructure.WireEnum.Name(incident.Category)));
                (lang == Lang.Ja ? ja : en).Add(RegulatoryStrings.In(lang, "RuleFunction", what));
            }
        }
        if (rules.Count == 0)
        {
            return new ReportableDecision(false, "no-function", RegulatoryStrings.In(Lang.Ja, "RuleNone"), RegulatoryStrings.In(Lang.En, "RuleNone"));
        }
        return new ReportableDecision(true, string.Join('+', rules), string.Join("", ja), string.Join(" ", en));
    }
}
