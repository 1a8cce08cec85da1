using System.CommandLine;
using System.Text.Json;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu control …</c>: the function-suspension board.</summary>
public static class ControlCommands
{
    private static readonly string[] Lists = ["trading", "withdrawals", "deposits", "apis"];

    public static Command Build(CliContext ctx)
    {
        var control = new Command("control", "The function-suspension board: list, suspend, resume, set, approve.");

        var list = new Command("list", "Show the board.");
        list.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var board = await api.GetAsync("api/v1/controls", ct);
            if (ctx.PrintJson(pr, board))
            {
                return;
            }
            Table.Write(ctx.Out, ["COMPONENT", "STATE", "REASON", "INCIDENT", "CHANGED (JST)"], Lists.SelectMany(l => board.GetProperty(l).EnumerateArray())
                .Select(c => (IReadOnlyList<string>)[Str(c, "component"), State(c), Str(c, "reason"), Str(c, "incident"), Time(c, "changedAt")]));
        }));
        control.Subcommands.Add(list);

        var reason = () => new Option<string>("--reason") { Description = "Why (required)", Required = true };
        var incident = () => new Option<string?>("--incident") { Description = "The incident this belongs to (INC-…)" };
        var component = () => new Argument<string>("component") { Description = "Component key, e.g. trading.btc_jpy, withdrawal.eth.ethereum, api.private" };

        var suspend = new Command("suspend", "Stop a function: halt a pair, suspend deposits or withdrawals, close an API (or --read-only).");
        var sComponent = component();
        var sReason = reason();
        var sIncident = incident();
        var readOnly = new Option<bool>("--read-only") { Description = "APIs: read-only instead of closed" };
        suspend.Arguments.Add(sComponent);
        suspend.Options.Add(sReason);
        suspend.Options.Add(sIncident);
        suspend.Options.Add(readOnly);
        suspend.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var key = pr.GetValue(sComponent)!;
            var state = await KindAsync(api, key, ct) switch
            {
                "trading" => "halt",
                "api" => pr.GetValue(readOnly) ? "read_only" : "closed",
                _ => "suspended",
            };
            await ChangeAsync(ctx, pr, api, key, new { state, reason = pr.GetValue(sReason), incident = pr.GetValue(sIncident) }, ct);
        }));
        control.Subcommands.Add(suspend);

        var resume = new Command("resume", "Resume a function (trading normal with every order type, open, API normal).");
        var rComponent = component();
        var rReason = reason();
        var rIncident = incident();
        resume.Arguments.Add(rComponent);
        resume.Options.Add(rReason);
        resume.Options.Add(rIncident);
        resume.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var key = pr.GetValue(rComponent)!;
            var kind = await KindAsync(api, key, ct);
            object body = kind switch
            {
                "trading" => new { state = "normal", flags = new { }, reason = pr.GetValue(rReason), incident = pr.GetValue(rIncident) },
                "api" => new { state = "normal", reason = pr.GetValue(rReason), incident = pr.GetValue(rIncident) },
                _ => new { state = "open", reason = pr.GetValue(rReason), incident = pr.GetValue(rIncident) },
            };
            await ChangeAsync(ctx, pr, api, key, body, ct);
        }));
        control.Subcommands.Add(resume);

        var set = new Command("set", "Set a state exactly: busy, very_busy, stopped order types, a minimum order…");
        var setComponent = component();
        var setState = new Argument<string>("state") { Description = "normal, busy, very_busy, halt · open, suspended · normal, read_only, closed" };
        var setReason = reason();
        var setIncident = incident();
        var stop = new Option<string?>("--stop") { Description = "Trading: stopped order types, comma-separated (market, buy, sell, stop, stop_limit, order, order_and_cancel)" };
        var min = new Option<string?>("--min-amount") { Description = "Trading: minimum order size" };
        set.Arguments.Add(setComponent);
        set.Arguments.Add(setState);
        set.Options.Add(setReason);
        set.Options.Add(setIncident);
        set.Options.Add(stop);
        set.Options.Add(min);
        set.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var body = new Dictionary<string, object?>
            {
                ["state"] = pr.GetValue(setState),
                ["reason"] = pr.GetValue(setReason),
                ["incident"] = pr.GetValue(setIncident),
                ["minAmount"] = pr.GetValue(min),
            };
            if (pr.GetValue(stop) is { } s)
            {
                body["flags"] = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .ToDictionary(f => "stop" + string.Concat(f.Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..])) + (f is "order" or "order_and_cancel" ? "" : "Order"), _ => (object)true);
            }
            await ChangeAsync(ctx, pr, api, pr.GetValue(setComponent)!, body, ct);
        }));
        control.Subcommands.Add(set);

        foreach (var (name, verb) in new[] { ("approve", "Approve"), ("reject", "Reject") })
        {
            var decide = new Command(name, $"{verb} a change waiting for a second person (two-person rule).");
            var id = new Argument<string>("approval") { Description = "Approval id" };
            var note = new Option<string?>("--note") { Description = "A note" };
            decide.Arguments.Add(id);
            decide.Options.Add(note);
            decide.SetAction((pr, ct) => ctx.Run(pr, async () =>
            {
                using var api = ctx.Api(pr);
                var result = await api.PostAsync($"api/v1/controls/approvals/{Uri.EscapeDataString(pr.GetValue(id)!)}/{name}", new { note = pr.GetValue(note) }, ct);
                if (!ctx.PrintJson(pr, result))
                {
                    ctx.Out.WriteLine(result.TryGetProperty("change", out var c) && c.ValueKind == JsonValueKind.Object
                        ? $"Approved: {Str(c, "component")} {Str(c, "from")} → {Str(c, "to")}."
                        : $"{verb}ed.");
                }
            }));
            control.Subcommands.Add(decide);
        }
        return control;
    }

    private static string State(JsonElement c)
    {
        var state = Str(c, "state");
        if (c.TryGetProperty("flags", out var f) && f.ValueKind == JsonValueKind.Object)
        {
            var stopped = f.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.True).Select(p => p.Name).ToList();
            if (stopped.Count > 0)
            {
                state += " (" + string.Join(", ", stopped) + ")";
            }
        }
        return state;
    }

    private static async Task<string> KindAsync(ApiClient api, string key, CancellationToken ct)
    {
        var board = await api.GetAsync("api/v1/controls", ct);
        foreach (var l in Lists)
        {
            if (board.GetProperty(l).EnumerateArray().FirstOrDefault(c => Str(c, "component") == key) is { ValueKind: JsonValueKind.Object } hit)
            {
                return Str(hit, "kind");
            }
        }
        throw new CliException($"No control for '{key}'. See `fukkyu control list`.");
    }

    private static async Task ChangeAsync(CliContext ctx, ParseResult pr, ApiClient api, string key, object body, CancellationToken ct)
    {
        var result = await api.PostAsync($"api/v1/controls/{Uri.EscapeDataString(key)}", body, ct);
        if (ctx.PrintJson(pr, result))
        {
            return;
        }
        if (result.TryGetProperty("approval", out var a) && a.ValueKind == JsonValueKind.Object && !(result.TryGetProperty("change", out var ch) && ch.ValueKind == JsonValueKind.Object))
        {
            ctx.Out.WriteLine($"Waiting for a second person's approval: {Str(a, "change")}");
            ctx.Out.WriteLine($"  approval id {Str(a, "id")} (fukkyu control approve {Str(a, "id")})");
            return;
        }
        var c = result.GetProperty("change");
        ctx.Out.WriteLine($"{Str(c, "component")}: {Str(c, "from")} → {Str(c, "to")}");
    }
}
