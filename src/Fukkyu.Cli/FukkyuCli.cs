using System.CommandLine;
using System.Text.Json;

namespace Fukkyu.Cli;

/// <summary>
/// <c>fukkyu</c>: the command line for operators and scripts. Tables for people, <c>--json</c>
/// for scripts; a non-zero exit with the server's message on any error.
/// </summary>
public static class FukkyuCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CliSettings settings, CancellationToken ct = default)
    {
        var context = new CliContext(settings, output, error);
        var root = BuildRoot(context);
        var parsed = root.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, ct);
    }

    private static RootCommand BuildRoot(CliContext ctx)
    {
        var root = new RootCommand("Fukkyu (復旧): incident response for crypto-asset exchanges.");
        root.Options.Add(ctx.JsonOption);
        root.Options.Add(ctx.ServerOption);

        var login = new Command("login", "Save the server URL and API key for later commands.");
        var loginServer = new Option<string>("--url") { Description = "Server URL, e.g. http://localhost:8080", Required = true };
        var loginKey = new Option<string>("--key") { Description = "API key (fk_…)", Required = true };
        login.Options.Add(loginServer);
        login.Options.Add(loginKey);
        login.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            var url = pr.GetValue(loginServer)!;
            var key = pr.GetValue(loginKey)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                throw new CliException($"Not an http(s) URL: {url}");
            }
            using var api = ApiClient.Create(url, key, ctx.Settings.Handler, ctx.Settings.Language);
            var me = await api.GetAsync("api/v1/me", ct);
            new CliConfig(url, key).Save(ctx.Settings.ConfigPath);
            ctx.Out.WriteLine($"Logged in to {url} as {CliFormat.Str(me, "userName")} ({string.Join(", ", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()))}).");
            ctx.Out.WriteLine($"Saved to {ctx.Settings.ConfigPath}");
        }));
        root.Subcommands.Add(login);

        var whoami = new Command("whoami", "Show who the saved API key belongs to.");
        whoami.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var me = await api.GetAsync("api/v1/me", ct);
            if (ctx.PrintJson(pr, me))
            {
                return;
            }
            ctx.Out.WriteLine($"{CliFormat.Str(me, "userName")} ({CliFormat.Str(me, "displayName")}): {string.Join(", ", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()))}");
        }));
        root.Subcommands.Add(whoami);

        // One line per feature; each feature's commands live in its own file.
        root.Subcommands.Add(IncidentCommands.Build(ctx));
        root.Subcommands.Add(TimelineCommands.Build(ctx));
        root.Subcommands.Add(AccountCommands.Users(ctx));
        root.Subcommands.Add(AccountCommands.Keys(ctx));
        foreach (var c in OnCallCommands.Build(ctx))
        {
            root.Subcommands.Add(c);
        }
        root.Subcommands.Add(ControlCommands.Build(ctx));
        root.Subcommands.Add(StatusCommands.Build(ctx));
        root.Subcommands.Add(ReportCommands.Build(ctx));
        root.Subcommands.Add(ActionItemCommands.Build(ctx));
        root.Subcommands.Add(RegulatoryCommands.Build(ctx));
        root.Subcommands.Add(RegisterCommands.Build(ctx));
        root.Subcommands.Add(RegisterCommands.BuildMetrics(ctx));
        root.Subcommands.Add(DrillCommands.Build(ctx));
        root.Subcommands.Add(ReviewCommands.Build(ctx));
        return root;
    }

    internal static string PrettyJson(JsonElement e) => JsonSerializer.Serialize(e, CliFormat.Pretty);
}

public sealed class CliException(string message, bool quiet = false) : Exception(message)
{
    public bool Quiet { get; } = quiet;
}

public sealed class CliContext(CliSettings settings, TextWriter output, TextWriter error)
{
    public CliSettings Settings { get; } = settings;
    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;
    public Option<bool> JsonOption { get; } = new("--json") { Description = "Print the server's JSON", Recursive = true };
    public Option<string?> ServerOption { get; } = new("--server") { Description = "Server URL (overrides the saved login)", Recursive = true };

    public ApiClient Api(ParseResult pr)
    {
        var saved = CliConfig.Load(Settings.ConfigPath);
        var server = pr.GetValue(ServerOption) ?? Settings.Server ?? saved.Server;
        var key = Settings.ApiKey ?? saved.ApiKey;
        if (string.IsNullOrEmpty(server))
        {
            throw new CliException("Not logged in: run `fukkyu login --url URL --key KEY` or set FUKKYU_SERVER and FUKKYU_API_KEY.");
        }
        return ApiClient.Create(server, key, Settings.Handler, Settings.Language);
    }

    public bool PrintJson(ParseResult pr, JsonElement json)
    {
        if (!pr.GetValue(JsonOption))
        {
            return false;
        }
        Out.WriteLine(FukkyuCli.PrettyJson(json));
        return true;
    }

    /// <summary>Runs a command's body, turning every failure into a message and exit code 1.</summary>
    public async Task<int> Run(ParseResult pr, Func<Task> body)
    {
        try
        {
            await body();
            return 0;
        }
        catch (ApiException e)
        {
            Err.WriteLine($"error: {e.Message}");
            foreach (var (field, messages) in e.Errors)
            {
                foreach (var m in messages)
                {
                    Err.WriteLine($"  {field}: {m}");
                }
            }
            foreach (var m in e.Missing)
            {
                Err.WriteLine($"  - {m}");
            }
            return 1;
        }
        catch (CliException e)
        {
            if (!e.Quiet || !pr.GetValue(JsonOption))
            {
                Err.WriteLine($"error: {e.Message}");
            }
            return 1;
        }
        catch (HttpRequestException e)
        {
            Err.WriteLine($"error: cannot reach the server: {e.Message}");
            return 1;
        }
        catch (TaskCanceledException)
        {
            Err.WriteLine("error: the server did not answer in time.");
            return 1;
        }
    }
}
