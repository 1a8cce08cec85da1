using System.CommandLine;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu report …</c>: the incident report (manual 4.1).</summary>
public static class ReportCommands
{
    public static Command Build(CliContext ctx)
    {
        var report = new Command("report", "The incident report: show, edit, review, approve, publish.");
        Argument<string> Incident() => new("incident") { Description = "Incident number (INC-2026-0001) or id" };

        var show = new Command("show", "Print the report (Markdown by default) or save it (HTML, PDF).");
        var showId = Incident();
        var doc = new DocumentOptions();
        show.Arguments.Add(showId);
        doc.AddTo(show);
        show.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var path = $"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(showId)!)}/report";
            if (pr.GetValue(ctx.JsonOption))
            {
                ctx.PrintJson(pr, await api.GetAsync(path, ct));
                return;
            }
            await doc.FetchAsync(ctx, pr, api, path, ct);
        }));
        report.Subcommands.Add(show);

        var edit = new Command("edit", "Replace one section in one language (drafts only); --revert goes back to the generated draft.");
        var editId = Incident();
        var section = new Argument<string>("section") { Description = "occurrence, summary, impact, cause, response, recovery, prevention, public_summary" };
        var lang = new Option<string>("--lang") { Description = "ja or en", Required = true };
        var text = new Option<string?>("--text") { Description = "The new text" };
        var file = new Option<string?>("--file") { Description = "Read the new text from this file" };
        var revert = new Option<bool>("--revert") { Description = "Drop the edit" };
        edit.Arguments.Add(editId);
        edit.Arguments.Add(section);
        foreach (var o in new Option[] { lang, text, file, revert })
        {
            edit.Options.Add(o);
        }
        edit.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var path = $"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(editId)!)}/report/sections/{Uri.EscapeDataString(pr.GetValue(section)!)}";
            System.Text.Json.JsonElement r;
            if (pr.GetValue(revert))
            {
                r = await api.SendAsync(HttpMethod.Delete, $"{path}?lang={Uri.EscapeDataString(pr.GetValue(lang)!)}", null, ct);
            }
            else
            {
                var body = pr.GetValue(file) is { } f ? await File.ReadAllTextAsync(f, ct) : pr.GetValue(text)
                    ?? throw new CliException("Give --text, --file or --revert.");
                r = await api.SendAsync(HttpMethod.Put, path, new { lang = pr.GetValue(lang), text = body }, ct);
            }
            if (!ctx.PrintJson(pr, r))
            {
                ctx.Out.WriteLine($"{Str(r, "number")}: report {Str(r, "status")}.");
            }
        }));
        report.Subcommands.Add(edit);

        foreach (var (name, action, help) in new[]
        {
            ("submit", "submit", "Freeze the draft and ask for review."),
            ("approve", "approve", "Approve a report in review (not your own)."),
            ("request-changes", "request-changes", "Send the report back to draft; --comment says why."),
            ("publish", "publish", "Publish the approved public summary (postmortem on the status page)."),
        })
        {
            var cmd = new Command(name, help);
            var id = Incident();
            var comment = new Option<string?>("--comment") { Description = "Review comment" };
            cmd.Arguments.Add(id);
            cmd.Options.Add(comment);
            cmd.SetAction((pr, ct) => ctx.Run(pr, async () =>
            {
                using var api = ctx.Api(pr);
                var r = await api.PostAsync($"api/v1/incidents/{Uri.EscapeDataString(pr.GetValue(id)!)}/report/{action}", new { comment = pr.GetValue(comment) }, ct);
                if (!ctx.PrintJson(pr, r))
                {
                    ctx.Out.WriteLine($"{Str(r, "number")}: report {Str(r, "status")}.");
                }
            }));
            report.Subcommands.Add(cmd);
        }
        return report;
    }
}
