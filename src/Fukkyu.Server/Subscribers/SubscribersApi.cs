using System.Threading.RateLimiting;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.StatusPage;
using Fukkyu.Server.StatusPage.Pages;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Subscribers;

public sealed record SubscriberDto(
    Guid Id, SubscriberKind Kind, string Address, string Language, Guid[] ComponentIds, SubscriberState State, string? Label,
    DateTime CreatedAt, DateTime? ConfirmedAt, DateTime? UnsubscribedAt)
{
    public static SubscriberDto From(Subscriber s) => new(s.Id, s.Kind, s.Address, s.Language, [.. s.ComponentIds], s.State, s.Label,
        s.CreatedAt, s.ConfirmedAt, s.UnsubscribedAt);
}

/// <summary>The signing secret appears in this response only.</summary>
public sealed record RegisteredSubscriberDto(SubscriberDto Subscriber, string? SigningSecret);

public sealed record SubscriberCountDto(SubscriberKind Kind, SubscriberState State, int Count);

public sealed record SubscribeAcceptedDto(string Status, string Detail);

/// <summary>
/// The subscribe endpoint's limits on this node: per client address and overall, so neither a
/// script nor a crowd can turn it into a mail cannon.
/// </summary>
public sealed class SubscribeRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public SubscribeRateLimiter(IOptions<SubscriberOptions> options)
    {
        var o = options.Value;
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<string, string>(_ => RateLimitPartition.GetFixedWindowLimiter("all", _ =>
                new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, o.RequestsPerMinute), Window = TimeSpan.FromMinutes(1) })),
            PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ =>
                new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, o.RequestsPerMinutePerClient), Window = TimeSpan.FromMinutes(1) })));
    }

    public RateLimitLease Acquire(string client) => _limiter.AttemptAcquire(client);

    public void Dispose() => _limiter.Dispose();
}

public static class SubscribersApi
{
    private const int PublicBodyLimit = 32 * 1024;

    public static IHostApplicationBuilder AddSubscribers(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SubscriberOptions>().BindConfiguration(SubscriberOptions.Section)
            .Validate(o => o.FanoutBatchSize is > 0 and <= 10_000, "Fukkyu:Subscribers:FanoutBatchSize must be 1–10000.")
            .ValidateOnStart();
        services.AddOptions<SnsOptions>().BindConfiguration(SnsOptions.Section)
            .Validate(o => o.Language is "ja" or "en", "Fukkyu:Sns:Language must be ja or en.")
            .ValidateOnStart();
        services.AddSingleton<SubscriberTokens>();
        services.AddSingleton<WebhookTargetGuard>();
        services.AddSingleton<SubscribeRateLimiter>();
        services.AddSingleton<NoticeContentCache>();
        services.AddScoped<SubscriptionService>();
        services.AddScoped<IPushTokenListener, SubscriberPushTokens>();
        services.AddSingleton<IJobHandler, NoticeFanoutJob>();
        services.AddSingleton<IOutboxSender, SubscriberEmailSender>();
        services.AddSingleton<IOutboxSender, SubscriberWebhookSender>();
        services.AddSingleton<IOutboxSender, SnsSender>();
        services.AddHttpClient(SnsSender.HttpClientName, (sp, c) => c.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<SnsOptions>>().Value.TimeoutSeconds));
        services.AddHttpClient(WebhookTargetGuard.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectCallback = sp.GetRequiredService<WebhookTargetGuard>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = 64,
                AllowAutoRedirect = false,
            });
        services.AddNavItem(new NavItem(54, "/ops/subscribers", () => SubscriberStrings.T("Nav"), Policies.Communicate));
        return builder;
    }

    public static IEndpointRouteBuilder MapSubscribers(this IEndpointRouteBuilder app)
    {
        // Public, outside /api/v1: plain forms from the static page (which cannot carry anti-forgery tokens).
        app.MapPost("/subscribe", Subscribe).DisableAntiforgery().ExcludeFromDescription().WithMetadata(new RequestSizeLimitAttribute(PublicBodyLimit));
        app.MapGet("/subscribe/confirm", ConfirmPage).ExcludeFromDescription();
        app.MapPost("/subscribe/confirm", Confirm).DisableAntiforgery().ExcludeFromDescription().WithMetadata(new RequestSizeLimitAttribute(PublicBodyLimit));
        app.MapGet("/unsubscribe", UnsubscribePage).ExcludeFromDescription();
        app.MapPost("/unsubscribe", Unsubscribe).DisableAntiforgery().ExcludeFromDescription().WithMetadata(new RequestSizeLimitAttribute(PublicBodyLimit));

        var api = app.MapGroup("/api/v1/subscribers").WithTags("Subscribers");
        api.MapGet("/", List).RequireAuthorization(Policies.Communicate).WithName("ListSubscribers");
        api.MapGet("/stats", Stats).RequireAuthorization(Policies.Read).WithName("SubscriberStats");
        api.MapPost("/", Register).RequireAuthorization(Policies.Communicate).WithName("RegisterSubscriber")
            .WithSummary("Register a webhook (signed; internal addresses refused), an app's push token, or an email (double opt-in).");
        api.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Communicate).WithName("DeleteSubscriber");
        return app;
    }

    private static async Task<IResult> Subscribe(HttpContext http, SubscriptionService service, SubscribeRateLimiter limiter,
        PageRenderer pages, IOptions<StatusPageOptions> page, CancellationToken ct)
    {
        var json = http.Request.HasJsonContentType();
        SubscribeRequest request;
        string lang;
        if (json)
        {
            try
            {
                request = await http.Request.ReadFromJsonAsync<SubscribeRequest>(ct) ?? new SubscribeRequest(null, null, null);
            }
            catch (System.Text.Json.JsonException e)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [e.Message.Split(" Path:")[0]] });
            }
            lang = PublicText.Lang(request.Language ?? page.Value.DefaultLanguage);
        }
        else if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct);
            lang = PublicText.Lang(form["page_lang"].ToString() is { Length: > 0 } pl ? pl : page.Value.DefaultLanguage);
            request = new SubscribeRequest(form["email"], form["language"].ToString() is { Length: > 0 } l ? l : null,
                [.. form["component"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!)]);
        }
        else
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, detail: PublicText.T(page.Value.DefaultLanguage, "UnsupportedMediaType"));
        }
        // Messages in the language of the page the form was on.
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo(lang);
        using var lease = limiter.Acquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        if (!lease.IsAcquired)
        {
            http.Response.Headers.RetryAfter = "60";
            return json
                ? TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, detail: PublicText.T(lang, "TooManyRequests"))
                : await Html(pages, page, lang, "TooManyTitle", ["TooManyRequests"], StatusCodes.Status429TooManyRequests);
        }
        var result = await service.SubscribeEmailAsync(request, ct);
        if (result.Error is InvalidError invalid)
        {
            return json
                ? TypedResults.ValidationProblem(invalid.Errors)
                : await Html(pages, page, lang, "SubscribeFailedTitle", [.. invalid.Errors.SelectMany(e => e.Value)], StatusCodes.Status400BadRequest, raw: true);
        }
        // The same answer for a new, pending, active or capped address.
        return json
            ? TypedResults.Accepted((string?)null, new SubscribeAcceptedDto("accepted", PublicText.T(lang, "CheckInbox")))
            : await Html(pages, page, lang, "CheckInboxTitle", ["CheckInbox", "CheckInboxHint"]);
    }

    private static Task<IResult> ConfirmPage(string? token, string? lang, PageRenderer pages, IOptions<StatusPageOptions> page) =>
        Form(pages, page, PublicText.Lang(lang ?? page.Value.DefaultLanguage), "ConfirmTitle", "ConfirmText", "/subscribe/confirm", token, "ConfirmButton");

    private static async Task<IResult> Confirm(HttpContext http, SubscriptionService service, PageRenderer pages, IOptions<StatusPageOptions> page, CancellationToken ct)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var lang = PublicText.Lang(form?["lang"].ToString() is { Length: > 0 } l ? l : page.Value.DefaultLanguage);
        var s = await service.ConfirmAsync(form?["token"].ToString(), ct);
        return s is null
            ? await Html(pages, page, lang, "LinkInvalidTitle", ["LinkInvalid"], StatusCodes.Status400BadRequest)
            : await Html(pages, page, PublicText.Lang(s.Language), "ConfirmedTitle", ["Confirmed"]);
    }

    private static Task<IResult> UnsubscribePage(string? token, string? lang, PageRenderer pages, IOptions<StatusPageOptions> page) =>
        Form(pages, page, PublicText.Lang(lang ?? page.Value.DefaultLanguage), "UnsubscribeTitle", "UnsubscribeText", "/unsubscribe", token, "UnsubscribeButton");

    /// <summary>The page's button, and RFC 8058 one-click unsubscribe from mail clients (token in the URL).</summary>
    private static async Task<IResult> Unsubscribe(HttpContext http, SubscriptionService service, SubscriberTokens tokens, PageRenderer pages,
        IOptions<StatusPageOptions> page, CancellationToken ct)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var token = form?["token"].ToString() is { Length: > 0 } t ? t : http.Request.Query["token"].ToString();
        var langValue = form?["lang"].ToString() is { Length: > 0 } fl ? fl : http.Request.Query["lang"].ToString();
        var lang = PublicText.Lang(langValue is { Length: > 0 } ? langValue : page.Value.DefaultLanguage);
        var s = await service.UnsubscribeAsync(tokens.ReadUnsubscribe(token), ct);
        return s is null
            ? await Html(pages, page, lang, "LinkInvalidTitle", ["LinkInvalid"], StatusCodes.Status400BadRequest)
            : await Html(pages, page, lang, "UnsubscribedTitle", ["Unsubscribed"]);
    }

    private static async Task<IResult> Form(PageRenderer pages, IOptions<StatusPageOptions> page, string lang, string title, string text, string action,
        string? token, string button)
    {
        if (token is not { Length: > 2 and < 1000 })
        {
            return await Html(pages, page, lang, "LinkInvalidTitle", ["LinkInvalid"], StatusCodes.Status400BadRequest);
        }
        var html = await pages.RenderAsync<MessagePage>(new Dictionary<string, object?>
        {
            ["Lang"] = lang, ["Options"] = page.Value, ["Title"] = PublicText.T(lang, title), ["Paragraphs"] = new[] { PublicText.T(lang, text) },
            ["FormAction"] = action, ["Hidden"] = new Dictionary<string, string> { ["token"] = token, ["lang"] = lang },
            ["Button"] = PublicText.T(lang, button),
        });
        return new HtmlResult(html, StatusCodes.Status200OK);
    }

    private static async Task<IResult> Html(PageRenderer pages, IOptions<StatusPageOptions> page, string lang, string title, string[] paragraphs,
        int status = StatusCodes.Status200OK, bool raw = false)
    {
        var html = await pages.RenderAsync<MessagePage>(new Dictionary<string, object?>
        {
            ["Lang"] = lang, ["Options"] = page.Value, ["Title"] = PublicText.T(lang, title), ["Path"] = "/subscribe",
            ["Paragraphs"] = raw ? paragraphs : paragraphs.Select(p => PublicText.T(lang, p)).ToArray(),
        });
        return new HtmlResult(html, status);
    }

    /// <summary>A per-request public page: never cached, same security headers as the snapshot's.</summary>
    private sealed class HtmlResult(string html, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
            return http.Response.WriteAsync(html);
        }
    }

    private static async Task<Results<Ok<SubscriberDto[]>, ValidationProblem>> List(FukkyuDb db, string? kind, string? state, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 1000);
        SubscriberKind k = default;
        SubscriberState st = default;
        if (kind is not null && !WireEnum.TryParse(kind, out k))
        {
            v.Add("kind", Validation.Text("UnknownValue", kind, WireEnum.Accepted<SubscriberKind>()));
        }
        if (state is not null && !WireEnum.TryParse(state, out st))
        {
            v.Add("state", Validation.Text("UnknownValue", state, WireEnum.Accepted<SubscriberState>()));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var q = db.Subscribers.AsNoTracking();
        if (kind is not null)
        {
            q = q.Where(s => s.Kind == k);
        }
        if (state is not null)
        {
            q = q.Where(s => s.State == st);
        }
        var rows = await q.OrderByDescending(s => s.CreatedAt).Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(SubscriberDto.From).ToArray());
    }

    private static async Task<Ok<SubscriberCountDto[]>> Stats(FukkyuDb db, CancellationToken ct)
    {
        var rows = await db.Subscribers.GroupBy(s => new { s.Kind, s.State }).Select(g => new { g.Key.Kind, g.Key.State, Count = g.Count() }).ToListAsync(ct);
        return TypedResults.Ok(rows.OrderBy(r => r.Kind).ThenBy(r => r.State).Select(r => new SubscriberCountDto(r.Kind, r.State, r.Count)).ToArray());
    }

    private static async Task<Results<Created<RegisteredSubscriberDto>, ValidationProblem, ProblemHttpResult>> Register(
        SubscriberInput req, SubscriptionService service, CancellationToken ct)
    {
        var result = await service.RegisterAsync(req, ct);
        return result.Error switch
        {
            null => TypedResults.Created($"/api/v1/subscribers/{result.Value.Subscriber.Id}",
                new RegisteredSubscriberDto(SubscriberDto.From(result.Value.Subscriber), result.Value.Secret)),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, SubscriptionService service, CancellationToken ct) =>
        await service.DeleteAsync(id, ct) ? TypedResults.NoContent() : AuthApi.NotFoundProblem();
}
