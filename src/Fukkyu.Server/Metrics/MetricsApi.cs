using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Register;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Metrics;

public static class MetricsApi
{
    public static IHostApplicationBuilder AddMetrics(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            .Validate(o => o.Path.StartsWith('/') && o.CacheSeconds is >= 0 and <= 300 && o.ResponseWindowDays is > 0 and <= 3660,
                "Fukkyu:Metrics: Path starts with '/', CacheSeconds 0–300, ResponseWindowDays 1–3660.")
            .ValidateOnStart();
        services.AddScoped<ResponseMetrics>();
        services.AddScoped<AvailabilityMetrics>();
        services.AddSingleton<MeterCollector>();
        services.AddSingleton<PrometheusExporter>();
        services.AddNavItem(new NavItem(75, "/ops/metrics", () => RegisterStrings.T("MetricsTitle")));
        return builder;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/metrics").WithTags("Metrics");
        api.MapGet("/response", Response).RequireAuthorization(Policies.Read).WithName("GetResponseMetrics")
            .WithSummary("MTTD, MTTA and MTTR (mean and median, seconds) by level, category or month; drills excluded.");
        api.MapGet("/availability", Availability).RequireAuthorization(Policies.Read).WithName("GetAvailability")
            .WithSummary("Availability per component over a period, from monitor history.");

        // Prometheus scrapes with an API key as bearer token (scrape_config authorization); it is
        // answered 401 like the API, never redirected to the sign-in page.
        var path = app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Path;
        // Listen from start-up, so counters count from the start and not from the first scrape.
        app.ServiceProvider.GetRequiredService<MeterCollector>();
        var scrape = new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireRole(Policies.RolesFor[Policies.Read]).Build();
        app.MapGet(path, Scrape).RequireAuthorization(scrape).ExcludeFromDescription();
        return app;
    }

    private static async Task<ContentHttpResult> Scrape(PrometheusExporter exporter, CancellationToken ct) =>
        TypedResults.Text(await exporter.ScrapeAsync(ct), PrometheusText.ContentType);

    internal static (Validation, DateOnly? From, DateOnly? To) Period(string? from, string? to)
    {
        var v = new Validation();
        var f = RegisterApi.ParseDate(v, "from", from);
        var t = RegisterApi.ParseDate(v, "to", to);
        if (f > t)
        {
            v.Add("to", RegisterStrings.T("ToBeforeFrom"));
        }
        return (v, f, t);
    }

    private static async Task<Results<Ok<ResponseMetricsDto>, ValidationProblem>> Response(
        ClaimsPrincipal user, ResponseMetrics metrics, string? from, string? to, string? groupBy, CancellationToken ct)
    {
        var (v, f, t) = Period(from, to);
        var group = MetricsGroup.Level;
        if (groupBy is not null && !WireEnum.TryParse(groupBy, out group))
        {
            v.Add("groupBy", Validation.Text("UnknownValue", groupBy.Length > 40 ? groupBy[..40] : groupBy, WireEnum.Accepted<MetricsGroup>()));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var rows = await metrics.TimingsAsync(Caller.From(user), f, t, ct);
        return TypedResults.Ok(ResponseMetrics.Compute(rows, group, f, t));
    }

    private static async Task<Results<Ok<AvailabilityDto>, ValidationProblem>> Availability(
        AvailabilityMetrics metrics, TimeProvider time, string? from, string? to, string? component, CancellationToken ct)
    {
        var (v, f, t) = Period(from, to);
        v.Text("component", component, 100);
        var today = DateOnly.FromDateTime(Tokyo.FromUtc(time.GetUtcNow().UtcDateTime));
        var end = t ?? today;
        var start = f ?? end.AddDays(-29);
        if (end.DayNumber - start.DayNumber + 1 > AvailabilityMetrics.MaxDays)
        {
            v.Add("from", RegisterStrings.T("PeriodTooLong", AvailabilityMetrics.MaxDays));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        return TypedResults.Ok(await metrics.ComputeAsync(start, end, component, ct));
    }
}
