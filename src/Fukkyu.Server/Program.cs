using Fukkyu.Server.ActionItems;
using Fukkyu.Server.Alerts;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Briefings;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Controls;
using Fukkyu.Server.Data;
using Fukkyu.Server.Drills;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Maintenance;
using Fukkyu.Server.Metrics;
using Fukkyu.Server.Monitoring;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.OnCall;
using Fukkyu.Server.PostIncident;
using Fukkyu.Server.Recovery;
using Fukkyu.Server.Register;
using Fukkyu.Server.Regulatory;
using Fukkyu.Server.Reports;
using Fukkyu.Server.Reviews;
using Fukkyu.Server.Runbooks;
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
builder.AddAlerts();
builder.AddMonitoring();
builder.AddReports();
builder.AddOnCall();
builder.AddControls();
builder.AddRunbooks();
builder.AddRecovery();
builder.AddStatusPage();
builder.AddNotices();
builder.AddMaintenance();
builder.AddSubscribers();
builder.AddBriefings();
builder.AddPostIncident();
builder.AddActionItems();
builder.AddRegulatory();
builder.AddRegister();
builder.AddMetrics();
builder.AddDrills();
builder.AddReviews();

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
await app.Services.LoadMonitorsFileAsync();
await app.Services.LoadSampleRunbooksWhenEmptyAsync();

app.UseStatusPage();
app.UseHttpDefaults();
app.UseEventsV2();
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
app.MapAlerts();
app.MapMonitoring();
app.MapReports();
app.MapOnCall();
app.MapControls();
app.MapRunbooks();
app.MapRecovery();
app.MapStatusPage();
app.MapNotices();
app.MapMaintenance();
app.MapSubscribers();
app.MapBriefings();
app.MapPostIncident();
app.MapActionItems();
app.MapRegulatory();
app.MapRegister();
app.MapMetrics();
app.MapDrills();
app.MapReviews();
app.MapUi();

app.Run();

/// <summary>Visible to the test host.</summary>
public partial class Program;
