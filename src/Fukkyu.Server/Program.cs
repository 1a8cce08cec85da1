using Fukkyu.Server.ActionItems;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Drills;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Metrics;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.PostIncident;
using Fukkyu.Server.Register;
using Fukkyu.Server.Regulatory;
using Fukkyu.Server.Reviews;
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
