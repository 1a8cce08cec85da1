using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu timeline …</c></summary>
public static class TimelineCommands
{
    public static Command Build(CliContext ctx)
    {
        var timeline = new Command("timeline", "Timeline integrity.");
        var verify = new Command("verify", "Check an incident's hash chain (or every incident's with --all).");
        var id = new Argument<string?>("incident") { Description = "Incident number or id", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Verify every incident you can see" };
        verify.Arguments.Add(id);
        verify.Options.Add(all);
        verify.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var targets = new List<string>();
            if (pr.GetValue(all))
            {
                var rows = await api.GetAsync("api/v1/incidents?limit=500", ct);
                targets.AddRange(rows.EnumerateArray().Select(i => Str(i, "number")));
            }
            else if (pr.GetValue(id) is { } one)
            {
                targets.Add(one);
            }
            else
            {
                throw new CliException("Name an incident or pass --all.");
            }
            var broken = 0;
            var results = new List<(string Number, JsonElement Result)>();
            foreach (var t in targets)
            {
                var r = await api.GetAsync($"api/v1/incidents/{Uri.EscapeDataString(t)}/timeline/verify", ct);
                results.Add((t, r));
                if (!r.GetProperty("valid").GetBoolean())
                {
                    broken++;
                }
            }
            if (pr.GetValue(ctx.JsonOption))
            {
                ctx.Out.WriteLine(JsonSerializer.Serialize(results.ToDictionary(r => r.Number, r => r.Result), CliFormat.Pretty));
            }
            else
            {
                foreach (var (number, r) in results)
                {
                    ctx.Out.WriteLine(r.GetProperty("valid").GetBoolean()
                        ? $"{number}: OK ({Num(r, "entries")} entries)"
                        : $"{number}: BROKEN at entry {Num(r, "brokenAt")} ({Str(r, "reason")})");
                }
            }
            if (broken > 0)
            {
                throw new CliException($"{broken} timeline(s) failed verification.", quiet: true);
            }
        }));
        timeline.Subcommands.Add(verify);
        return timeline;
    }
}
