using System.Net;
using Fukkyu.Cli;
using Fukkyu.Tests.Infrastructure;

namespace Fukkyu.Tests.PostIncident;

public sealed class AfterCliTests
{
    private static async Task<(int Code, string Out, string Err)> Run(FukkyuApp app, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var settings = new CliSettings(Path.Combine(Path.GetTempPath(), $"fukkyu-cli-{Guid.NewGuid():N}.json"), "http://localhost", FukkyuApp.AdminKey, app.Server.CreateHandler(), "en");
        var code = await FukkyuCli.RunAsync(args, output, error, settings);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [MemberData(nameof(Stores.Both), MemberType = typeof(Stores))]
    public async Task OperatorsScriptReportsActionsFilingsRegisterMetricsAndDrills(Store store)
    {
        var clock = Scripted.Clock();
        await using var app = await FukkyuApp.StartAsync(store, clock, settings: Scripted.Manual());
        var number = await Scripted.BookIncidentAsync(app, clock);

        var report = await Run(app, "report", "show", number, "--lang", "ja");
        Assert.Equal(0, report.Code);
        Assert.StartsWith($"# 障害報告書 {number}", report.Out);
        var edit = await Run(app, "report", "edit", number, "cause", "--lang", "en", "--text", "Gateway overflow.");
        Assert.Equal(0, edit.Code);
        Assert.Contains("Gateway overflow.", (await Run(app, "report", "show", number, "--lang", "en")).Out);
        var pdfToTerminal = await Run(app, "report", "show", number, "--format", "pdf");
        Assert.NotEqual(0, pdfToTerminal.Code);

        var added = await Run(app, "action", "add", "--title", "手順書の更新", "--kind", "procedure", "--owner", "admin", "--due", "2026-11-01", "--incident", number);
        Assert.Equal(0, added.Code);
        Assert.Contains("手順書の更新", (await Run(app, "action", "list", "--overdue")).Out);
        var bad = await Run(app, "action", "add", "--title", "x", "--kind", "magic", "--owner", "admin", "--due", "2026-11-01");
        Assert.Equal(1, bad.Code);
        Assert.Contains("kind", bad.Err);

        var filings = await Run(app, "filing", "list", "--pending");
        Assert.Contains("immediate", filings.Out);
        var id = filings.Out.Split('\n').First(l => l.Contains("immediate", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.Contains("障害発生等報告書（第一報）", (await Run(app, "filing", "show", id)).Out);
        var submitted = await Run(app, "filing", "submit", id, "--reference", "TEL-1", "--at", "2026-11-20 12:30");
        Assert.Equal(0, submitted.Code);
        Assert.Contains("2026-11-20 12:30", submitted.Out);

        var csv = Path.Combine(Path.GetTempPath(), $"register-{Guid.NewGuid():N}.csv");
        Assert.Equal(0, (await Run(app, "register", "export", "-o", csv, "--lang", "ja")).Code);
        var bytes = await File.ReadAllBytesAsync(csv);
        File.Delete(csv);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Contains("BTC/JPY order book stale", System.Text.Encoding.UTF8.GetString(bytes));

        var metrics = await Run(app, "metrics", "--group-by", "level");
        Assert.Contains("55 min (n=1)", metrics.Out);

        Assert.Contains("hot-wallet-outflow", (await Run(app, "drill", "scenarios")).Out);
        var drill = await Run(app, "drill", "start", "website-down", "--participant", "admin");
        Assert.Equal(0, drill.Code);
        Assert.Contains("not injected", drill.Out);
        Assert.Contains("Review", (await Run(app, "review", "due", "--days", "30")).Out, StringComparison.OrdinalIgnoreCase);
    }
}
