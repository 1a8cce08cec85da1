using System.CommandLine;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu drill …</c>: director-led drills.</summary>
public static class DrillCommands
{
    public static Command Build(CliContext ctx)
    {
        var drill = new Command("drill", "Drills: scenarios, start, clear the fault, end, report.");

        var scenarios = new Command("scenarios", "The scenarios you can run.");
        scenarios.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var rows = await api.GetAsync("api/v1/drills/scenarios", ct);
            if (!ctx.PrintJson(pr, rows))
            {
                Table.Write(ctx.Out, ["KEY", "NAME", "INJECTS"], rows.EnumerateArray().Select(s => (IReadOnlyList<string>)[Str(s, "key"), Str(s, "name"), Str(s, "injects")]));
            }
        }));
        drill.Subcommands.Add(scenarios);

        var start = new Command("start", "Start a drill: a drill incident with the participants as members; the fault goes to the simulator.");
        var scenario = new Argument<string>("scenario") { Description = "Scenario key, e.g. stale-btc-jpy-book" };
        var participants = new Option<string[]>("--participant") { Description = "Participant user name (repeatable); only participants are paged" };
        var commander = new Option<string?>("--commander") { Description = "Commander of the drill incident" };
        start.Arguments.Add(scenario);
        start.Options.Add(participants);
        start.Options.Add(commander);
        start.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var d = await api.PostAsync("api/v1/drills", new { scenario = pr.GetValue(scenario), participants = pr.GetValue(participants) ?? [], commander = pr.GetValue(commander) }, ct);
            if (!ctx.PrintJson(pr, d))
            {
                ctx.Out.WriteLine($"Drill {Str(d, "id")} started: incident {Str(d, "incidentNumber")}; fault {(d.GetProperty("injectedAt").ValueKind == System.Text.Json.JsonValueKind.Null ? "not injected (" + Str(d, "injectError") + ")" : "injected")}.");
            }
        }));
        drill.Subcommands.Add(start);

        var list = new Command("list", "Drills run, newest first.");
        list.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var rows = await api.GetAsync("api/v1/drills", ct);
            if (!ctx.PrintJson(pr, rows))
            {
                Table.Write(ctx.Out, ["ID", "SCENARIO", "INCIDENT", "STARTED (JST)", "STATUS"], rows.EnumerateArray().Select(d => (IReadOnlyList<string>)
                    [Str(d, "id"), Str(d, "scenarioKey"), Str(d, "incidentNumber"), Time(d, "startedAt"), Str(d, "status")]));
            }
        }));
        drill.Subcommands.Add(list);

        var report = new Command("report", "Print the drill report (Markdown by default) or save it.");
        var reportId = new Argument<string>("id") { Description = "Drill id" };
        var doc = new DocumentOptions();
        report.Arguments.Add(reportId);
        doc.AddTo(report);
        report.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            await doc.FetchAsync(ctx, pr, api, $"api/v1/drills/{Uri.EscapeDataString(pr.GetValue(reportId)!)}", ct);
        }));
        drill.Subcommands.Add(report);

        foreach (var (name, path, help) in new[] { ("clear", "clear", "Clear the injected fault (the drill's fix)."), ("end", "end", "End the drill; --findings records what was learnt.") })
        {
            var cmd = new Command(name, help);
            var id = new Argument<string>("id") { Description = "Drill id" };
            var findings = new Option<string?>("--findings") { Description = "What the team learnt" };
            cmd.Arguments.Add(id);
            if (name == "end")
            {
                cmd.Options.Add(findings);
            }
            cmd.SetAction((pr, ct) => ctx.Run(pr, async () =>
            {
                using var api = ctx.Api(pr);
                var d = await api.PostAsync($"api/v1/drills/{Uri.EscapeDataString(pr.GetValue(id)!)}/{path}", new { findings = pr.GetValue(findings) }, ct);
                if (ctx.PrintJson(pr, d))
                {
                    return;
                }
                Table.Write(ctx.Out, ["MILESTONE", "AT (JST)", "ELAPSED", "TARGET MIN", "MET"], d.GetProperty("milestones").EnumerateArray().Select(m => (IReadOnlyList<string>)
                    [Str(m, "name"), Time(m, "at"), m.GetProperty("elapsedSeconds").ValueKind == System.Text.Json.JsonValueKind.Null ? "—" : $"{m.GetProperty("elapsedSeconds").GetDouble() / 60:0.#} min",
                     Str(m, "targetMinutes"), Str(m, "met")]));
            }));
            drill.Subcommands.Add(cmd);
        }
        return drill;
    }
}
