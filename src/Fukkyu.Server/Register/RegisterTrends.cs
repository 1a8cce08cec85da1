using System.Globalization;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.PostIncident;

namespace Fukkyu.Server.Register;

public sealed record TrendBucket(string Key, string Name, int Count, double ImpactMinutes);

public sealed record TrendsDto(DateOnly? From, DateOnly? To, int Total, TrendBucket[] ByMonth, TrendBucket[] ByCategory, TrendBucket[] ByComponent,
    TrendBucket[] ByCauseClass, TrendBucket[] ByLevel);

/// <summary>The register's regular trend analysis: counts and impact time by month, category, component, cause class and level.</summary>
public static class RegisterTrends
{
    public static TrendsDto Compute(IReadOnlyList<RegisterRow> rows, DateOnly? from, DateOnly? to)
    {
        var ja = Texts.Japanese;
        TrendBucket Bucket(string key, string name, IEnumerable<RegisterRow> group)
        {
            var list = group.ToList();
            return new TrendBucket(key, name, list.Count, Math.Round(list.Sum(r => r.ImpactMinutes ?? 0), 1));
        }

        static string Month(DateTime utc) => Tokyo.FromUtc(utc).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var months = rows.GroupBy(r => Month(r.Incident.DetectedAt)).ToDictionary(g => g.Key, g => g.ToList());
        // Every month of the period is listed, quiet ones included: a trend needs its zeros.
        var first = from ?? (rows.Count > 0 ? DateOnly.FromDateTime(Tokyo.FromUtc(rows.Min(r => r.Incident.DetectedAt))) : null);
        var last = to ?? (rows.Count > 0 ? DateOnly.FromDateTime(Tokyo.FromUtc(rows.Max(r => r.Incident.DetectedAt))) : null);
        var byMonth = new List<TrendBucket>();
        if (first is { } f && last is { } l)
        {
            for (var m = new DateOnly(f.Year, f.Month, 1); m <= l && byMonth.Count < 240; m = m.AddMonths(1))
            {
                var key = m.ToString("yyyy-MM", CultureInfo.InvariantCulture);
                byMonth.Add(Bucket(key, key, months.GetValueOrDefault(key) ?? []));
            }
        }
        return new TrendsDto(from, to, rows.Count, [.. byMonth],
            [.. rows.GroupBy(r => r.Incident.Category).OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
                .Select(g => Bucket(WireEnum.Name(g.Key), IncidentStrings.T("Category_" + WireEnum.Name(g.Key)), g))],
            [.. rows.SelectMany(r => r.Components.Select(c => (c.Component, Row: r))).GroupBy(x => x.Component.Key)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Bucket(g.Key, g.First().Component.Name(ja), g.Select(x => x.Row)))],
            [.. rows.GroupBy(r => r.CauseClass).OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
                .Select(g => Bucket(WireEnum.Name(g.Key), RegisterStrings.T("Cause_" + WireEnum.Name(g.Key)), g))],
            [.. Enumerable.Range(1, 3).Select(level => Bucket(level.ToString(CultureInfo.InvariantCulture),
                Lang.In(Lang.Current, () => IncidentStrings.T("LevelN", level)), rows.Where(r => r.Incident.Level == level)))]);
    }
}
