using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Briefings;

public sealed record BriefingDto(Guid Id, Guid IncidentId, BriefingAudience Audience, LocalizedText Subject, LocalizedText Body, string SentByName,
    DateTime SentAt, int Recipients)
{
    public static BriefingDto From(Briefing b) => new(b.Id, b.IncidentId, b.Audience, new(b.SubjectJa, b.SubjectEn), new(b.BodyJa, b.BodyEn),
        b.SentByName, b.SentAt, b.Recipients);
}

public sealed record BriefingRequest(BriefingAudience? Audience, LocalizedText? Subject, LocalizedText? Body);

public static class BriefingsApi
{
    public static IHostApplicationBuilder AddBriefings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<BriefingService>();
        builder.Services.AddUiPanel<Pages.BriefingsPanel>(UiPanels.Incident, 30, Policies.Read);
        return builder;
    }

    public static IEndpointRouteBuilder MapBriefings(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/incidents/{id}/briefings").WithTags("Briefings");
        api.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListBriefings");
        api.MapGet("/{audience}/draft", Draft).RequireAuthorization(Policies.Read).WithName("DraftBriefing")
            .WithSummary("The briefing generated for an audience (team, management, support, pr) in both languages, to edit before sending.");
        api.MapPost("/", Send).RequireAuthorization(Policies.Communicate).WithName("SendBriefing")
            .WithSummary("Send a briefing to its audience (omitted texts are generated); recorded on the timeline.");
        return app;
    }

    private static async Task<Results<Ok<BriefingDto[]>, ProblemHttpResult>> List(string id, ClaimsPrincipal user, IncidentService incidents, FukkyuDb db, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(id, Caller.From(user), tracking: false, ct);
        if (incident is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var rows = await db.Briefings.AsNoTracking().Where(b => b.IncidentId == incident.Id).OrderByDescending(b => b.SentAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(BriefingDto.From).ToArray());
    }

    private static async Task<Results<Ok<BriefingDraft>, ValidationProblem, ProblemHttpResult>> Draft(
        string id, string audience, ClaimsPrincipal user, BriefingService briefings, CancellationToken ct)
    {
        if (!WireEnum.TryParse<BriefingAudience>(audience, out var a))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["audience"] = [Validation.Text("UnknownValue", audience.Length > 40 ? audience[..40] : audience, WireEnum.Accepted<BriefingAudience>())],
            });
        }
        var draft = await briefings.DraftAsync(id, a, Caller.From(user), ct);
        return draft is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(draft);
    }

    private static async Task<Results<Created<BriefingDto>, ValidationProblem, ProblemHttpResult>> Send(
        string id, BriefingRequest req, ClaimsPrincipal user, BriefingService briefings, CancellationToken ct)
    {
        var v = new Validation().Required("audience", req.Audience)
            .Text("subject.ja", req.Subject?.Ja, BriefingLimits.Subject).Text("subject.en", req.Subject?.En, BriefingLimits.Subject)
            .Text("body.ja", req.Body?.Ja, BriefingLimits.Body).Text("body.en", req.Body?.En, BriefingLimits.Body);
        if (req.Subject is not null && string.IsNullOrWhiteSpace(req.Subject.Ja))
        {
            v.Add("subject.ja", Validation.Text("Required"));
        }
        if (req.Body is not null && string.IsNullOrWhiteSpace(req.Body.Ja))
        {
            v.Add("body.ja", Validation.Text("Required"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await briefings.SendAsync(id, req.Audience!.Value, req.Subject, req.Body, Caller.From(user), ct);
        return result.Value is { } b
            ? TypedResults.Created($"/api/v1/incidents/{id}/briefings", BriefingDto.From(b))
            : AuthApi.NotFoundProblem();
    }
}
