using System.CommandLine;
using System.Globalization;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu filing …</c>: the regulatory track and the reports to the FSA.</summary>
public static class RegulatoryCommands
{
    public static Command Build(CliContext ctx)
    {
        var filing = new Command("filing", "Regulator filings: list, show the draft, mark submitted; decide reportability.");

        var list = new Command("list", "Filings across incidents, earliest deadline first.");
        var overdue = new Option<bool>("--overdue") { Description = "Only missed deadlines" };
        var pending = new Option<bool>("--pending") { Description = "Only those still to submit" };
        list.Options.Add(overdue);
        list.Options.Add(pending);
        list.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var q = pr.GetValue(overdue) ? "?overdue=true" : pr.GetValue(pending) ? "?status=pending" : "";
            var rows = await api.GetAsync("api/v1/filings" + q, ct);
            if (ctx.PrintJson(pr, rows))
            {
                return;
            }
            Table.Write(ctx.Out, ["ID", "INCIDENT", "FILING", "DEADLINE (JST)", "STATUS"], rows.EnumerateArray().Select(f => (IReadOnlyList<string>)
                [Str(f, "id"), Str(f, "incidentNumber"), Str(f, "kind"),
                 f.GetProperty("dueAt").ValueKind == System.Text.Json.JsonValueKind.Null ? Str(f, "waitingFor") : Time(f, "dueAt"),
                 Str(f, "status") + (f.GetProperty("overdue").GetBoolean() ? " OVERDUE" : "")]));
        }));
        filing.Subcommands.Add(list);

        var track = new Command("track", "An incident's regulatory track: reportable or not, why, and its filings.");
        var trackId = new Argument<string>("incident") { Description = "Incident number or id" };
        track.Arguments.Add(trackId);
        track.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var t = await api.GetAsync($"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(trackId)!)}/regulatory", ct);
            if (ctx.PrintJson(pr, t))
            {
                return;
            }
            ctx.Out.WriteLine($"{Str(t, "number")}: {(t.GetProperty("reportable").GetBoolean() ? "REPORTABLE" : "not reportable")}{(t.GetProperty("manual").GetBoolean() ? $" (decided by {Str(t, "decidedBy")})" : "")}");
            ctx.Out.WriteLine($"  {Str(t, "reason")}");
            foreach (var f in t.GetProperty("filings").EnumerateArray())
            {
                ctx.Out.WriteLine($"  {Str(f, "kind"),-14} {Str(f, "status"),-13} {(f.GetProperty("dueAt").ValueKind == System.Text.Json.JsonValueKind.Null ? Str(f, "waitingFor") : Time(f, "dueAt"))}  {Str(f, "id")}");
            }
        }));
        filing.Subcommands.Add(track);

        var decide = new Command("decide", "Decide whether an incident is reportable (with a reason), or --automatic to use the rule again.");
        var decideId = new Argument<string>("incident") { Description = "Incident number or id" };
        var reportable = new Option<bool?>("--reportable") { Description = "true or false" };
        var reason = new Option<string?>("--reason") { Description = "Why" };
        var automatic = new Option<bool>("--automatic") { Description = "Hand the decision back to the rule" };
        decide.Arguments.Add(decideId);
        decide.Options.Add(reportable);
        decide.Options.Add(reason);
        decide.Options.Add(automatic);
        decide.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var t = await api.SendAsync(HttpMethod.Put, $"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(decideId)!)}/regulatory",
                pr.GetValue(automatic) ? new { automatic = true } : new { reportable = pr.GetValue(reportable), reason = pr.GetValue(reason) }, ct);
            if (!ctx.PrintJson(pr, t))
            {
                ctx.Out.WriteLine($"{Str(t, "number")}: {(t.GetProperty("reportable").GetBoolean() ? "reportable" : "not reportable")} — {Str(t, "reason")}");
            }
        }));
        filing.Subcommands.Add(decide);

        var show = new Command("show", "Print a filing's 障害発生等報告書 (Japanese by default) or save it.");
        var showId = new Argument<string>("id") { Description = "Filing id" };
        var doc = new DocumentOptions();
        show.Arguments.Add(showId);
        doc.AddTo(show);
        show.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            await doc.FetchAsync(ctx, pr, api, $"api/v1/filings/{Uri.EscapeDataString(pr.GetValue(showId)!)}", ct);
        }));
        filing.Subcommands.Add(show);

        var submit = new Command("submit", "Mark a filing submitted.");
        var submitId = new Argument<string>("id") { Description = "Filing id" };
        var at = new Option<string?>("--at") { Description = "When it was submitted, Japan time 'YYYY-MM-DD HH:MM' (default now)" };
        var reference = new Option<string?>("--reference") { Description = "The authority's reference or the channel used" };
        var note = new Option<string?>("--note") { Description = "Note" };
        submit.Arguments.Add(submitId);
        submit.Options.Add(at);
        submit.Options.Add(reference);
        submit.Options.Add(note);
        submit.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            DateTime? when = null;
            if (pr.GetValue(at) is { } s)
            {
                if (!DateTime.TryParseExact(s, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                {
                    throw new CliException($"Not a Japan time 'YYYY-MM-DD HH:MM': {s}");
                }
                when = TimeZoneInfo.ConvertTimeToUtc(local, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
            }
            var f = await api.PostAsync($"api/v1/filings/{Uri.EscapeDataString(pr.GetValue(submitId)!)}/submit",
                new { submittedAt = when, reference = pr.GetValue(reference), note = pr.GetValue(note) }, ct);
            if (!ctx.PrintJson(pr, f))
            {
                ctx.Out.WriteLine($"{Str(f, "incidentNumber")} {Str(f, "kind")}: submitted {Time(f, "submittedAt")} by {Str(f, "submittedBy")}.");
            }
        }));
        filing.Subcommands.Add(submit);
        return filing;
    }
}
