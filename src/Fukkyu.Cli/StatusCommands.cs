using System.CommandLine;
using System.Text.Json;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu status …</c>: the public status page.</summary>
public static class StatusCommands
{
    public static Command Build(CliContext ctx)
    {
        var status = new Command("status", "The public status page.");

        var export = new Command("export", "Write the public page, its JSON and its feeds as static files (for a CDN or object storage).");
        var dir = new Argument<string>("dir") { Description = "Target directory (created if missing; files are overwritten)" };
        export.Arguments.Add(dir);
        export.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var snapshot = await api.GetAsync("api/v1/status-page/export", ct);
            var root = Path.GetFullPath(pr.GetValue(dir)!);
            var written = 0;
            foreach (var f in snapshot.GetProperty("files").EnumerateArray())
            {
                var relative = Str(f, "file");
                var target = Path.GetFullPath(Path.Combine(root, relative));
                // The server names the files; never let a name leave the target directory.
                if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new CliException($"Refusing to write outside {root}: {relative}");
                }
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await File.WriteAllBytesAsync(target, Convert.FromBase64String(Str(f, "content")), ct);
                written++;
            }
            if (ctx.PrintJson(pr, JsonSerializer.SerializeToElement(new { dir = root, files = written, hash = Str(snapshot, "hash"), builtAt = Str(snapshot, "builtAt") })))
            {
                return;
            }
            ctx.Out.WriteLine($"Wrote {written} files to {root} (snapshot {Str(snapshot, "hash")}, built {Time(snapshot, "builtAt")} JST).");
        }));
        status.Subcommands.Add(export);

        var show = new Command("show", "When the snapshot in service was built, and whether the last rebuild failed.");
        show.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var info = await api.GetAsync("api/v1/status-page", ct);
            if (ctx.PrintJson(pr, info))
            {
                return;
            }
            ctx.Out.WriteLine($"Snapshot {Str(info, "hash")} v{Num(info, "version")}: {Num(info, "files")} files, built {Time(info, "builtAt")} JST, data of {Time(info, "dataUpdatedAt")} JST");
            if (Str(info, "lastError") is { } e && e != "—")
            {
                ctx.Out.WriteLine($"Last rebuild failed at {Time(info, "lastFailureAt")} JST: {e} (the snapshot above stays in service)");
            }
        }));
        status.Subcommands.Add(show);
        return status;
    }
}
