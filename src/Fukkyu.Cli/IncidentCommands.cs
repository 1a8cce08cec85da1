using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu incident …</c></summary>
public static class IncidentCommands
{
    public static Command Build(CliContext ctx)
    {
        var incident = new Command("incident", "Declare, list, show and move incidents.");

        var declare = new Command("declare", "Declare an incident; the server assigns the level and says why.");
        var title = new Option<string>("--title") { Description = "What is failing", Required = true };
        var category = new Option<string>("--category") { Description = "trading, deposit, withdrawal, api, web, app, database, security", Required = true };
        var scope = new Option<string>("--scope") { Description = "Impact scope: some, many, all", DefaultValueFactory = _ => "some" };
        var recovery = new Option<int?>("--recovery") { Description = "Expected recovery in minutes" };
        var components = new Option<string[]>("--component") { Description = "Affected component key or id (repeatable)", AllowMultipleArgumentsPerToken = false };
        var description = new Option<string?>("--description") { Description = "What happened" };
        var reporterName = new Option<string?>("--reporter-name") { Description = "Reporter's name" };
        var reporterContact = new Option<string?>("--reporter-contact") { Description = "Reporter's contact" };
        var channel = new Option<string?>("--channel") { Description = "monitoring, support or internal" };
        var security = new Option<bool>("--security") { Description = "Suspected security breach (restricted visibility)" };
        foreach (var o in new Option[] { title, category, scope, recovery, components, description, reporterName, reporterContact, channel, security })
        {
            declare.Options.Add(o);
        }
        declare.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var body = new Dictionary<string, object?>
            {
                ["title"] = pr.GetValue(title),
                ["category"] = pr.GetValue(category),
                ["impactScope"] = pr.GetValue(scope),
                ["expectedRecoveryMinutes"] = pr.GetValue(recovery),
                ["componentIds"] = pr.GetValue(components) ?? [],
                ["description"] = pr.GetValue(description),
                ["security"] = pr.GetValue(security),
            };
            if (pr.GetValue(reporterName) is not null || pr.GetValue(reporterContact) is not null || pr.GetValue(channel) is not null)
            {
                body["reporter"] = new { name = pr.GetValue(reporterName), contact = pr.GetValue(reporterContact), channel = pr.GetValue(channel) };
            }
            var created = await api.PostAsync("api/v1/incidents", body, ct);
            if (ctx.PrintJson(pr, created))
            {
                return;
            }
            ctx.Out.WriteLine($"Declared {Str(created, "number")}: level {Num(created, "level")}");
            ctx.Out.WriteLine($"  {Str(created, "levelReason")}");
            ctx.Out.WriteLine($"  id {Str(created, "id")}");
        }));
        incident.Subcommands.Add(declare);

        var list = new Command("list", "List incidents, newest first.");
        var status = new Option<string?>("--status") { Description = "Only this status" };
        var level = new Option<int?>("--level") { Description = "Only this level" };
        var open = new Option<bool>("--open") { Description = "Only unresolved incidents" };
        list.Options.Add(status);
        list.Options.Add(level);
        list.Options.Add(open);
        list.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var query = new List<string>();
            if (pr.GetValue(status) is { } s)
            {
                query.Add("status=" + Uri.EscapeDataString(s));
            }
            if (pr.GetValue(level) is { } l)
            {
                query.Add("level=" + l.ToString(CultureInfo.InvariantCulture));
            }
            if (pr.GetValue(open))
            {
                query.Add("open=true");
            }
            var rows = await api.GetAsync("api/v1/incidents" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            if (ctx.PrintJson(pr, rows))
            {
                return;
            }
            Table.Write(ctx.Out, ["NUMBER", "LEVEL", "STATUS", "DETECTED (JST)", "TITLE"],
                rows.EnumerateArray().Select(i => (IReadOnlyList<string>)[Str(i, "number"), Num(i, "level"), Str(i, "status"), Time(i, "detectedAt"), Str(i, "title")]));
        }));
        incident.Subcommands.Add(list);

        var idArg = () => new Argument<string>("incident") { Description = "Incident number (INC-2026-0001) or id" };

        var show = new Command("show", "Show one incident.");
        var showId = idArg();
        show.Arguments.Add(showId);
        show.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var i = await api.GetAsync("api/v1/incidents/" + Uri.EscapeDataString(pr.GetValue(showId)!), ct);
            if (ctx.PrintJson(pr, i))
            {
                return;
            }
            PrintIncident(ctx.Out, i);
        }));
        incident.Subcommands.Add(show);

        var transition = new Command("transition", "Move an incident to its next status.");
        var tId = idArg();
        var tTo = new Argument<string>("to") { Description = "triaging, investigating, recovering, verifying, resolved, post_incident, closed" };
        var tNote = new Option<string?>("--note") { Description = "Note recorded with the step" };
        var tOverride = new Option<string?>("--override") { Description = "Override reason for a gate (commanders)" };
        transition.Arguments.Add(tId);
        transition.Arguments.Add(tTo);
        transition.Options.Add(tNote);
        transition.Options.Add(tOverride);
        transition.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var i = await api.PostAsync($"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(tId)!)}/transitions",
                new { to = pr.GetValue(tTo), note = pr.GetValue(tNote), overrideReason = pr.GetValue(tOverride) }, ct);
            if (!ctx.PrintJson(pr, i))
            {
                ctx.Out.WriteLine($"{Str(i, "number")} is now {Str(i, "status")}.");
            }
        }));
        incident.Subcommands.Add(transition);

        var levelCmd = new Command("level", "Change an incident's level; a reason is required.");
        var lId = idArg();
        var lLevel = new Argument<int>("level") { Description = "1, 2 or 3" };
        var lReason = new Option<string>("--reason") { Description = "Why", Required = true };
        levelCmd.Arguments.Add(lId);
        levelCmd.Arguments.Add(lLevel);
        levelCmd.Options.Add(lReason);
        levelCmd.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var i = await api.PostAsync($"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(lId)!)}/level",
                new { level = pr.GetValue(lLevel), reason = pr.GetValue(lReason) }, ct);
            if (!ctx.PrintJson(pr, i))
            {
                ctx.Out.WriteLine($"{Str(i, "number")} is now level {Num(i, "level")}.");
            }
        }));
        incident.Subcommands.Add(levelCmd);

        var note = new Command("note", "Add a note to the timeline.");
        var nId = idArg();
        var nText = new Argument<string>("text") { Description = "The note" };
        note.Arguments.Add(nId);
        note.Arguments.Add(nText);
        note.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var e = await api.PostAsync($"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(nId)!)}/notes", new { text = pr.GetValue(nText) }, ct);
            if (!ctx.PrintJson(pr, e))
            {
                ctx.Out.WriteLine($"Note added as entry {Num(e, "seq")}.");
            }
        }));
        incident.Subcommands.Add(note);

        var commander = new Command("commander", "Appoint the incident commander.");
        var cId = idArg();
        var cUser = new Argument<string>("user") { Description = "User name or id" };
        commander.Arguments.Add(cId);
        commander.Arguments.Add(cUser);
        commander.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var i = await api.PostAsync($"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(cId)!)}/commander", new { userId = pr.GetValue(cUser) }, ct);
            if (!ctx.PrintJson(pr, i))
            {
                ctx.Out.WriteLine($"{Str(i, "number")}: commander is {Str(i.GetProperty("commander"), "displayName")}.");
            }
        }));
        incident.Subcommands.Add(commander);

        var timeline = new Command("timeline", "Show an incident's timeline.");
        var tlId = idArg();
        timeline.Arguments.Add(tlId);
        timeline.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var entries = await api.GetAsync($"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(tlId)!)}/timeline", ct);
            if (ctx.PrintJson(pr, entries))
            {
                return;
            }
            Table.Write(ctx.Out, ["#", "AT (JST)", "WHO", "WHAT"], entries.EnumerateArray().Select(e => (IReadOnlyList<string>)
                [Num(e, "seq"), Time(e, "at"), Str(e.GetProperty("actor"), "name"),
                 Str(e, "summary") + (e.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.String ? ": " + OneLine(b.GetString()!) : "")]));
        }));
        incident.Subcommands.Add(timeline);
        return incident;
    }
}
