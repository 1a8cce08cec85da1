using Fukkyu.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.StatusPage;

public sealed record StatusPageInfo(long Version, string Hash, DateTime BuiltAt, DateTime DataUpdatedAt, int Files, DateTime? LastSuccessAt, DateTime? LastFailureAt, string? LastError);

public static class StatusPageApi
{
    public static IHostApplicationBuilder AddStatusPage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StatusPageOptions>().BindConfiguration(StatusPageOptions.Section)
            .Validate(o => Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var u) && (u.Scheme == "https" || u.Scheme == "http"), "Fukkyu:StatusPage:BaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.DefaultLanguage is "ja" or "en", "Fukkyu:StatusPage:DefaultLanguage must be ja or en.")
            .Validate(o => o.RefreshSeconds > 0 && o.HistoryDays is > 0 and <= 3650 && o.MaxIncidents > 0 && o.MaxNotices > 0, "Status page limits must be positive.")
            .ValidateOnStart();
        services.AddScoped<PublicModelLoader>();
        services.AddSingleton<PageRenderer>();
        services.AddSingleton<StatusSnapshots>();
        services.AddSingleton<IStatusSnapshotSource>(sp => sp.GetRequiredService<StatusSnapshots>());
        services.AddHostedService(sp => sp.GetRequiredService<StatusSnapshots>());
        return builder;
    }

    /// <summary>First in the pipeline: public pages are served from memory before routing and authentication.</summary>
    public static WebApplication UseStatusPage(this WebApplication app)
    {
        app.UseMiddleware<StatusPageMiddleware>();
        return app;
    }

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/status-page").WithTags("Status page");
        api.MapGet("/", Info).RequireAuthorization(Policies.Read).WithName("GetStatusPageInfo")
            .WithSummary("The snapshot in service: when it was built, and whether the last rebuild failed.");
        api.MapGet("/export", Export).RequireAuthorization(Policies.Read).WithName("ExportStatusPage")
            .WithSummary("Every public file of the current snapshot, laid out for static hosting (base64 content).");
        return app;
    }

    private static Results<Ok<StatusPageInfo>, ProblemHttpResult> Info(StatusSnapshots snapshots) =>
        snapshots.Current is { } s
            ? TypedResults.Ok(new StatusPageInfo(s.Version, s.Hash, s.BuiltAt, s.DataUpdatedAt, s.Files.Count, snapshots.LastSuccessAt, snapshots.LastFailureAt, snapshots.LastError))
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: snapshots.LastError);

    private static Results<Ok<StatusExport>, ProblemHttpResult> Export(StatusSnapshots snapshots, IOptions<StatusPageOptions> options) =>
        snapshots.Current is { } s
            ? TypedResults.Ok(StatusSnapshots.Export(s, PublicText.Lang(options.Value.DefaultLanguage)))
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: snapshots.LastError);
}
