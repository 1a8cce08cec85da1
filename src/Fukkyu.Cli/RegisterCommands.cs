using System.CommandLine;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu register …</c> and <c>fukkyu metrics</c>: the failure register and the response numbers.</summary>
public static class RegisterCommands
{
    public static Command Build(CliContext ctx)
    {
        var register = new Command("register", "The failure register (システム障害記録台帳): export and trends.");
        var from = new Option<string?>("--from") { Description = "From this date (YYYY-MM-DD, Japan time)" };
        var to = new Option<string?>("--to") { Description = "To this date" };

        var export = new Command("export", "Write the register as CSV (UTF-8 with BOM, opens in Excel).");
        var output = new Option<string>("--output", "-o") { Description = "CSV file to write", Required = true };
        var lang = new Option<string?>("--lang") { Description = "Column headers and values in ja or en" };
        foreach (var o in new Option[] { output, lang, from, to })
        {
            export.Options.Add(o);
        }
        export.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var (body, _) = await api.GetRawAsync("api/v1/register?format=csv" + Query(pr, from, to) + (pr.GetValue(lang) is { } l ? "&lang=" + Uri.EscapeDataString(l) : ""), ct);
            await File.WriteAllBytesAsync(pr.GetValue(output)!, body, ct);
            ctx.Out.WriteLine($"Wrote {body.Length:N0} bytes to {pr.GetValue(output)}");
        }));
        register.Subcommands.Add(export);

        var trends = new Command("trends", "Incidents and impact minutes by month, category, component, cause class and level.");
        trends.Options.Add(from);
        trends.Options.Add(to);
        trends.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var t = await api.GetAsync("api/v1/register/trends?" + Query(pr, from, to).TrimStart('&'), ct);
            if (ctx.PrintJson(pr, t))
            {
                return;
            }
            foreach (var group in new[] { "byMonth", "byCategory", "byLevel", "byCauseClass", "byComponent" })
            {
                ctx.Out.WriteLine(group);
                Table.Write(ctx.Out, ["", "INCIDENTS", "IMPACT MIN"], t.GetProperty(group).EnumerateArray()
                    .Select(b => (IReadOnlyList<string>)[Str(b, "name"), Num(b, "count"), Num(b, "impactMinutes")]));
                ctx.Out.WriteLine();
            }
        }));
        register.Subcommands.Add(trends);
        return register;
    }

    public static Command BuildMetrics(CliContext ctx)
    {
        var metrics = new Command("metrics", "MTTD, MTTA and MTTR by level, category or month (drills excluded).");
        var group = new Option<string>("--group-by") { Description = "level, category or month", DefaultValueFactory = _ => "level" };
        var from = new Option<string?>("--from") { Description = "From this date (YYYY-MM-DD)" };
        var to = new Option<string?>("--to") { Description = "To this date" };
        metrics.Options.Add(group);
        metrics.Options.Add(from);
        metrics.Options.Add(to);
        metrics.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var m = await api.GetAsync($"api/v1/metrics/response?groupBy={Uri.EscapeDataString(pr.GetValue(group)!)}{Query(pr, from, to)}", ct);
            if (ctx.PrintJson(pr, m))
            {
                return;
            }
            static string Minutes(System.Text.Json.JsonElement stat) =>
                stat.GetProperty("meanSeconds").ValueKind == System.Text.Json.JsonValueKind.Null ? "—"
                    : $"{stat.GetProperty("meanSeconds").GetDouble() / 60:0.#} min (n={stat.GetProperty("count").GetInt32()})";
            Table.Write(ctx.Out, ["", "INCIDENTS", "MTTD", "MTTA", "MTTR"], m.GetProperty("groups").EnumerateArray().Prepend(m.GetProperty("total"))
                .Select(g => (IReadOnlyList<string>)[Str(g, "name"), Num(g, "incidents"), Minutes(g.GetProperty("mttd")), Minutes(g.GetProperty("mtta")), Minutes(g.GetProperty("mttr"))]));
        }));
        return metrics;
    }

    private static string Query(ParseResult pr, Option<string?> from, Option<string?> to) =>
        (pr.GetValue(from) is { } f ? "&from=" + Uri.EscapeDataString(f) : "") + (pr.GetValue(to) is { } t ? "&to=" + Uri.EscapeDataString(t) : "");
}
