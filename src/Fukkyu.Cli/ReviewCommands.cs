using System.CommandLine;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu review …</c>: what is due for review (manual 4.3), and marking documents reviewed.</summary>
public static class ReviewCommands
{
    public static Command Build(CliContext ctx)
    {
        var review = new Command("review", "Runbooks, procedures and documents due for review.");
        var due = new Command("due", "What is due within --days (overdue included), with owners.");
        var days = new Option<int>("--days") { Description = "Look this many days ahead", DefaultValueFactory = _ => 30 };
        due.Options.Add(days);
        due.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var rows = await api.GetAsync($"api/v1/reviews?days={pr.GetValue(days)}", ct);
            if (!ctx.PrintJson(pr, rows))
            {
                Table.Write(ctx.Out, ["REVIEW BY", "KIND", "OWNER", "TITLE"], rows.EnumerateArray().Select(i => (IReadOnlyList<string>)
                    [Str(i, "reviewBy") + (i.GetProperty("overdue").GetBoolean() ? " OVERDUE" : ""), Str(i, "kind"), Str(i, "ownerName"), Str(i, "title")]));
            }
        }));
        review.Subcommands.Add(due);

        var add = new Command("add-document", "Register a document to review regularly.");
        var title = new Option<string>("--title") { Required = true, Description = "Title" };
        var owner = new Option<string>("--owner") { Required = true, Description = "Owner's user name" };
        var months = new Option<int>("--every") { Description = "Review every this many months", DefaultValueFactory = _ => 12 };
        var by = new Option<string?>("--review-by") { Description = "First review date, YYYY-MM-DD" };
        var location = new Option<string?>("--location") { Description = "URL or path of the document" };
        foreach (var o in new Option[] { title, owner, months, by, location })
        {
            add.Options.Add(o);
        }
        add.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var d = await api.PostAsync("api/v1/documents", new
            {
                title = pr.GetValue(title), owner = pr.GetValue(owner), reviewIntervalMonths = pr.GetValue(months),
                reviewBy = pr.GetValue(by) is { } b ? ActionItemCommands.ParseDate(b) : null, location = pr.GetValue(location),
            }, ct);
            if (!ctx.PrintJson(pr, d))
            {
                ctx.Out.WriteLine($"Added {Str(d, "id")}: review by {Str(d, "reviewBy")}.");
            }
        }));
        review.Subcommands.Add(add);

        var done = new Command("done", "Mark a document reviewed; the next review is one interval later.");
        var id = new Argument<string>("id") { Description = "Document id" };
        var note = new Option<string?>("--note") { Description = "What changed" };
        done.Arguments.Add(id);
        done.Options.Add(note);
        done.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var d = await api.PostAsync($"api/v1/documents/{Uri.EscapeDataString(pr.GetValue(id)!)}/reviewed", new { note = pr.GetValue(note) }, ct);
            if (!ctx.PrintJson(pr, d))
            {
                ctx.Out.WriteLine($"{Str(d, "title")}: next review by {Str(d, "reviewBy")}.");
            }
        }));
        review.Subcommands.Add(done);
        return review;
    }
}
