using System.CommandLine;
using System.Globalization;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu action …</c>: prevention measures (manual 4.2).</summary>
public static class ActionItemCommands
{
    public static Command Build(CliContext ctx)
    {
        var action = new Command("action", "Action items (prevention measures): list, add, update.");

        var list = new Command("list", "List open action items, soonest due first.");
        var overdue = new Option<bool>("--overdue") { Description = "Only overdue ones" };
        var all = new Option<bool>("--all") { Description = "Include done and cancelled" };
        var owner = new Option<string?>("--owner") { Description = "Owner's user name" };
        var incident = new Option<string?>("--incident") { Description = "Only those linked to this incident" };
        foreach (var o in new Option[] { overdue, all, owner, incident })
        {
            list.Options.Add(o);
        }
        list.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var q = new List<string>();
            if (pr.GetValue(overdue))
            {
                q.Add("overdue=true");
            }
            else if (!pr.GetValue(all))
            {
                q.Add("open=true");
            }
            if (pr.GetValue(owner) is { } o)
            {
                q.Add("owner=" + Uri.EscapeDataString(o));
            }
            if (pr.GetValue(incident) is { } i)
            {
                q.Add("incident=" + Uri.EscapeDataString(i));
            }
            var rows = await api.GetAsync("api/v1/action-items?" + string.Join('&', q), ct);
            if (ctx.PrintJson(pr, rows))
            {
                return;
            }
            Table.Write(ctx.Out, ["ID", "DUE", "STATUS", "KIND", "OWNER", "TITLE"], rows.EnumerateArray().Select(a => (IReadOnlyList<string>)
                [Str(a, "id")[..8], Str(a, "dueOn") + (a.GetProperty("overdue").GetBoolean() ? $" (+{Num(a, "daysOverdue")}d)" : ""),
                 Str(a, "status"), Str(a, "kind"), Str(a.GetProperty("owner"), "userName"), Str(a, "title")]));
        }));
        action.Subcommands.Add(list);

        var add = new Command("add", "Add an action item.");
        var title = new Option<string>("--title") { Required = true, Description = "What will be done" };
        var kind = new Option<string>("--kind") { Required = true, Description = "system_improvement, monitoring, procedure, training" };
        var addOwner = new Option<string>("--owner") { Required = true, Description = "Owner's user name" };
        var due = new Option<string>("--due") { Required = true, Description = "Due date, YYYY-MM-DD (Japan time)" };
        var incidents = new Option<string[]>("--incident") { Description = "Linked incident (repeatable)" };
        var runbooks = new Option<string[]>("--runbook") { Description = "Linked runbook key or URL (repeatable)" };
        var description = new Option<string?>("--description") { Description = "Details" };
        foreach (var o in new Option[] { title, kind, addOwner, due, incidents, runbooks, description })
        {
            add.Options.Add(o);
        }
        add.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var created = await api.PostAsync("api/v1/action-items", new
            {
                title = pr.GetValue(title), kind = pr.GetValue(kind), owner = pr.GetValue(addOwner), dueOn = ParseDate(pr.GetValue(due)!),
                incidents = pr.GetValue(incidents) ?? [], runbooks = pr.GetValue(runbooks) ?? [], description = pr.GetValue(description),
            }, ct);
            if (!ctx.PrintJson(pr, created))
            {
                ctx.Out.WriteLine($"Added {Str(created, "id")}: due {Str(created, "dueOn")}, owner {Str(created.GetProperty("owner"), "userName")}.");
            }
        }));
        action.Subcommands.Add(add);

        var update = new Command("update", "Change status, owner or due date.");
        var id = new Argument<string>("id") { Description = "Action item id" };
        var status = new Option<string?>("--status") { Description = "open, in_progress, done, cancelled" };
        var newOwner = new Option<string?>("--owner") { Description = "New owner's user name" };
        var newDue = new Option<string?>("--due") { Description = "New due date, YYYY-MM-DD" };
        var resolution = new Option<string?>("--resolution") { Description = "What was done, or why cancelled" };
        update.Arguments.Add(id);
        foreach (var o in new Option[] { status, newOwner, newDue, resolution })
        {
            update.Options.Add(o);
        }
        update.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var r = await api.PatchAsync($"api/v1/action-items/{Uri.EscapeDataString(pr.GetValue(id)!)}", new
            {
                status = pr.GetValue(status), owner = pr.GetValue(newOwner),
                dueOn = pr.GetValue(newDue) is { } d ? ParseDate(d) : (string?)null, resolution = pr.GetValue(resolution),
            }, ct);
            if (!ctx.PrintJson(pr, r))
            {
                ctx.Out.WriteLine($"{Str(r, "title")}: {Str(r, "status")}, due {Str(r, "dueOn")}.");
            }
        }));
        action.Subcommands.Add(update);
        return action;
    }

    internal static string ParseDate(string s) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : throw new CliException($"Not a date (YYYY-MM-DD): {s}");
}
