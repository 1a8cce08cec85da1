using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu oncall …</c>, <c>fukkyu ack</c>, <c>fukkyu page</c>.</summary>
public static class OnCallCommands
{
    public static IEnumerable<Command> Build(CliContext ctx)
    {
        var oncall = new Command("oncall", "Who is on call: now, at a time, per team and schedule.");

        var now = new Command("now", "Who is on call now (or at --at), per team.");
        var team = new Option<string?>("--team") { Description = "Only this team (key)" };
        var at = new Option<string?>("--at") { Description = "A moment, ISO 8601 (e.g. 2026-12-31T23:00+09:00)" };
        now.Options.Add(team);
        now.Options.Add(at);
        now.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var query = new List<string>();
            if (pr.GetValue(team) is { } t)
            {
                query.Add("team=" + Uri.EscapeDataString(t));
            }
            if (pr.GetValue(at) is { } a)
            {
                if (!DateTimeOffset.TryParse(a, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var moment))
                {
                    throw new CliException($"Not a date and time: {a}");
                }
                query.Add("at=" + Uri.EscapeDataString(moment.ToString("O", CultureInfo.InvariantCulture)));
            }
            var result = await api.GetAsync("api/v1/oncall" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            if (ctx.PrintJson(pr, result))
            {
                return;
            }
            var schedules = result.GetProperty("schedules").EnumerateArray().ToDictionary(s => Str(s, "key"));
            ctx.Out.WriteLine($"On call at {Time(result, "at")} JST");
            Table.Write(ctx.Out, ["TEAM", "ON CALL", "SCHEDULE", "UNTIL (JST)"], result.GetProperty("teams").EnumerateArray().Select(t =>
            {
                var people = t.GetProperty("onCall").EnumerateArray().Select(p => Str(p, "displayName")).ToList();
                var key = Str(t, "schedule");
                var until = schedules.TryGetValue(key, out var s) ? Time(s, "until") : "—";
                return (IReadOnlyList<string>)[Str(t, "name"), people.Count == 0 ? "(nobody)" : string.Join(", ", people), key, until];
            }));
            var loose = result.GetProperty("schedules").EnumerateArray().Where(s => s.GetProperty("teams").GetArrayLength() == 0).ToList();
            if (loose.Count > 0)
            {
                ctx.Out.WriteLine();
                Table.Write(ctx.Out, ["SCHEDULE", "ON CALL", "UNTIL (JST)"], loose.Select(s => (IReadOnlyList<string>)
                    [Str(s, "name"), s.TryGetProperty("person", out var p) && p.ValueKind == JsonValueKind.Object ? Str(p, "displayName") : "(nobody)", Time(s, "until")]));
            }
        }));
        oncall.Subcommands.Add(now);

        var schedule = new Command("schedule", "The final schedule: who is on call when, after layers and overrides.");
        var key = new Argument<string>("schedule") { Description = "Schedule key" };
        var days = new Option<int>("--days") { Description = "How many days ahead (1–93)", DefaultValueFactory = _ => 7 };
        schedule.Arguments.Add(key);
        schedule.Options.Add(days);
        schedule.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            var d = pr.GetValue(days);
            if (d is < 1 or > 93)
            {
                throw new CliException("--days must be 1–93.");
            }
            using var api = ctx.Api(pr);
            var from = DateTimeOffset.UtcNow;
            var segments = await api.GetAsync($"api/v1/schedules/{Uri.EscapeDataString(pr.GetValue(key)!)}/final?from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(from.AddDays(d).ToString("O", CultureInfo.InvariantCulture))}", ct);
            if (ctx.PrintJson(pr, segments))
            {
                return;
            }
            Table.Write(ctx.Out, ["FROM (JST)", "UNTIL (JST)", "ON CALL", "BY"], segments.EnumerateArray().Select(s => (IReadOnlyList<string>)
                [Time(s, "start"), Time(s, "end"), s.TryGetProperty("person", out var p) && p.ValueKind == JsonValueKind.Object ? Str(p, "displayName") : "(nobody)", Str(s, "source")]));
        }));
        oncall.Subcommands.Add(schedule);

        var ack = new Command("ack", "Acknowledge an incident's pages: stops the escalation.");
        var incident = new Argument<string>("incident") { Description = "Incident number (INC-2026-0001) or id" };
        var pageId = new Option<string?>("--page") { Description = "Only this page (id)" };
        ack.Arguments.Add(incident);
        ack.Options.Add(pageId);
        ack.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            object body = pr.GetValue(pageId) is { } p ? new { pageId = p } : new { };
            var result = await api.PostAsync($"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(incident)!)}/acknowledge", body, ct);
            if (ctx.PrintJson(pr, result))
            {
                return;
            }
            ctx.Out.WriteLine($"Acknowledged {Str(result, "incident")}: {string.Join(", ", result.GetProperty("groups").EnumerateArray().Select(g => g.GetString()))}. Status: {Str(result, "status")}.");
            if (result.GetProperty("tookCommand").GetBoolean())
            {
                ctx.Out.WriteLine("You are now the incident commander.");
            }
        }));

        var page = new Command("page", "Page more people for an incident.");
        var pIncident = new Argument<string>("incident") { Description = "Incident number or id" };
        var users = new Option<string[]>("--user") { Description = "User name or id (repeatable)" };
        var teams = new Option<string[]>("--team") { Description = "Team key (repeatable)" };
        var policy = new Option<string?>("--policy") { Description = "Escalation policy key" };
        var command = new Option<bool>("--command") { Description = "Ask them to take command" };
        page.Arguments.Add(pIncident);
        page.Options.Add(users);
        page.Options.Add(teams);
        page.Options.Add(policy);
        page.Options.Add(command);
        page.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var result = await api.PostAsync($"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(pIncident)!)}/pages", new
            {
                users = pr.GetValue(users),
                teams = pr.GetValue(teams),
                escalationPolicy = pr.GetValue(policy),
                purpose = pr.GetValue(command) ? "command" : "respond",
            }, ct);
            if (ctx.PrintJson(pr, result))
            {
                return;
            }
            var people = result.GetProperty("notifications").EnumerateArray().Select(n => $"{Str(n, "userName")} ({Str(n, "channel")})").Distinct().ToList();
            ctx.Out.WriteLine($"Paged {Str(result, "groupName")}: {(people.Count == 0 ? "nobody could be reached" : string.Join(", ", people))}.");
        }));
        return [oncall, ack, page];
    }
}
