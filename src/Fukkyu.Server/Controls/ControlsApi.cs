using System.Security.Claims;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Fukkyu.Server.Controls;

public sealed record ControlDto(
    string Component, string NameJa, string NameEn, ControlKind Kind, string? Pair, string? Asset, string? Network, string? Api,
    string State, OrderFlags? Flags, bool? IsEnabled, string? MinAmount, ComponentStatus ImpliedStatus,
    string? Reason, string? Incident, DateTime? ChangedAt, string? ChangedBy)
{
    public static ControlDto From(Component c, Control k) => new(
        c.Key, c.NameJa, c.NameEn, k.Kind, c.Pair, c.Asset, c.Network,
        k.Kind == ControlKind.Api ? (c.Key.StartsWith("api.", StringComparison.Ordinal) ? c.Key[4..] : c.Key) : null,
        ControlService.StateName(k), k.Kind == ControlKind.Trading ? k.Flags : null,
        k.Kind == ControlKind.Trading ? k.Trading != TradingState.Halt : null,
        k.Kind == ControlKind.Trading ? k.MinAmount : null, ControlService.StatusOf(k),
        k.Reason, k.IncidentNumber, k.ChangedAt == default ? null : k.ChangedAt, k.ChangedByName);
}

/// <summary>The function-suspension board, as the exchange's own services read it.</summary>
/// <param name="Version">Grows with every change; equal versions mean the same board.</param>
public sealed record BoardDto(long Version, DateTime? UpdatedAt, ControlDto[] Trading, ControlDto[] Deposits, ControlDto[] Withdrawals, ControlDto[] Apis);

public sealed record OrderFlagsRequest(bool? StopOrder, bool? StopOrderAndCancel, bool? StopMarketOrder, bool? StopStopOrder,
    bool? StopStopLimitOrder, bool? StopBuyOrder, bool? StopSellOrder)
{
    public OrderFlags ToFlags() => new(StopOrder ?? false, StopOrderAndCancel ?? false, StopMarketOrder ?? false, StopStopOrder ?? false,
        StopStopLimitOrder ?? false, StopBuyOrder ?? false, StopSellOrder ?? false);
}

/// <param name="State">trading: normal, busy, very_busy, halt · deposits and withdrawals: open, suspended · APIs: normal, read_only, closed.</param>
/// <param name="Flags">Trading only: the set of stopped order types (replaces the current set).</param>
/// <param name="Incident">The incident this change belongs to (number or id), usually given.</param>
public sealed record ControlChangeRequest(string? State, OrderFlagsRequest? Flags, string? MinAmount, string? Reason, string? Incident);

public sealed record ChangeDto(long Id, Guid EventId, string Component, ControlKind Kind, DateTime At, string From, string To,
    string Reason, string? Incident, string Actor, string? ApprovedBy)
{
    public static ChangeDto Of(ControlChange c) => new(c.Id, c.EventId, c.ComponentKey, c.Kind, c.At, c.From, c.To, c.Reason, c.IncidentNumber, c.ActorName, c.ApprovedByName);
}

public sealed record ApprovalDto(Guid Id, string Component, string Change, string Reason, string? Incident, string RequestedBy, DateTime RequestedAt,
    DateTime ExpiresAt, ApprovalState State, string? DecidedBy, DateTime? DecidedAt, string? Note)
{
    public static ApprovalDto From(ControlApproval a) => new(a.Id, a.ComponentKey, a.Summary, a.Reason, a.IncidentNumber, a.RequestedByName, a.RequestedAt,
        a.ExpiresAt, a.State, a.DecidedByName, a.DecidedAt, a.DecisionNote);
}

/// <summary>Either the applied change, or — under the two-person rule — the approval it waits for.</summary>
public sealed record ChangeResultDto(ControlDto? Control, ChangeDto? Change, ApprovalDto? Approval);

public sealed record DecisionRequest(string? Note);

public sealed record ControlWebhookRequest(string? Url, string? Description);

public sealed record ControlWebhookDto(Guid Id, string Url, string? Description, bool Enabled, DateTime CreatedAt);

/// <summary>The signing secret appears in this response only.</summary>
public sealed record CreatedControlWebhookDto(ControlWebhookDto Webhook, string Secret);

public static class ControlsApi
{
    internal static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpDefaults.ConfigureJson(o);
        return o;
    }

    public static IHostApplicationBuilder AddControls(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ControlsOptions>().BindConfiguration(ControlsOptions.Section)
            .Validate(o => o.ApprovalMinutes is >= 1 and <= 24 * 60 && o.MaxWaitSeconds is >= 1 and <= 600,
                "Fukkyu:Controls: ApprovalMinutes 1–1440, MaxWaitSeconds 1–600.")
            .ValidateOnStart();
        services.AddScoped<ControlService>();
        services.AddSingleton<ControlBoard>();
        services.AddSingleton<ITimelineDescriber, ControlsTimelineDescriber>();
        services.AddNavItem(new NavItem(44, "/ops/controls", () => ControlsStrings.T("BoardTitle")));
        services.AddUiPanel<Pages.IncidentControlsPanel>(UiPanels.Incident, 30);
        return builder;
    }

    public static IEndpointRouteBuilder MapControls(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/controls").WithTags("Controls");
        api.MapGet("/", Board).RequireAuthorization(Policies.Read).WithName("GetControlBoard").Produces<BoardDto>()
            .WithSummary("The function-suspension board. Send If-None-Match with ?wait=N (seconds) to wait for a change: 304 when none came.");
        api.MapPost("/{component}", Change).RequireAuthorization(Policies.Respond).WithName("ChangeControl")
            .WithSummary("Change a control with a reason (and usually an incident). 202 when a second person must approve.");
        api.MapGet("/history", History).RequireAuthorization(Policies.Read).WithSummary("The change log, newest first.");
        api.MapGet("/approvals", Approvals).RequireAuthorization(Policies.Read).WithSummary("Changes waiting for a second person, and recent decisions.");
        api.MapPost("/approvals/{id:guid}/approve", Approve).RequireAuthorization(Policies.Command)
            .WithSummary("Approve as the second person: the change is applied now.");
        api.MapPost("/approvals/{id:guid}/reject", Reject).RequireAuthorization(Policies.Command);
        api.MapGet("/webhooks", ListWebhooks).RequireAuthorization(Policies.Admin);
        api.MapPost("/webhooks", CreateWebhook).RequireAuthorization(Policies.Admin).WithSummary("Tell an endpoint of every change (signed; secret shown once).");
        api.MapDelete("/webhooks/{id:guid}", DeleteWebhook).RequireAuthorization(Policies.Admin);
        app.MapExchange();
        return app;
    }

    /// <summary>Serves a snapshot with its ETag, or 304 when the client has it.</summary>
    internal static IResult Serve(HttpContext http, byte[] body, string etag)
    {
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "no-cache";
        if (Matches(http, etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Bytes(body, "application/json; charset=utf-8");
    }

    internal static bool Matches(HttpContext http, string etag) =>
        http.Request.Headers.IfNoneMatch.Any(h => h is not null && h.Split(',').Any(t => t.Trim() == etag || t.Trim() == "W/" + etag || t.Trim() == "*"));

    private static async Task<IResult> Board(HttpContext http, ControlBoard board, Microsoft.Extensions.Options.IOptions<ControlsOptions> options, int? wait, CancellationToken ct)
    {
        var v = new Validation().Range("wait", wait, 0, options.Value.MaxWaitSeconds);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var known = http.Request.Headers[HeaderNames.IfNoneMatch].ToString();
        BoardSnapshot s;
        try
        {
            s = wait is > 0 && known.Length > 0
                ? await board.WaitForChangeAsync(known.Replace("W/", "", StringComparison.Ordinal), TimeSpan.FromSeconds(wait.Value), x => x.ETag, ct)
                : await board.CurrentAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return TypedResults.Empty; // the client went away
        }
        return Serve(http, s.Json, s.ETag);
    }

    private static async Task<Results<Ok<ChangeResultDto>, Accepted<ChangeResultDto>, ValidationProblem, ProblemHttpResult>> Change(
        string component, ControlChangeRequest req, ClaimsPrincipal user, ControlService controls, FukkyuDb db, CancellationToken ct)
    {
        var v = new Validation().Text("state", req.State, 40).Text("minAmount", req.MinAmount, 40)
            .Text("reason", req.Reason, IncidentLimits.Reason, required: true).Text("incident", req.Incident, 100);
        if (req.State is null && req.Flags is null && req.MinAmount is null)
        {
            v.Add("state", Validation.Text("Required"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await controls.ChangeAsync(new ChangeCommand(component, req.State, req.Flags?.ToFlags(), req.MinAmount, req.Reason!, req.Incident),
            Caller.From(user), ct);
        return await ToResultAsync(result, db, ct);
    }

    private static async Task<Results<Ok<ChangeResultDto>, Accepted<ChangeResultDto>, ValidationProblem, ProblemHttpResult>> ToResultAsync(
        OpResult<ChangeOutcome> result, FukkyuDb db, CancellationToken ct)
    {
        switch (result.Error)
        {
            case null:
                var o = result.Value!;
                ControlDto? control = null;
                if (o.Control is { } k)
                {
                    var c = await db.Components.AsNoTracking().FirstAsync(x => x.Id == k.ComponentId, ct);
                    control = ControlDto.From(c, k);
                }
                var dto = new ChangeResultDto(control, o.Change is null ? null : ChangeDto.Of(o.Change), o.Pending is null ? null : ApprovalDto.From(o.Pending));
                return o.Change is null && o.Pending is { State: ApprovalState.Pending }
                    ? TypedResults.Accepted("/api/v1/controls/approvals", dto)
                    : TypedResults.Ok(dto);
            case InvalidError e:
                return TypedResults.ValidationProblem(e.Errors);
            case ConflictError c:
                return OpResults.Conflict(c);
            default:
                return AuthApi.NotFoundProblem();
        }
    }

    private static async Task<Results<Ok<ChangeDto[]>, ValidationProblem>> History(FukkyuDb db, string? component, string? incident, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 1000).Text("component", component, 100).Text("incident", incident, 100);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var q = db.Set<ControlChange>().AsNoTracking();
        if (component is not null)
        {
            q = q.Where(c => c.ComponentKey == component);
        }
        if (incident is not null)
        {
            q = Guid.TryParse(incident, out var iid) ? q.Where(c => c.IncidentId == iid) : q.Where(c => c.IncidentNumber == incident.ToUpperInvariant());
        }
        var rows = await q.OrderByDescending(c => c.Id).Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(ChangeDto.Of).ToArray());
    }

    private static async Task<Ok<ApprovalDto[]>> Approvals(FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var since = time.GetUtcNow().UtcDateTime.AddDays(-7);
        var rows = await db.Set<ControlApproval>().AsNoTracking().Where(a => a.State == ApprovalState.Pending || a.RequestedAt > since)
            .OrderByDescending(a => a.RequestedAt).Take(200).ToListAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        // Lapsed requests read as expired even before anyone touches them.
        return TypedResults.Ok(rows.Select(a =>
        {
            var d = ApprovalDto.From(a);
            return a.State == ApprovalState.Pending && a.ExpiresAt <= now ? d with { State = ApprovalState.Expired } : d;
        }).ToArray());
    }

    private static async Task<Results<Ok<ChangeResultDto>, Accepted<ChangeResultDto>, ValidationProblem, ProblemHttpResult>> Approve(
        Guid id, DecisionRequest? req, ClaimsPrincipal user, ControlService controls, FukkyuDb db, CancellationToken ct) =>
        await Decide(id, true, req, user, controls, db, ct);

    private static async Task<Results<Ok<ChangeResultDto>, Accepted<ChangeResultDto>, ValidationProblem, ProblemHttpResult>> Reject(
        Guid id, DecisionRequest? req, ClaimsPrincipal user, ControlService controls, FukkyuDb db, CancellationToken ct) =>
        await Decide(id, false, req, user, controls, db, ct);

    private static async Task<Results<Ok<ChangeResultDto>, Accepted<ChangeResultDto>, ValidationProblem, ProblemHttpResult>> Decide(
        Guid id, bool approve, DecisionRequest? req, ClaimsPrincipal user, ControlService controls, FukkyuDb db, CancellationToken ct)
    {
        var v = new Validation().Text("note", req?.Note, IncidentLimits.Reason);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        return await ToResultAsync(await controls.DecideAsync(id, approve, req?.Note, Caller.From(user), ct), db, ct);
    }

    private static async Task<Ok<ControlWebhookDto[]>> ListWebhooks(FukkyuDb db, CancellationToken ct) =>
        TypedResults.Ok((await db.Set<ControlWebhook>().AsNoTracking().OrderBy(w => w.CreatedAt).ToListAsync(ct))
            .Select(w => new ControlWebhookDto(w.Id, w.Url, w.Description, w.Enabled, w.CreatedAt)).ToArray());

    private static async Task<Results<Created<CreatedControlWebhookDto>, ValidationProblem>> CreateWebhook(
        ControlWebhookRequest req, FukkyuDb db, WebhookSecrets secrets, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation().Text("url", req.Url, 2000, required: true).Text("description", req.Description, 500);
        if (req.Url is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)))
        {
            v.Add("url", ControlsStrings.T("UrlFormat"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var secret = WebhookSecrets.NewSecret();
        var hook = new ControlWebhook { Url = req.Url!.Trim(), ProtectedSecret = secrets.Protect(secret), Description = req.Description?.Trim(), CreatedAt = time.GetUtcNow().UtcDateTime };
        db.Add(hook);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/controls/webhooks/{hook.Id}",
            new CreatedControlWebhookDto(new ControlWebhookDto(hook.Id, hook.Url, hook.Description, hook.Enabled, hook.CreatedAt), secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteWebhook(Guid id, FukkyuDb db, CancellationToken ct) =>
        await db.Set<ControlWebhook>().Where(w => w.Id == id).ExecuteDeleteAsync(ct) == 0 ? AuthApi.NotFoundProblem() : TypedResults.NoContent();
}

/// <summary>
/// The board in the shape of bitbank's public API (REFERENCE §4), so services and tools written for
/// it work unchanged: <c>/exchange/v1/spot/status</c>, <c>/exchange/v1/spot/pairs</c>, and the
/// per-asset, per-network deposit and withdrawal stops at <c>/exchange/v1/assets</c>. Public like
/// bitbank's, served from memory.
/// </summary>
public static class ExchangeApi
{
    public static string StatusName(TradingState s) => s switch
    {
        TradingState.Busy => "BUSY",
        TradingState.VeryBusy => "VERY_BUSY",
        TradingState.Halt => "HALT",
        _ => "NORMAL",
    };

    public static IEndpointRouteBuilder MapExchange(this IEndpointRouteBuilder app)
    {
        var ex = app.MapGroup("/exchange/v1").AllowAnonymous().ExcludeFromDescription();
        ex.MapGet("/spot/status", async (HttpContext http, ControlBoard board, CancellationToken ct) =>
        {
            var s = await board.CurrentAsync(ct);
            return ControlsApi.Serve(http, s.SpotStatus, s.ExchangeETag);
        });
        ex.MapGet("/spot/pairs", async (HttpContext http, ControlBoard board, CancellationToken ct) =>
        {
            var s = await board.CurrentAsync(ct);
            return ControlsApi.Serve(http, s.SpotPairs, s.ExchangeETag);
        });
        ex.MapGet("/assets", async (HttpContext http, ControlBoard board, CancellationToken ct) =>
        {
            var s = await board.CurrentAsync(ct);
            return ControlsApi.Serve(http, s.Assets, s.ExchangeETag);
        });
        return app;
    }
}
