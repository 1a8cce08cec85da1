using Fukkyu.Server.Auth;
using Fukkyu.Server.Briefings;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Maintenance;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.StatusPage;
using Fukkyu.Server.Subscribers;
using Fukkyu.Server.Ui;

var builder = WebApplication.CreateBuilder(args);

builder.AddHttpDefaults();
builder.AddData();
builder.AddBackgroundWork();
builder.AddAuth();
builder.AddApiDocs();
builder.AddUi();
builder.AddCatalog();
builder.AddIncidents();
builder.AddNotifications();
builder.AddStatusPage();
builder.AddNotices();
builder.AddMaintenance();
builder.AddSubscribers();
builder.AddBriefings();

var app = builder.Build();

// `fukkyu-server migrate`: apply migrations and exit (production PostgreSQL migrates this way).
if (args.Contains("migrate"))
{
    await app.Services.MigrateDatabaseAsync(force: true);
    return;
}
await app.Services.MigrateDatabaseAsync();
await app.Services.BootstrapAdminAsync();
await app.Services.LoadCatalogWhenEmptyAsync();

app.UseStatusPage();
app.UseHttpDefaults();
app.UseRouting();
app.UseRequestSizeGuard();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapGet("/healthz", () => TypedResults.Ok("ok")).ExcludeFromDescription();
app.MapApiDocs();
app.MapAuth();
app.MapCatalog();
app.MapIncidents();
app.MapNotifications();
app.MapStatusPage();
app.MapNotices();
app.MapMaintenance();
app.MapSubscribers();
app.MapBriefings();
app.MapUi();

app.Run();

/// <summary>Visible to the test host.</summary>
public partial class Program;
