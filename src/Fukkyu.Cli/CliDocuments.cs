using System.CommandLine;
using System.Text;

namespace Fukkyu.Cli;

/// <summary>The <c>--format/--lang/--output</c> trio of every command that fetches a document.</summary>
public sealed class DocumentOptions
{
    public Option<string> Format { get; } = new("--format") { Description = "markdown, html or pdf", DefaultValueFactory = _ => "markdown" };
    public Option<string?> Lang { get; } = new("--lang") { Description = "ja or en" };
    public Option<string?> Output { get; } = new("--output", "-o") { Description = "Write to this file instead of the terminal" };

    public void AddTo(Command command)
    {
        command.Options.Add(Format);
        command.Options.Add(Lang);
        command.Options.Add(Output);
    }

    /// <summary>Fetches <paramref name="path"/> with the format and language asked for, and prints or saves it.</summary>
    public async Task FetchAsync(CliContext ctx, ParseResult pr, ApiClient api, string path, CancellationToken ct)
    {
        var sep = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var query = $"{path}{sep}format={Uri.EscapeDataString(pr.GetValue(Format)!)}";
        if (pr.GetValue(Lang) is { } lang)
        {
            query += "&lang=" + Uri.EscapeDataString(lang);
        }
        var (body, type) = await api.GetRawAsync(query, ct);
        if (pr.GetValue(Output) is { } file)
        {
            await File.WriteAllBytesAsync(file, body, ct);
            ctx.Out.WriteLine($"Wrote {body.Length:N0} bytes ({type}) to {file}");
            return;
        }
        if (type is "application/pdf")
        {
            throw new CliException("A PDF is binary: pass --output FILE.");
        }
        ctx.Out.Write(Encoding.UTF8.GetString(body).TrimStart('\uFEFF'));
    }
}
