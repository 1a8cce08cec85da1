using System.CommandLine;
using static Fukkyu.Cli.CliFormat;

namespace Fukkyu.Cli;

/// <summary><c>fukkyu user …</c> and <c>fukkyu key …</c>: people and their API keys.</summary>
public static class AccountCommands
{
    public static Command Users(CliContext ctx)
    {
        var user = new Command("user", "People who use Fukkyu (admins).");

        var list = new Command("list", "List users.");
        list.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var rows = await api.GetAsync("api/v1/users", ct);
            if (!ctx.PrintJson(pr, rows))
            {
                Table.Write(ctx.Out, ["USER", "NAME", "ROLES", "EMAIL", "ACTIVE"], rows.EnumerateArray().Select(u => (IReadOnlyList<string>)
                    [Str(u, "userName"), Str(u, "displayName"), string.Join(",", u.GetProperty("roles").EnumerateArray().Select(r => r.GetString())), Str(u, "email"), Str(u, "active")]));
            }
        }));
        user.Subcommands.Add(list);

        var add = new Command("add", "Add a user.");
        var name = new Argument<string>("user-name") { Description = "Sign-in name" };
        var display = new Option<string>("--name") { Description = "Display name", Required = true };
        var roles = new Option<string[]>("--role") { Description = "admin, commander, responder, executive, support, comms, viewer (repeatable)", Required = true };
        var email = new Option<string?>("--email") { Description = "Email address" };
        var phone = new Option<string?>("--phone") { Description = "Phone number" };
        var password = new Option<string?>("--password") { Description = "Initial UI password (at least 10 characters)" };
        var language = new Option<string?>("--language") { Description = "ja or en: language of messages to this person" };
        add.Arguments.Add(name);
        foreach (var o in new Option[] { display, roles, email, phone, password, language })
        {
            add.Options.Add(o);
        }
        add.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var created = await api.PostAsync("api/v1/users", new
            {
                userName = pr.GetValue(name),
                displayName = pr.GetValue(display),
                roles = pr.GetValue(roles),
                email = pr.GetValue(email),
                phone = pr.GetValue(phone),
                password = pr.GetValue(password),
                language = pr.GetValue(language),
            }, ct);
            if (!ctx.PrintJson(pr, created))
            {
                ctx.Out.WriteLine($"Added {Str(created, "userName")} ({Str(created, "id")}).");
            }
        }));
        user.Subcommands.Add(add);
        return user;
    }

    public static Command Keys(CliContext ctx)
    {
        var key = new Command("key", "Your API keys.");

        var list = new Command("list", "List your API keys.");
        list.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var rows = await api.GetAsync("api/v1/api-keys", ct);
            if (!ctx.PrintJson(pr, rows))
            {
                Table.Write(ctx.Out, ["ID", "NAME", "PREFIX", "CREATED (JST)", "LAST USED (JST)", "REVOKED"], rows.EnumerateArray().Select(k => (IReadOnlyList<string>)
                    [Str(k, "id"), Str(k, "name"), Str(k, "prefix"), Time(k, "createdAt"), Time(k, "lastUsedAt"), Time(k, "revokedAt")]));
            }
        }));
        key.Subcommands.Add(list);

        var create = new Command("create", "Create an API key; it is printed once.");
        var keyName = new Argument<string>("name") { Description = "What the key is for" };
        var roles = new Option<string[]>("--role") { Description = "Limit the key to these of your roles (repeatable)" };
        var days = new Option<int?>("--expires-in-days") { Description = "Days until the key expires" };
        create.Arguments.Add(keyName);
        create.Options.Add(roles);
        create.Options.Add(days);
        create.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            var created = await api.PostAsync("api/v1/api-keys", new { name = pr.GetValue(keyName), roles = pr.GetValue(roles), expiresInDays = pr.GetValue(days) }, ct);
            if (!ctx.PrintJson(pr, created))
            {
                ctx.Out.WriteLine(Str(created, "key"));
                ctx.Err.WriteLine("Store this key now: it is not kept by the server and is not shown again.");
            }
        }));
        key.Subcommands.Add(create);

        var revoke = new Command("revoke", "Revoke an API key.");
        var id = new Argument<string>("id") { Description = "Key id (from `fukkyu key list`)" };
        revoke.Arguments.Add(id);
        revoke.SetAction((pr, ct) => ctx.Run(pr, async () =>
        {
            using var api = ctx.Api(pr);
            await api.SendAsync(HttpMethod.Delete, "api/v1/api-keys/" + Uri.EscapeDataString(pr.GetValue(id)!), null, ct);
            ctx.Out.WriteLine("Revoked.");
        }));
        key.Subcommands.Add(revoke);
        return key;
    }
}
