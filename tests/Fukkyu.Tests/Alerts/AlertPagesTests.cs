using System.Net;
using System.Text.RegularExpressions;
using Fukkyu.Tests.Detection;
using Fukkyu.Tests.Infrastructure;
using static Fukkyu.Tests.Alerts.AlertKit;

namespace Fukkyu.Tests.Alerts;

/// <summary>What an operator does in the UI: create an integration, see its alerts and their incidents, add a rule.</summary>
public sealed partial class AlertPagesTests
{
    [Fact]
    public async Task AdminCreatesAnIntegrationInTheUiAndSeesItsAlertWithTheIncident()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var ops = await OpsSession.SignInAsync(app);

        var page = await ops.PostFormAsync("/ops/integrations", "create", new() { ["name"] = "Grafana <prod>", ["type"] = "events-v2", ["component"] = "api.private" });

        var key = KeyPattern().Match(page).Groups[1].Value;
        Assert.Matches("^[0-9a-f]{32}$", key);
        Assert.Contains("Grafana &lt;prod&gt;", page); // encoded, never raw
        Assert.Equal(HttpStatusCode.Accepted, (await EnqueueAsync(app.Anonymous(), Trigger(key, "5xx", summary: "Private API <script>alert(1)</script> errors"))).StatusCode);
        await RoutedAsync(app.Admin(), expected: 1);

        var alerts = await ops.GetAsync("/ops/alerts?status=open");
        Assert.Contains("Private API &lt;script&gt;alert(1)&lt;/script&gt; errors", alerts);
        Assert.DoesNotContain("<script>alert(1)", alerts);
        Assert.Matches(@"href=""/ops/incidents/INC-\d{4}-0001""", alerts);
        var id = Regex.Match(alerts, @"href=""/ops/alerts/([0-9a-f-]{36})""").Groups[1].Value;
        var detail = await ops.GetAsync($"/ops/alerts/{id}");
        Assert.Contains("5xx", detail);
        Assert.Contains("lagSeconds", detail);
    }

    [Fact]
    public async Task AdminAddsARoutingRuleInTheUi()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var ops = await OpsSession.SignInAsync(app);

        var page = await ops.PostFormAsync("/ops/routing-rules", "create-rule", new()
        {
            ["name"] = "Staging noise", ["position"] = "5", ["component"] = "web.site", ["minSeverity"] = "warning",
            ["labels"] = "env=staging, team=*", ["action"] = "record", ["impactScope"] = "some", ["componentImpact"] = "major_outage",
        });

        Assert.Contains("Staging noise", page);
        var rules = await app.Admin().GetJson("/api/v1/routing-rules");
        var rule = Assert.Single(rules.EnumerateArray());
        Assert.Equal("record", rule.GetProperty("action").GetString());
        Assert.Equal("warning", rule.GetProperty("minSeverity").GetString());
        Assert.Equal("*", rule.GetProperty("labels").GetProperty("team").GetString());
    }

    [Fact]
    public async Task ViewersSeeAlertsButNoAdminForms()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var viewer = await app.UserAsync("viewer");
        var ops = await OpsSession.SignInAsync(app, viewer.UserName, "password-" + viewer.UserName);

        var integrations = await ops.GetAsync("/ops/integrations");
        var rules = await ops.GetAsync("/ops/routing-rules");

        Assert.DoesNotContain("name=\"type\"", integrations);
        Assert.DoesNotContain("name=\"action\"", rules);
        Assert.Contains("<h1>", await ops.GetAsync("/ops/alerts"));
    }

    [GeneratedRegex(@"<code class=""secret"">([0-9a-f]{32})</code>")]
    private static partial Regex KeyPattern();
}
