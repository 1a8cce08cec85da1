using System.Diagnostics;
using System.Security.Claims;
using System.Security.Cryptography;
using Fukkyu.Server.Alerts;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Monitoring;

public sealed record LastCheckDto(DateTime At, bool Up, double LatencyMs, ProbeFailure Failure, string? Message);

public sealed record MonitorDto(
    Guid Id, string? Key, string Name, MonitorKind Kind, Guid? ComponentId, string? ComponentKey,
    int IntervalSeconds, int TimeoutMs, int FailureThreshold, int RecoveryThreshold, AlertSeverity Severity, ComponentStatus DownStatus,
    bool Reconciliation, bool Paused, DateTime? PausedAt, string? PausedBy, MonitorManagedBy ManagedBy, MonitorSettings Settings,
    MonitorState State, DateTime StateSince, DateTime? FirstFailureAt, string? LastMessage, LastCheckDto? LastCheck,
    DateTime? LastBeatAt, string? HeartbeatUrl, DateTime CreatedAt, DateTime UpdatedAt, int Version);

public sealed record MonitorRequest(
    string? Key, string? Name, MonitorKind? Kind, string? ComponentId, int? IntervalSeconds, int? TimeoutMs, int? FailureThreshold,
    int? RecoveryThreshold, AlertSeverity? Severity, ComponentStatus? DownStatus, bool? Reconciliation, bool? Paused, MonitorSettings? Settings);

/// <summary>The monitors file: monitors upserted by key.</summary>
public sealed record MonitorsDocument(MonitorRequest[]? Monitors);

public sealed record MonitorImportResult(int Created, int Updated, int Removed);

public sealed record CheckResultDto(bool Up, double LatencyMs, ProbeFailure Failure, string? Message, bool Recorded, MonitorState? State);

public sealed record HistoryPointDto(DateTime At, int Checks, int Failures, double? Availability, double? LatencyAvgMs, double LatencyMaxMs);

public sealed record SampleDto(DateTime At, bool Up, int LatencyMs, ProbeFailure Failure);

public sealed record StateChangeDto(DateTime At, MonitorState From, MonitorState To, string? Message);

public sealed record PauseRequest(string? Reason);

public sealed record ProcessDto(double CpuSeconds, double WorkingSetMb, double GcHeapMb, int Threads);

public sealed record MonitorStatsDto(bool Leader, int Monitors, SchedulerWindow Window, long Probes, long Overruns, long Up, long Down, ProcessDto Process);

public static class MonitorsApi
{
    public static IHostApplicationBuilder AddMonitoring(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.Section)
            .Validate(o => o.MaxConcurrentProbes > 0 && o.FlushSeconds > 0 && o.LeaseSeconds >= 3, "Fukkyu:Monitoring sizes and intervals must be positive (lease at least 3 s).")
            .Validate(o => o.RawRetentionHours >= 1 && o.HourlyRetentionDays >= 1 && o.StateChangeRetentionDays >= 1, "Fukkyu:Monitoring retention must be positive.")
            .ValidateOnStart();
        services.AddNavItem(new NavItem(32, "/ops/monitors", () => UiText.T("NavMonitors")));
        services.AddHttpClient(Prober.HttpClientName, c =>
            {
                c.Timeout = Timeout.InfiniteTimeSpan; // each probe has its own timeout
                c.DefaultRequestHeaders.UserAgent.ParseAdd("Fukkyu-Monitor/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                MaxConnectionsPerServer = 1024,
                AutomaticDecompression = System.Net.DecompressionMethods.All,
                AllowAutoRedirect = true,
                MaxAutomaticRedirections = 5,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(30),
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton<HeartbeatBoard>();
        services.AddSingleton<Prober>();
        services.AddSingleton<MonitorRecorder>();
        services.AddSingleton<MonitorScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<MonitorScheduler>());
        services.AddHostedService<MonitorRetentionWorker>();
        services.AddScoped<IMonitorHealthSource, MonitorHealthSource>();
        services.AddScoped<IAvailabilitySource, MonitorAvailabilitySource>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/monitors").WithTags("Monitors");
        api.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListMonitors");
        api.MapPost("/", Create).RequireAuthorization(Policies.Respond).WithName("CreateMonitor")
            .WithSummary("Create a monitor; a heartbeat monitor's push URL is in this response only.");
        api.MapGet("/stats", Stats).RequireAuthorization(Policies.Read).WithName("MonitorSchedulerStats")
            .WithSummary("Probes per second, scheduling delay (p50/p99/max), CPU and memory of this node.");
        api.MapPost("/import", Import).RequireAuthorization(Policies.Admin).WithName("ImportMonitors")
            .WithSummary("Upsert monitors by key (the monitors file format); prune=true removes file monitors not in it.")
            .WithMetadata(new RequestSizeLimitAttribute(32 * 1024 * 1024));
        api.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read).WithName("GetMonitor");
        api.MapPatch("/{id:guid}", Update).RequireAuthorization(Policies.Respond).WithName("UpdateMonitor");
        api.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Admin).WithName("DeleteMonitor");
        api.MapPost("/{id:guid}/pause", Pause).RequireAuthorization(Policies.Respond).WithName("PauseMonitor");
        api.MapPost("/{id:guid}/resume", Resume).RequireAuthorization(Policies.Respond).WithName("ResumeMonitor");
        api.MapPost("/{id:guid}/check", Check).RequireAuthorization(Policies.Respond).WithName("CheckMonitorNow")
            .WithSummary("Run the check now; on the scheduling node it counts like a scheduled one.");
        api.MapPost("/{id:guid}/heartbeat-token", RotateToken).RequireAuthorization(Policies.Respond).WithName("RotateHeartbeatToken");
        api.MapGet("/{id:guid}/history", History).RequireAuthorization(Policies.Read).WithName("MonitorHistory")
            .WithSummary("Per-minute (last 24 h) or per-hour rollups: checks, failures, availability, latency.");
        api.MapGet("/{id:guid}/samples", Samples).RequireAuthorization(Policies.Read).WithName("MonitorSamples")
            .WithSummary("Raw samples (kept 24 h), at most an hour at a time.");
        api.MapGet("/{id:guid}/state-changes", StateChanges).RequireAuthorization(Policies.Read).WithName("MonitorStateChanges");

        // Heartbeat push URL: the token is the credential, like PagerDuty's routing key.
        app.MapMethods("/heartbeat/{token}", ["GET", "POST"], Beat).WithName("Heartbeat").WithTags("Monitors")
            .WithSummary("A heartbeat monitor's push URL: call it at least every graceSeconds.");
        return app;
    }

    internal static MonitorDto ToDto(HealthMonitor m, MonitorScheduler scheduler, string? heartbeatUrl = null)
    {
        var last = scheduler.Runtimes.TryGetValue(m.Id, out var rt) && rt.Last is { } l ? new LastCheckDto(l.At, l.Up, Math.Round(l.LatencyMs, 2), l.Failure, l.Message) : null;
        return new MonitorDto(m.Id, m.Key, m.Name, m.Kind, m.ComponentId, m.Component?.Key, m.IntervalSeconds, m.TimeoutMs, m.FailureThreshold,
            m.RecoveryThreshold, m.Severity, m.DownStatus, m.Reconciliation, m.Paused, m.PausedAt, m.PausedBy, m.ManagedBy, MonitorSettings.FromJson(m.Settings),
            m.State, m.StateSince, m.FirstFailureAt, m.LastMessage, last, m.LastBeatAt, heartbeatUrl, m.CreatedAt, m.UpdatedAt, m.Version);
    }

    private static async Task<Results<Ok<MonitorDto[]>, ValidationProblem>> List(
        FukkyuDb db, MonitorScheduler scheduler, string? component, string? state, string? kind, bool? paused, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 20_000).MaxLength("component", component, 100);
        MonitorState parsedState = default;
        if (state is not null && !WireEnum.TryParse(state, out parsedState))
        {
            v.Add("state", Validation.Text("UnknownValue", state, WireEnum.Accepted<MonitorState>()));
        }
        MonitorKind parsedKind = default;
        if (kind is not null && !WireEnum.TryParse(kind, out parsedKind))
        {
            v.Add("kind", Validation.Text("UnknownValue", kind, WireEnum.Accepted<MonitorKind>()));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var query = db.Monitors.AsNoTracking().Include(m => m.Component).AsQueryable();
        if (component is not null)
        {
            var c = await CatalogApi.Find(db.Components.AsNoTracking(), component, ct);
            var cid = c?.Id ?? Guid.Empty;
            query = query.Where(m => m.ComponentId == cid);
        }
        if (state is not null)
        {
            query = query.Where(m => m.State == parsedState);
        }
        if (kind is not null)
        {
            query = query.Where(m => m.Kind == parsedKind);
        }
        if (paused is { } p)
        {
            query = query.Where(m => m.Paused == p);
        }
        var rows = await query.OrderBy(m => m.Name).ThenBy(m => m.Id).Take(limit ?? 1000).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(m => ToDto(m, scheduler)).ToArray());
    }

    private static async Task<Results<Ok<MonitorDto>, ProblemHttpResult>> Get(Guid id, FukkyuDb db, MonitorScheduler scheduler, CancellationToken ct)
    {
        var m = await db.Monitors.AsNoTracking().Include(x => x.Component).FirstOrDefaultAsync(x => x.Id == id, ct);
        return m is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(ToDto(m, scheduler));
    }

    private static async Task<Results<Created<MonitorDto>, ValidationProblem, ProblemHttpResult>> Create(
        MonitorRequest req, HttpRequest http, FukkyuDb db, MonitorScheduler scheduler, IOptionsMonitor<MonitoringOptions> options, TimeProvider time, CancellationToken ct)
    {
        var result = await CreateAsync(db, req, MonitorManagedBy.Api, options.CurrentValue, time, ct);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (result.Conflict is { } conflict)
        {
            return TypedResults.Problem(new ProblemDetails { Status = 409, Detail = conflict });
        }
        scheduler.DefinitionsChanged();
        var m = result.Monitor!;
        return TypedResults.Created($"/api/v1/monitors/{m.Id}", ToDto(m, scheduler, HeartbeatUrl(http, result.Token)));
    }

    /// <summary>Validates and creates a monitor (shared by the API, the UI and the monitors file).</summary>
    internal static async Task<(HealthMonitor? Monitor, string? Token, Dictionary<string, string[]>? Errors, string? Conflict)> CreateAsync(
        FukkyuDb db, MonitorRequest req, MonitorManagedBy managedBy, MonitoringOptions options, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var m = new HealthMonitor { Name = "", CreatedAt = now, StateSince = now, ManagedBy = managedBy };
        var v = await ApplyAsync(db, m, req, creating: true, options, ct);
        if (!v.IsValid)
        {
            return (null, null, v.Errors, null);
        }
        if (m.Key is not null && await db.Monitors.AnyAsync(x => x.Key == m.Key, ct))
        {
            return (null, null, null, Validation.Text("KeyTaken", m.Key));
        }
        string? token = null;
        if (m.Kind == MonitorKind.Heartbeat)
        {
            token = NewToken();
            m.HeartbeatTokenHash = ApiKeyMaterial.Hash(token);
        }
        m.UpdatedAt = now;
        db.Monitors.Add(m);
        await db.SaveChangesAsync(ct);
        await db.Entry(m).Reference(x => x.Component).LoadAsync(ct);
        return (m, token, null, null);
    }

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static string? HeartbeatUrl(HttpRequest r, string? token) => token is null ? null : $"{r.Scheme}://{r.Host}{r.PathBase}/heartbeat/{token}";

    private static async Task<Results<Ok<MonitorDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, MonitorRequest req, FukkyuDb db, MonitorScheduler scheduler, MonitorRecorder recorder, IOptionsMonitor<MonitoringOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var m = await db.Monitors.Include(x => x.Component).FirstOrDefaultAsync(x => x.Id == id, ct);
        if (m is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var oldComponent = m.ComponentId;
        var v = await ApplyAsync(db, m, req, creating: false, options.CurrentValue, ct);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        if (req.Key is not null && req.Key != m.Key && await db.Monitors.AnyAsync(x => x.Key == req.Key && x.Id != id, ct))
        {
            return TypedResults.Problem(new ProblemDetails { Status = 409, Detail = Validation.Text("KeyTaken", req.Key) });
        }
        m.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        await db.Entry(m).Reference(x => x.Component).LoadAsync(ct);
        scheduler.DefinitionsChanged();
        await recorder.UpdateComponentsAsync(new[] { oldComponent, m.ComponentId }.Where(c => c is not null).Select(c => c!.Value).Distinct().ToList(), ct);
        return TypedResults.Ok(ToDto(m, scheduler));
    }

    /// <summary>Applies the fields that are set and validates the result as a whole.</summary>
    internal static async Task<Validation> ApplyAsync(FukkyuDb db, HealthMonitor m, MonitorRequest req, bool creating, MonitoringOptions options, CancellationToken ct)
    {
        var v = new Validation();
        v.Text("name", req.Name, 200, required: creating).Text("key", req.Key, 100);
        if (req.Name is not null && string.IsNullOrWhiteSpace(req.Name))
        {
            v.Add("name", Validation.Text("Required"));
        }
        if (creating)
        {
            v.Required("kind", req.Kind);
        }
        else if (req.Kind is { } k && k != m.Kind)
        {
            v.Add("kind", MonitoringStrings.T("KindImmutable"));
        }
        v.Range("intervalSeconds", req.IntervalSeconds, MonitorLimits.MinIntervalSeconds, MonitorLimits.MaxIntervalSeconds)
         .Range("timeoutMs", req.TimeoutMs, 1, MonitorLimits.MaxTimeoutMs)
         .Range("failureThreshold", req.FailureThreshold, 1, MonitorLimits.MaxThreshold)
         .Range("recoveryThreshold", req.RecoveryThreshold, 1, MonitorLimits.MaxThreshold);
        if (req.DownStatus is ComponentStatus.Operational or ComponentStatus.UnderMaintenance)
        {
            v.Add("downStatus", Validation.Text("UnknownValue", WireEnum.Name(req.DownStatus.Value), "degraded_performance, partial_outage, major_outage"));
        }
        Component? component = null;
        if (req.ComponentId is { Length: > 0 } cid)
        {
            component = cid.Length <= 100 ? await CatalogApi.Find(db.Components.AsNoTracking(), cid, ct) : null;
            if (component is null)
            {
                v.Add("componentId", Validation.Text("UnknownId", cid.Length <= 100 ? cid : cid[..100]));
            }
        }
        var kind = req.Kind ?? m.Kind;
        var settings = req.Settings ?? MonitorSettings.FromJson(m.Settings);
        if (creating || req.Settings is not null)
        {
            settings.Validate(kind, v, name => options.Connections.ContainsKey(name));
            if (settings.ToJson().Length > MonitorLimits.SettingsJson)
            {
                v.Add("settings", Validation.Text("MaxLength", MonitorLimits.SettingsJson, settings.ToJson().Length));
            }
        }
        var interval = req.IntervalSeconds ?? m.IntervalSeconds;
        var timeout = req.TimeoutMs ?? (creating ? Math.Min(5000, interval * 1000) : m.TimeoutMs);
        if (timeout > interval * 1000L)
        {
            // A check must end before the next is due: checks never pile up.
            v.Add("timeoutMs", MonitoringStrings.T("TimeoutOverInterval", interval * 1000));
        }
        if (!v.IsValid)
        {
            return v;
        }
        m.Key = req.Key is null ? m.Key : req.Key.Length == 0 ? null : req.Key.Trim();
        m.Name = req.Name?.Trim() ?? m.Name;
        m.Kind = kind;
        m.ComponentId = req.ComponentId is null ? m.ComponentId : component?.Id;
        m.IntervalSeconds = interval;
        m.TimeoutMs = timeout;
        m.FailureThreshold = req.FailureThreshold ?? m.FailureThreshold;
        m.RecoveryThreshold = req.RecoveryThreshold ?? m.RecoveryThreshold;
        m.Severity = req.Severity ?? m.Severity;
        m.DownStatus = req.DownStatus ?? m.DownStatus;
        m.Reconciliation = req.Reconciliation ?? m.Reconciliation;
        m.Settings = settings.ToJson();
        if (creating && req.Paused == true)
        {
            m.Paused = true;
            m.PausedAt = m.CreatedAt;
        }
        return v;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, FukkyuDb db, MonitorScheduler scheduler, MonitorRecorder recorder, TimeProvider time, CancellationToken ct)
    {
        var m = await db.Monitors.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (m is null)
        {
            return AuthApi.NotFoundProblem();
        }
        await db.Monitors.Where(x => x.Id == id).ExecuteDeleteAsync(ct);
        scheduler.DefinitionsChanged();
        // A deleted monitor's alert would stay open forever otherwise.
        await recorder.RaiseAlertsAsync([new MonitorTransition(m.Id, m.Name, m.ComponentId, m.Severity, m.State, MonitorState.Up, time.GetUtcNow().UtcDateTime, null, null)], ct);
        if (m.ComponentId is { } cid)
        {
            await recorder.UpdateComponentsAsync([cid], ct);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MonitorDto>, ValidationProblem, ProblemHttpResult>> Pause(
        Guid id, PauseRequest? req, ClaimsPrincipal user, FukkyuDb db, MonitorScheduler scheduler, MonitorRecorder recorder, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation().Text("reason", req?.Reason, 500);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var m = await SetPausedAsync(db, id, true, Actor.From(user).Name, time, ct);
        if (m is null)
        {
            return AuthApi.NotFoundProblem();
        }
        scheduler.DefinitionsChanged();
        if (m.ComponentId is { } cid)
        {
            await recorder.UpdateComponentsAsync([cid], ct);
        }
        return TypedResults.Ok(ToDto(m, scheduler));
    }

    private static async Task<Results<Ok<MonitorDto>, ProblemHttpResult>> Resume(
        Guid id, FukkyuDb db, MonitorScheduler scheduler, MonitorRecorder recorder, TimeProvider time, CancellationToken ct)
    {
        var m = await SetPausedAsync(db, id, false, null, time, ct);
        if (m is null)
        {
            return AuthApi.NotFoundProblem();
        }
        scheduler.DefinitionsChanged();
        if (m.ComponentId is { } cid)
        {
            await recorder.UpdateComponentsAsync([cid], ct);
        }
        return TypedResults.Ok(ToDto(m, scheduler));
    }

    /// <summary>Pauses or resumes (shared by the API and the UI); null when there is no such monitor.</summary>
    internal static async Task<HealthMonitor?> SetPausedAsync(FukkyuDb db, Guid id, bool paused, string? by, TimeProvider time, CancellationToken ct)
    {
        var m = await db.Monitors.Include(x => x.Component).FirstOrDefaultAsync(x => x.Id == id, ct);
        if (m is null)
        {
            return null;
        }
        if (m.Paused != paused)
        {
            var now = time.GetUtcNow().UtcDateTime;
            m.Paused = paused;
            m.PausedAt = paused ? now : null;
            m.PausedBy = paused ? by : null;
            m.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return m;
    }

    private static async Task<Results<Ok<CheckResultDto>, ProblemHttpResult>> Check(Guid id, FukkyuDb db, MonitorScheduler scheduler, CancellationToken ct)
    {
        var m = await db.Monitors.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (m is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var (r, recorded, state) = await scheduler.CheckNowAsync(m, ct);
        return TypedResults.Ok(new CheckResultDto(r.Up, Math.Round(r.LatencyMs, 2), r.Failure, r.Message, recorded, state));
    }

    private static async Task<Results<Ok<MonitorDto>, ProblemHttpResult>> RotateToken(Guid id, HttpRequest http, FukkyuDb db, MonitorScheduler scheduler, CancellationToken ct)
    {
        var m = await db.Monitors.Include(x => x.Component).FirstOrDefaultAsync(x => x.Id == id && x.Kind == MonitorKind.Heartbeat, ct);
        if (m is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var token = NewToken();
        m.HeartbeatTokenHash = ApiKeyMaterial.Hash(token);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToDto(m, scheduler, HeartbeatUrl(http, token)));
    }

    private static async Task<Results<Ok<object>, ProblemHttpResult>> Beat(string token, FukkyuDb db, HeartbeatBoard board, TimeProvider time, CancellationToken ct)
    {
        if (token.Length != 32 || !token.All(char.IsAsciiHexDigitLower))
        {
            return TypedResults.Problem(MonitoringStrings.T("UnknownHeartbeat"), statusCode: StatusCodes.Status404NotFound);
        }
        var hash = ApiKeyMaterial.Hash(token);
        var id = await db.Monitors.Where(m => m.HeartbeatTokenHash == hash && m.Kind == MonitorKind.Heartbeat).Select(m => (Guid?)m.Id).FirstOrDefaultAsync(ct);
        if (id is null)
        {
            return TypedResults.Problem(MonitoringStrings.T("UnknownHeartbeat"), statusCode: StatusCodes.Status404NotFound);
        }
        var now = time.GetUtcNow().UtcDateTime;
        await db.Monitors.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.LastBeatAt, now), ct);
        board.Beat(id.Value, now);
        return TypedResults.Ok<object>(new { ok = true, at = now });
    }

    private static async Task<Results<Ok<HistoryPointDto[]>, ValidationProblem, ProblemHttpResult>> History(
        Guid id, FukkyuDb db, TimeProvider time, string? granularity, DateTime? from, DateTime? to, CancellationToken ct)
    {
        var v = new Validation();
        if (granularity is not (null or "minute" or "hour"))
        {
            v.Add("granularity", Validation.Text("UnknownValue", granularity, "minute, hour"));
        }
        var hourly = granularity == "hour";
        var end = (to ?? time.GetUtcNow().UtcDateTime).ToUniversalTime();
        var start = (from ?? end - (hourly ? TimeSpan.FromHours(48) : TimeSpan.FromHours(1))).ToUniversalTime();
        if (end - start > (hourly ? TimeSpan.FromDays(400) : TimeSpan.FromHours(24)) || start > end)
        {
            v.Add("from", MonitoringStrings.T("RangeTooLong", hourly ? "400 d" : "24 h"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        if (!await db.Monitors.AnyAsync(m => m.Id == id, ct))
        {
            return AuthApi.NotFoundProblem();
        }
        var points = hourly
            ? await db.MonitorHours.AsNoTracking().Where(h => h.MonitorId == id && h.Hour >= start && h.Hour <= end).OrderBy(h => h.Hour)
                .Select(h => new { At = h.Hour, h.Checks, h.Failures, h.LatencySumUs, h.LatencyMaxUs }).ToListAsync(ct)
            : await db.MonitorMinutes.AsNoTracking().Where(h => h.MonitorId == id && h.Minute >= start && h.Minute <= end).OrderBy(h => h.Minute)
                .Select(h => new { At = h.Minute, h.Checks, h.Failures, h.LatencySumUs, h.LatencyMaxUs }).ToListAsync(ct);
        return TypedResults.Ok(points.Select(p => new HistoryPointDto(p.At, p.Checks, p.Failures,
            p.Checks == 0 ? null : Math.Round((p.Checks - p.Failures) / (double)p.Checks, 6),
            p.Checks == 0 ? null : Math.Round(p.LatencySumUs / 1000.0 / p.Checks, 2), Math.Round(p.LatencyMaxUs / 1000.0, 2))).ToArray());
    }

    private static async Task<Results<Ok<SampleDto[]>, ValidationProblem, ProblemHttpResult>> Samples(
        Guid id, FukkyuDb db, TimeProvider time, DateTime? from, DateTime? to, CancellationToken ct)
    {
        var end = (to ?? time.GetUtcNow().UtcDateTime).ToUniversalTime();
        var start = (from ?? end - TimeSpan.FromMinutes(10)).ToUniversalTime();
        if (end - start > TimeSpan.FromHours(1) || start > end)
        {
            return TypedResults.ValidationProblem(new Validation().Add("from", MonitoringStrings.T("RangeTooLong", "1 h")).Errors);
        }
        if (!await db.Monitors.AnyAsync(m => m.Id == id, ct))
        {
            return AuthApi.NotFoundProblem();
        }
        var firstMinute = new DateTime(start.Ticks - (start.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        var minutes = await db.MonitorMinutes.AsNoTracking().Where(m => m.MonitorId == id && m.Minute >= firstMinute && m.Minute <= end)
            .OrderBy(m => m.Minute).Select(m => new { m.Minute, m.Samples }).ToListAsync(ct);
        return TypedResults.Ok(minutes.SelectMany(m => SampleCodec.Decode(m.Minute, m.Samples))
            .Where(s => s.At >= start && s.At <= end).Select(s => new SampleDto(s.At, s.Up, s.LatencyMs, s.Failure)).ToArray());
    }

    private static async Task<Results<Ok<StateChangeDto[]>, ValidationProblem>> StateChanges(Guid id, FukkyuDb db, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 1000);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var rows = await db.MonitorStateChanges.AsNoTracking().Where(c => c.MonitorId == id).OrderByDescending(c => c.At).ThenByDescending(c => c.Id)
            .Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(c => new StateChangeDto(c.At, c.From, c.To, c.Message)).ToArray());
    }

    private static async Task<Results<Ok<MonitorStatsDto>, ValidationProblem>> Stats(MonitorScheduler scheduler, FukkyuDb db, int? window, CancellationToken ct)
    {
        var v = new Validation().Range("window", window, 1, 600);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var s = scheduler.Stats;
        using var process = Process.GetCurrentProcess();
        var monitors = scheduler.IsLeader ? scheduler.Runtimes.Count : await db.Monitors.CountAsync(m => !m.Paused, ct);
        return TypedResults.Ok(new MonitorStatsDto(scheduler.IsLeader, monitors, s.Window(TimeSpan.FromSeconds(window ?? 60)), s.Probes, s.Overruns, s.Up, s.Down,
            new ProcessDto(Math.Round(process.TotalProcessorTime.TotalSeconds, 2), Math.Round(process.WorkingSet64 / 1048576.0, 1),
                Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1), process.Threads.Count)));
    }

    private static async Task<Results<Ok<MonitorImportResult>, ValidationProblem>> Import(
        MonitorsDocument doc, bool? prune, FukkyuDb db, MonitorScheduler scheduler, IOptionsMonitor<MonitoringOptions> options, TimeProvider time, CancellationToken ct)
    {
        var (result, errors) = await MonitorsFile.ApplyAsync(db, doc, prune ?? false, options.CurrentValue, time, ct);
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors);
        }
        scheduler.DefinitionsChanged();
        return TypedResults.Ok(result!);
    }
}
