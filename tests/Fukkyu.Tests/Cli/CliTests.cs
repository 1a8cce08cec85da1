using System.Text.Json;
using Fukkyu.Cli;
using Fukkyu.Server.Auth;
using Fukkyu.Tests.Infrastructure;

namespace Fukkyu.Tests.Cli;

/// <summary>The <c>fukkyu</c> command line against a running test server.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fukkyu-cli-").FullName;

    private string ConfigPath => Path.Combine(_dir, "config.json");

    private sealed record Run(int Exit, string Out, string Err);

    private async Task<Run> Fukkyu(FukkyuApp app, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await FukkyuCli.RunAsync(args, output, error, new CliSettings(ConfigPath, null, null, app.Server.CreateHandler(), "en"));
        return new Run(exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task LoginSavesTheServerAndKeyReadableOnlyByTheUser()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);

        var login = await Fukkyu(app, "login", "--url", "http://localhost", "--key", FukkyuApp.AdminKey);

        Assert.Equal(0, login.Exit);
        Assert.Contains("as admin", login.Out);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));
        }
        Assert.Contains(FukkyuApp.AdminKey, await File.ReadAllTextAsync(ConfigPath));
        var whoami = await Fukkyu(app, "whoami");
        Assert.Equal(0, whoami.Exit);
        Assert.Contains("admin", whoami.Out);
    }

    [Fact]
    public async Task LoginWithAWrongKeyFailsAndSavesNothing()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);

        var login = await Fukkyu(app, "login", "--url", "http://localhost", "--key", "fk_wrong");

        Assert.Equal(1, login.Exit);
        Assert.Contains("error:", login.Err);
        Assert.False(File.Exists(ConfigPath));
    }

    [Fact]
    public async Task CommandsBeforeLoginSayHowToLogIn()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);

        var list = await Fukkyu(app, "incident", "list");

        Assert.Equal(1, list.Exit);
        Assert.Contains("fukkyu login", list.Err);
    }

    [Fact]
    public async Task AnIncidentCanBeDrivenThroughItsLifecycleFromTheCommandLine()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var commander = await app.UserAsync(Roles.Commander);
        Assert.Equal(0, (await Fukkyu(app, "login", "--url", "http://localhost", "--key", FukkyuApp.AdminKey)).Exit);

        var declared = await Fukkyu(app, "incident", "declare", "--title", "XRP 出金遅延", "--category", "withdrawal", "--scope", "some",
            "--recovery", "240", "--component", "withdrawal.xrp.xrpl", "--reporter-name", "Suzuki", "--channel", "support");
        Assert.Equal(0, declared.Exit);
        Assert.Matches(@"Declared INC-\d{4}-0001: level 3", declared.Out);
        var number = declared.Out.Split(' ', ':')[1];

        var list = await Fukkyu(app, "incident", "list");
        Assert.Contains(number, list.Out);
        Assert.Contains("XRP 出金遅延", list.Out);

        Assert.Equal(0, (await Fukkyu(app, "incident", "transition", number, "triaging", "--note", "確認中")).Exit);
        Assert.Equal(0, (await Fukkyu(app, "incident", "note", number, "Node resynced")).Exit);
        Assert.Equal(0, (await Fukkyu(app, "incident", "level", number, "2", "--reason", "Only XRP affected")).Exit);
        Assert.Equal(0, (await Fukkyu(app, "incident", "commander", number, commander.UserName)).Exit);

        var refused = await Fukkyu(app, "incident", "transition", number, "closed");
        Assert.Equal(1, refused.Exit);
        Assert.Contains("not allowed", refused.Err);

        var show = await Fukkyu(app, "incident", "show", number);
        Assert.Contains("Level        2", show.Out);
        Assert.Contains("triaging", show.Out);
        Assert.Contains("User " + commander.UserName, show.Out);

        var timeline = await Fukkyu(app, "incident", "timeline", number);
        Assert.Contains("Node resynced", timeline.Out);
        var verify = await Fukkyu(app, "timeline", "verify", number);
        Assert.Equal(0, verify.Exit);
        Assert.Contains("OK (5 entries)", verify.Out);
    }

    [Fact]
    public async Task JsonOutputIsTheServersJson()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        await Fukkyu(app, "login", "--url", "http://localhost", "--key", FukkyuApp.AdminKey);

        var declared = await Fukkyu(app, "incident", "declare", "--title", "Site down", "--category", "web", "--scope", "all", "--json");

        using var json = JsonDocument.Parse(declared.Out);
        Assert.Equal(3, json.RootElement.GetProperty("level").GetInt32());
        Assert.Equal("scope-all", json.RootElement.GetProperty("levelRule").GetString());
    }

    [Fact]
    public async Task BadInputExitsNonZeroWithTheFieldAndReason()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        await Fukkyu(app, "login", "--url", "http://localhost", "--key", FukkyuApp.AdminKey);

        var bad = await Fukkyu(app, "incident", "declare", "--title", "x", "--category", "nft");

        Assert.Equal(1, bad.Exit);
        Assert.Contains("category:", bad.Err);
        Assert.Contains("trading", bad.Err);
    }

    [Fact]
    public async Task TimelineVerifyFailsWhenTheDatabaseWasTamperedWith()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        await Fukkyu(app, "login", "--url", "http://localhost", "--key", FukkyuApp.AdminKey);
        await Fukkyu(app, "incident", "declare", "--title", "Deposits slow", "--category", "deposit");
        await Fukkyu(app, "incident", "declare", "--title", "Site slow", "--category", "web");
        await app.WithDbAsync(db => Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database,
            "UPDATE timeline_entries SET body = 'edited' WHERE seq = 1 AND incident_id = (SELECT id FROM incidents WHERE title = 'Site slow')"));

        var verify = await Fukkyu(app, "timeline", "verify", "--all");

        Assert.Equal(1, verify.Exit);
        Assert.Contains("OK", verify.Out);
        Assert.Contains("BROKEN at entry 1", verify.Out);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
