using System.Security.Claims;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Alerts;

public sealed record IntegrationUrls(string Enqueue, string ChangeEnqueue, string Alertmanager, string Generic);

public sealed record IntegrationDto(Guid Id, string Name, IntegrationType Type, Guid? ComponentId, string? ComponentKey, string KeyPrefix,
    DateTime CreatedAt, string? CreatedBy, bool Disabled, DateTime? DisabledAt, IntegrationUrls Urls)
{
    public static IntegrationDto From(Integration i, string baseUrl) => new(i.Id, i.Name, i.Type, i.ComponentId, i.Component?.Key, i.KeyPrefix,
        i.CreatedAt, i.CreatedBy, i.DisabledAt is not null, i.DisabledAt, AlertsApi.Urls(baseUrl));
}

/// <summary>The key appears in this response and nowhere else, ever.</summary>
public sealed record CreatedIntegrationDto(Guid Id, string Key, string Name, IntegrationType Type, Guid? ComponentId, string KeyPrefix, IntegrationUrls Urls);

public sealed record CreateIntegrationRequest(string? Name, IntegrationType? Type, string? ComponentId);

public sealed record AlertIncidentDto(Guid Id, string Number, string Title, IncidentStatus Status);

public sealed record AlertDto(
    Guid Id, AlertOrigin Origin, Guid SourceId, string SourceName, string DedupKey, AlertStatus Status, AlertSeverity Severity,
    string Summary, string? Source, Guid? ComponentId, string? ComponentKey, string? ComponentName, string? Group, string? Class,
    JsonElement? Labels, JsonElement? Details, JsonElement? Links, JsonElement? Images, string? Client, string? ClientUrl,
    DateTime? StartedAt, DateTime FirstSeenAt, DateTime LastSeenAt, DateTime? AcknowledgedAt, DateTime? ResolvedAt,
    int Count, bool Flapping, bool Routed, RoutingOutcome? Outcome, Guid? RuleId, AlertIncidentDto? Incident);

public sealed record RoutingRuleDto(Guid Id, string Name, int Position, bool Enabled, AlertOrigin? Origin, Guid? SourceId, Guid? ComponentId,
    AlertSeverity? MinSeverity, Dictionary<string, string> Labels, RoutingAction Action, ImpactScope ImpactScope, ComponentImpact ComponentImpact,
    Guid? FallbackComponentId, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static RoutingRuleDto From(RoutingRule r) => new(r.Id, r.Name, r.Position, r.Enabled, r.Origin, r.SourceId, r.ComponentId, r.MinSeverity,
        LabelMatchers.Parse(r.Labels), r.Action, r.ImpactScope, r.ComponentImpact, r.FallbackComponentId, r.CreatedAt, r.UpdatedAt);
}

public sealed record RoutingRuleRequest(string? Name, int? Position, bool? Enabled, AlertOrigin? Origin, Guid? SourceId, string? ComponentId,
    AlertSeverity? MinSeverity, Dictionary<string, string>? Labels, RoutingAction? Action, ImpactScope? ImpactScope, ComponentImpact? ComponentImpact,
    string? FallbackComponentId);

public sealed record ChangeEventDto(Guid Id, Guid IntegrationId, string Summary, string? Source, DateTime? Timestamp, DateTime ReceivedAt, JsonElement? Details, JsonElement? Links);

public static class AlertsApi
{
    public static IHostApplicationBuilder AddAlerts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section)
            .Validate(o => o.MaxBatchEvents > 0 && o.QueueCapacity > 0 && o.MaxFoldEvents > 0, "Fukkyu:Alerts batch, fold and queue sizes must be positive.")
            .Validate(o => o.FoldDelayMilliseconds >= 0 && o.MaxFoldDelayMilliseconds >= 0 && o.FoldTimeSharePercent is > 0 and <= 100 && o.OrphanLogSeconds > 0,
                "Fukkyu:Alerts fold delays must not be negative, the fold time share must be 1–100 % and the orphan age positive.")
            .Validate(o => o.FlapThreshold >= 2 && o.FlapWindowSeconds > 0 && o.FlapQuietSeconds > 0, "Fukkyu:Alerts flap settings must be positive (threshold at least 2).")
            .ValidateOnStart();
        services.AddNavItem(new NavItem(30, "/ops/alerts", () => UiText.T("NavAlerts")));
        services.AddSingleton<AlertIngest>();
        services.AddSingleton<AlertRouterWakeup>();
        services.AddSingleton<IntegrationDirectory>();
        services.AddSingleton<AlertRouter>();
        services.AddHostedService<AlertCommitWorker>();
        services.AddHostedService<AlertRoutingWorker>();
        services.AddSingleton<ITimelineDescriber, AlertTimelineDescriber>();

        // Integration keys authenticate the webhook endpoints; the policy scheme sends those
        // endpoints straight to this handler, so a valid key never costs a database query.
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, IntegrationKeyAuthenticationHandler>(IntegrationKeyAuthenticationHandler.SchemeName, null);
        services.PostConfigure<PolicySchemeOptions>(AuthExtensions.SelectorScheme, o =>
        {
            var inner = o.ForwardDefaultSelector;
            o.ForwardDefaultSelector = ctx => ctx.GetEndpoint()?.Metadata.GetMetadata<IntegrationKeyEndpoint>() is not null
                ? IntegrationKeyAuthenticationHandler.SchemeName
                : inner?.Invoke(ctx);
        });
        services.AddAuthorizationBuilder().AddPolicy(Policies.Ingest, p => p
            .AddAuthenticationSchemes(IntegrationKeyAuthenticationHandler.SchemeName)
            .RequireRole(Policies.RolesFor[Policies.Ingest]));
        return builder;
    }

    /// <summary>The Events v2 paths, answered before routing and authentication (see <see cref="EventsV2Middleware"/>).</summary>
    public static WebApplication UseEventsV2(this WebApplication app)
    {
        app.UseMiddleware<EventsV2Middleware>();
        return app;
    }

    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder app)
    {
        // PagerDuty Events v2: the routing key in the body is the credential, so no role here.
        // Bodies are read up to PagerDuty's 512 KB by the handler, which answers anything larger
        // with PagerDuty's 400, so the general size guard stands aside.
        var v2 = app.MapGroup("/v2").WithTags("PagerDuty Events v2");
        v2.MapPost("/enqueue", EventsV2.EnqueueAsync).WithName("EventsV2Enqueue")
            .WithSummary("PagerDuty Events API v2: trigger, acknowledge or resolve an alert (routing_key = integration key).")
            .WithMetadata(new RequestSizeLimitAttribute(long.MaxValue));
        v2.MapPost("/change/enqueue", EventsV2.ChangeAsync).WithName("EventsV2ChangeEnqueue")
            .WithSummary("PagerDuty change event: recorded for context, never alerting.")
            .WithMetadata(new RequestSizeLimitAttribute(long.MaxValue));

        var api = app.MapGroup("/api/v1").WithTags("Alerts");
        api.MapPost("/integrations/alertmanager", Webhooks.AlertmanagerAsync).RequireAuthorization(Policies.Ingest)
            .WithMetadata(IntegrationKeyEndpoint.Instance, new RequestSizeLimitAttribute(Webhooks.MaxBodyBytes)).WithName("AlertmanagerWebhook")
            .WithSummary("Prometheus Alertmanager webhook (payload version 4); the integration key as Bearer or ?key=.");
        api.MapPost("/integrations/generic", Webhooks.GenericAsync).RequireAuthorization(Policies.Ingest)
            .WithMetadata(IntegrationKeyEndpoint.Instance, new RequestSizeLimitAttribute(Webhooks.MaxBodyBytes)).WithName("GenericAlertWebhook")
            .WithSummary("Generic JSON alerts: one object or an array; the integration key as Bearer or ?key=.");

        api.MapGet("/integrations", ListIntegrations).RequireAuthorization(Policies.Read).WithName("ListIntegrations");
        api.MapPost("/integrations", CreateIntegration).RequireAuthorization(Policies.Admin).WithName("CreateIntegration")
            .WithSummary("Create an integration; its key is in this response only.");
        api.MapGet("/integrations/{id:guid}", GetIntegration).RequireAuthorization(Policies.Read).WithName("GetIntegration");
        api.MapPost("/integrations/{id:guid}/rotate", RotateIntegration).RequireAuthorization(Policies.Admin).WithName("RotateIntegrationKey")
            .WithSummary("Replace the key; the old one stops working at once.");
        api.MapDelete("/integrations/{id:guid}", DisableIntegration).RequireAuthorization(Policies.Admin).WithName("DisableIntegration")
            .WithSummary("Disable the integration: its key is answered like an unknown key; its alerts stay.");

        api.MapGet("/alerts", ListAlerts).RequireAuthorization(Policies.Read).WithName("ListAlerts");
        api.MapGet("/alerts/{id:guid}", GetAlert).RequireAuthorization(Policies.Read).WithName("GetAlert");
        api.MapGet("/change-events", ListChangeEvents).RequireAuthorization(Policies.Read).WithName("ListChangeEvents");

        api.MapGet("/routing-rules", ListRules).RequireAuthorization(Policies.Read).WithName("ListRoutingRules");
        api.MapPost("/routing-rules", CreateRule).RequireAuthorization(Policies.Admin).WithName("CreateRoutingRule");
        api.MapPatch("/routing-rules/{id:guid}", UpdateRule).RequireAuthorization(Policies.Admin).WithName("UpdateRoutingRule");
        api.MapDelete("/routing-rules/{id:guid}", DeleteRule).RequireAuthorization(Policies.Admin).WithName("DeleteRoutingRule");
        return app;
    }

    internal static IntegrationUrls Urls(string baseUrl) => new(
        $"{baseUrl}/v2/enqueue", $"{baseUrl}/v2/change/enqueue", $"{baseUrl}/api/v1/integrations/alertmanager", $"{baseUrl}/api/v1/integrations/generic");

    private static string BaseUrl(HttpRequest r) => $"{r.Scheme}://{r.Host}{r.PathBase}";

    private static async Task<Ok<IntegrationDto[]>> ListIntegrations(HttpRequest request, FukkyuDb db, bool? disabled, CancellationToken ct)
    {
        var query = db.Integrations.AsNoTracking().Include(i => i.Component).AsQueryable();
        if (disabled is { } d)
        {
            query = d ? query.Where(i => i.DisabledAt != null) : query.Where(i => i.DisabledAt == null);
        }
        var rows = await query.OrderBy(i => i.Name).ToListAsync(ct);
        var baseUrl = BaseUrl(request);
        return TypedResults.Ok(rows.Select(i => IntegrationDto.From(i, baseUrl)).ToArray());
    }

    private static async Task<Results<Ok<IntegrationDto>, ProblemHttpResult>> GetIntegration(Guid id, HttpRequest request, FukkyuDb db, CancellationToken ct)
    {
        var i = await db.Integrations.AsNoTracking().Include(x => x.Component).FirstOrDefaultAsync(x => x.Id == id, ct);
        return i is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(IntegrationDto.From(i, BaseUrl(request)));
    }

    private static async Task<Results<Created<CreatedIntegrationDto>, ValidationProblem>> CreateIntegration(
        CreateIntegrationRequest req, HttpRequest request, ClaimsPrincipal user, FukkyuDb db, IntegrationDirectory directory, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        v.Text("name", req.Name, AlertLimits.Name, required: true).Required("type", req.Type);
        var component = await ResolveComponentAsync(db, "componentId", req.ComponentId, v, ct);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await CreateIntegrationAsync(db, req.Name!.Trim(), req.Type!.Value, component?.Id, Actor.From(user).Name, time, ct);
        directory.Invalidate();
        return TypedResults.Created($"/api/v1/integrations/{result.Id}",
            new CreatedIntegrationDto(result.Id, result.Key, result.Name, result.Type, result.ComponentId, result.KeyPrefix, Urls(BaseUrl(request))));
    }

    /// <summary>Creates an integration and returns its key once (shared by the API and the UI).</summary>
    internal static async Task<(Guid Id, string Key, string Name, IntegrationType Type, Guid? ComponentId, string KeyPrefix)> CreateIntegrationAsync(
        FukkyuDb db, string name, IntegrationType type, Guid? componentId, string createdBy, TimeProvider time, CancellationToken ct)
    {
        var key = IntegrationKeys.NewKey();
        var integration = new Integration
        {
            Name = name,
            Type = type,
            ComponentId = componentId,
            KeyHash = ApiKeyMaterial.Hash(key),
            KeyPrefix = key[..8],
            CreatedAt = time.GetUtcNow().UtcDateTime,
            CreatedBy = createdBy,
        };
        db.Integrations.Add(integration);
        await db.SaveChangesAsync(ct);
        return (integration.Id, key, integration.Name, integration.Type, integration.ComponentId, integration.KeyPrefix);
    }

    private static async Task<Results<Ok<CreatedIntegrationDto>, ProblemHttpResult>> RotateIntegration(
        Guid id, HttpRequest request, FukkyuDb db, IntegrationDirectory directory, CancellationToken ct)
    {
        var rotated = await RotateKeyAsync(db, directory, id, ct);
        return rotated is not { } r ? AuthApi.NotFoundProblem()
            : TypedResults.Ok(new CreatedIntegrationDto(r.Integration.Id, r.Key, r.Integration.Name, r.Integration.Type, r.Integration.ComponentId, r.Integration.KeyPrefix, Urls(BaseUrl(request))));
    }

    /// <summary>Gives an enabled integration a new key; the old one stops working on this node at once.</summary>
    internal static async Task<(Integration Integration, string Key)?> RotateKeyAsync(FukkyuDb db, IntegrationDirectory directory, Guid id, CancellationToken ct)
    {
        var i = await db.Integrations.FirstOrDefaultAsync(x => x.Id == id && x.DisabledAt == null, ct);
        if (i is null)
        {
            return null;
        }
        var key = IntegrationKeys.NewKey();
        i.KeyHash = ApiKeyMaterial.Hash(key);
        i.KeyPrefix = key[..8];
        await db.SaveChangesAsync(ct);
        directory.Invalidate();
        return (i, key);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisableIntegration(
        Guid id, FukkyuDb db, IntegrationDirectory directory, TimeProvider time, CancellationToken ct) =>
        await DisableAsync(db, directory, id, time, ct) ? TypedResults.NoContent() : AuthApi.NotFoundProblem();

    internal static async Task<bool> DisableAsync(FukkyuDb db, IntegrationDirectory directory, Guid id, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var n = await db.Integrations.Where(i => i.Id == id && i.DisabledAt == null).ExecuteUpdateAsync(s => s.SetProperty(i => i.DisabledAt, now), ct);
        directory.Invalidate();
        return n > 0;
    }

    private static async Task<Results<Ok<AlertDto[]>, ValidationProblem>> ListAlerts(
        ClaimsPrincipal user, FukkyuDb db, AlertIngest ingest, string? status, string? severity, string? origin, Guid? sourceId, string? component, string? incident,
        string? q, int? limit, CancellationToken ct)
    {
        var v = new Validation();
        v.Range("limit", limit, 1, 500).MaxLength("q", q, 200).MaxLength("component", component, 100).MaxLength("incident", incident, 100);
        AlertStatus parsedStatus = default;
        if (status is not null && status != "open" && !WireEnum.TryParse(status, out parsedStatus))
        {
            v.Add("status", Validation.Text("UnknownValue", status, "open, " + WireEnum.Accepted<AlertStatus>()));
        }
        AlertSeverity parsedSeverity = default;
        if (severity is not null && !WireEnum.TryParse(severity, out parsedSeverity))
        {
            v.Add("severity", Validation.Text("UnknownValue", severity, WireEnum.Accepted<AlertSeverity>()));
        }
        AlertOrigin parsedOrigin = default;
        if (origin is not null && !WireEnum.TryParse(origin, out parsedOrigin))
        {
            v.Add("origin", Validation.Text("UnknownValue", origin, WireEnum.Accepted<AlertOrigin>()));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        // What this node has acknowledged is folded into alerts before it is read.
        await ingest.ProjectedAsync(ct);
        var query = db.Alerts.AsNoTracking();
        if (status == "open")
        {
            query = query.Where(a => a.Status != AlertStatus.Resolved);
        }
        else if (status is not null)
        {
            query = query.Where(a => a.Status == parsedStatus);
        }
        if (severity is not null)
        {
            query = query.Where(a => a.Severity == parsedSeverity);
        }
        if (origin is not null)
        {
            query = query.Where(a => a.Origin == parsedOrigin);
        }
        if (sourceId is { } sid)
        {
            query = query.Where(a => a.SourceId == sid);
        }
        if (component is not null)
        {
            var c = await CatalogApi.Find(db.Components.AsNoTracking(), component, ct);
            var cid = c?.Id ?? Guid.Empty;
            query = query.Where(a => a.ComponentId == cid);
        }
        if (incident is not null)
        {
            var iid = Guid.TryParse(incident, out var g) ? g
                : await db.Incidents.Where(i => i.Number == incident.ToUpperInvariant()).Select(i => i.Id).FirstOrDefaultAsync(ct);
            query = query.Where(a => a.IncidentId == iid);
        }
        if (!string.IsNullOrWhiteSpace(q))
        {
            query = query.Where(a => a.Summary.Contains(q) || a.DedupKey == q);
        }
        var rows = await query.OrderByDescending(a => a.LastSeenAt).Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(await ToDtosAsync(db, rows, Caller.From(user), ct));
    }

    private static async Task<Results<Ok<AlertDto>, ProblemHttpResult>> GetAlert(Guid id, ClaimsPrincipal user, FukkyuDb db, AlertIngest ingest, CancellationToken ct)
    {
        await ingest.ProjectedAsync(ct);
        var a = await db.Alerts.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        return a is null ? AuthApi.NotFoundProblem() : TypedResults.Ok((await ToDtosAsync(db, [a], Caller.From(user), ct))[0]);
    }

    /// <summary>Adds component keys and the incidents the caller may see (security incidents stay hidden).</summary>
    internal static async Task<AlertDto[]> ToDtosAsync(FukkyuDb db, List<Alert> rows, Caller caller, CancellationToken ct)
    {
        var incidentIds = rows.Where(a => a.IncidentId is not null).Select(a => a.IncidentId!.Value).Distinct().ToList();
        var incidents = incidentIds.Count == 0 ? [] : await IncidentService.Visible(db.Incidents.AsNoTracking(), caller)
            .Where(i => incidentIds.Contains(i.Id))
            .Select(i => new AlertIncidentDto(i.Id, i.Number, i.Title, i.Status)).ToDictionaryAsync(i => i.Id, ct);
        var componentIds = rows.Where(a => a.ComponentId is not null).Select(a => a.ComponentId!.Value).Distinct().ToList();
        var components = componentIds.Count == 0 ? [] : await db.Components.AsNoTracking().Where(c => componentIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, ct);
        return [.. rows.Select(a =>
        {
            var c = a.ComponentId is { } cid ? components.GetValueOrDefault(cid) : null;
            return new AlertDto(a.Id, a.Origin, a.SourceId, a.SourceName, a.DedupKey, a.Status, a.Severity, a.Summary, a.Source,
                a.ComponentId, c?.Key, c?.Name(Texts.Japanese) ?? a.ComponentName, a.Group, a.Class,
                Json(a.Labels), Json(a.Details), Json(a.Links), Json(a.Images), a.Client, a.ClientUrl,
                a.StartedAt, a.FirstSeenAt, a.LastSeenAt, a.AcknowledgedAt, a.ResolvedAt, a.Count, a.Flapping, !a.NeedsRouting, a.Outcome, a.RuleId,
                a.IncidentId is { } iid ? incidents.GetValueOrDefault(iid) : null);
        })];
    }

    internal static JsonElement? Json(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<Results<Ok<ChangeEventDto[]>, ValidationProblem>> ListChangeEvents(FukkyuDb db, Guid? integrationId, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 500);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var query = db.ChangeEvents.AsNoTracking();
        if (integrationId is { } id)
        {
            query = query.Where(c => c.IntegrationId == id);
        }
        var rows = await query.OrderByDescending(c => c.ReceivedAt).Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(c => new ChangeEventDto(c.Id, c.IntegrationId, c.Summary, c.Source, c.Timestamp, c.ReceivedAt, Json(c.Details), Json(c.Links))).ToArray());
    }

    private static async Task<Ok<RoutingRuleDto[]>> ListRules(FukkyuDb db, CancellationToken ct) =>
        TypedResults.Ok((await db.RoutingRules.AsNoTracking().OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ToListAsync(ct)).Select(RoutingRuleDto.From).ToArray());

    private static async Task<Results<Created<RoutingRuleDto>, ValidationProblem>> CreateRule(RoutingRuleRequest req, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var (rule, errors) = await CreateRuleAsync(db, req, time, ct);
        return rule is null ? TypedResults.ValidationProblem(errors!) : TypedResults.Created($"/api/v1/routing-rules/{rule.Id}", RoutingRuleDto.From(rule));
    }

    /// <summary>Validates and creates a rule (shared by the API and the UI).</summary>
    internal static async Task<(RoutingRule? Rule, Dictionary<string, string[]>? Errors)> CreateRuleAsync(FukkyuDb db, RoutingRuleRequest req, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        v.Text("name", req.Name, AlertLimits.Name, required: true).Required("action", req.Action);
        var rule = new RoutingRule { Name = "", CreatedAt = time.GetUtcNow().UtcDateTime };
        await ApplyRuleAsync(db, rule, req, v, ct);
        if (!v.IsValid)
        {
            return (null, v.Errors);
        }
        rule.UpdatedAt = rule.CreatedAt;
        db.RoutingRules.Add(rule);
        await db.SaveChangesAsync(ct);
        return (rule, null);
    }

    private static async Task<Results<Ok<RoutingRuleDto>, ValidationProblem, ProblemHttpResult>> UpdateRule(
        Guid id, RoutingRuleRequest req, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var rule = await db.RoutingRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var v = new Validation();
        v.MaxLength("name", req.Name, AlertLimits.Name);
        if (req.Name is not null && string.IsNullOrWhiteSpace(req.Name))
        {
            v.Add("name", Validation.Text("Required"));
        }
        await ApplyRuleAsync(db, rule, req, v, ct);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        rule.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(RoutingRuleDto.From(rule));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRule(Guid id, FukkyuDb db, CancellationToken ct) =>
        await db.RoutingRules.Where(r => r.Id == id).ExecuteDeleteAsync(ct) == 0 ? AuthApi.NotFoundProblem() : TypedResults.NoContent();

    /// <summary>Applies the fields that are set; clears a condition given as an empty string.</summary>
    internal static async Task ApplyRuleAsync(FukkyuDb db, RoutingRule rule, RoutingRuleRequest req, Validation v, CancellationToken ct)
    {
        v.Range("position", req.Position, 0, 100_000);
        if (req.Labels is { } labels)
        {
            v.Count("labels", labels, 50);
            foreach (var (k, value) in labels)
            {
                if (string.IsNullOrWhiteSpace(k) || k.Length > 200 || value is null || value.Length > 1000)
                {
                    v.Add($"labels.{k}", Validation.Text("MaxLength", 1000, value?.Length ?? 0));
                }
            }
        }
        var component = req.ComponentId is { Length: > 0 } ? await ResolveComponentAsync(db, "componentId", req.ComponentId, v, ct) : null;
        var fallback = req.FallbackComponentId is { Length: > 0 } ? await ResolveComponentAsync(db, "fallbackComponentId", req.FallbackComponentId, v, ct) : null;
        if (!v.IsValid)
        {
            return;
        }
        rule.Name = req.Name?.Trim() ?? rule.Name;
        rule.Position = req.Position ?? rule.Position;
        rule.Enabled = req.Enabled ?? rule.Enabled;
        rule.Origin = req.Origin ?? rule.Origin;
        rule.SourceId = req.SourceId ?? rule.SourceId;
        rule.ComponentId = req.ComponentId is null ? rule.ComponentId : component?.Id;
        rule.MinSeverity = req.MinSeverity ?? rule.MinSeverity;
        rule.Labels = req.Labels is null ? rule.Labels : req.Labels.Count == 0 ? null : JsonSerializer.Serialize(req.Labels);
        rule.Action = req.Action ?? rule.Action;
        rule.ImpactScope = req.ImpactScope ?? rule.ImpactScope;
        rule.ComponentImpact = req.ComponentImpact ?? rule.ComponentImpact;
        rule.FallbackComponentId = req.FallbackComponentId is null ? rule.FallbackComponentId : fallback?.Id;
    }

    private static async Task<Component?> ResolveComponentAsync(FukkyuDb db, string field, string? idOrKey, Validation v, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(idOrKey))
        {
            return null;
        }
        if (idOrKey.Length > 100)
        {
            v.Add(field, Validation.Text("UnknownId", idOrKey[..100]));
            return null;
        }
        var c = await CatalogApi.Find(db.Components.AsNoTracking(), idOrKey, ct);
        if (c is null)
        {
            v.Add(field, Validation.Text("UnknownId", idOrKey));
        }
        return c;
    }
}

/// <summary>Marks endpoints that authenticate with an integration key.</summary>
public sealed class IntegrationKeyEndpoint
{
    public static readonly IntegrationKeyEndpoint Instance = new();
}

internal sealed class AlertTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry e, JsonElement d) => e.Kind switch
    {
        AlertTimelineKinds.Attached => AlertStrings.T("TlAlertAttached", Get(d, "source"), Get(d, "severity")),
        AlertTimelineKinds.Resolved => AlertStrings.T("TlAlertResolved", Get(d, "source")),
        _ => null,
    };

    private static string Get(JsonElement d, string name) =>
        d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ToString() : "";
}
