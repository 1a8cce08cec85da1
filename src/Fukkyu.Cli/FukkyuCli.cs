using System.CommandLine;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;

namespace Fukkyu.Cli;

/// <summary>
/// <c>fukkyu</c>: the command line for operators and scripts. Tables for people, <c>--json</c>
/// for scripts; a non-zero exit with the server's message on any error.
/// </summary>
public static partial class FukkyuCli
{
    private static readonly JsonSerializerOptions Pretty = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly TimeZoneInfo TokyoZone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

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
            ctx.Out.WriteLine($"Logged in to {url} as {Str(me, "userName")} ({string.Join(", ", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()))}).");
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
            ctx.Out.WriteLine($"{Str(me, "userName")} ({Str(me, "displayName")}): {string.Join(", ", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()))}");
        }));
        root.Subcommands.Add(whoami);

        root.Subcommands.Add(IncidentCommands(ctx));
        root.Subcommands.Add(TimelineCommands(ctx));
        return root;
    }

    private static Command IncidentCommands(CliContext ctx)
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

    private static Command TimelineCommands(CliContext ctx)
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
                ctx.Out.WriteLine(JsonSerializer.Serialize(results.ToDictionary(r => r.Number, r => r.Result), Pretty));
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

    private static void PrintIncident(TextWriter o, JsonElement i)
    {
        o.WriteLine($"{Str(i, "number")}  {Str(i, "title")}");
        o.WriteLine($"  Level        {Num(i, "level")} — {Str(i, "levelReason")}");
        o.WriteLine($"  Status       {Str(i, "status")} (next: {string.Join(", ", i.GetProperty("allowedTransitions").EnumerateArray().Select(x => x.GetString()))})");
        o.WriteLine($"  Category     {Str(i, "category")}   Scope {Str(i, "impactScope")}   Expected recovery {Num(i, "expectedRecoveryMinutes")} min");
        o.WriteLine($"  Detected     {Time(i, "detectedAt")}   Resolved {Time(i, "resolvedAt")}");
        var commander = i.TryGetProperty("commander", out var c) && c.ValueKind == JsonValueKind.Object ? Str(c, "displayName") : "—";
        o.WriteLine($"  Commander    {commander}");
        var r = i.GetProperty("reporter");
        o.WriteLine($"  Reporter     {Str(r, "name")} {Str(r, "contact")} ({Str(r, "channel")})");
        var comps = i.GetProperty("components").EnumerateArray().Select(x => $"{Str(x, "key")} ({Str(x, "impact")})").ToList();
        o.WriteLine($"  Components   {(comps.Count == 0 ? "—" : string.Join(", ", comps))}");
        if (i.GetProperty("security").GetBoolean())
        {
            o.WriteLine("  Security incident (restricted)");
        }
    }

    internal static string Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ToString()
            : "—";

    private static string Num(JsonElement e, string name) => Str(e, name);

    private static string Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && DateTime.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? TimeZoneInfo.ConvertTimeFromUtc(t, TokyoZone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : "—";

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");

    internal static string PrettyJson(JsonElement e) => JsonSerializer.Serialize(e, Pretty);
}

public sealed class CliException(string message, bool quiet = false) : Exception(message)
{
    public bool Quiet { get; } = quiet;
}

internal sealed class CliContext(CliSettings settings, TextWriter output, TextWriter error)
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
