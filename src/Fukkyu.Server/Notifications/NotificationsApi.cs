using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Notifications;

public sealed record OutboxAttemptDto(DateTime At, bool Success, int? Code, string? Error, int DurationMs, string? Node);

/// <summary>An outgoing message as operators see it; payloads (which may hold secrets) stay inside.</summary>
public sealed record OutboxMessageDto(
    Guid Id, string Channel, string Recipient, string Purpose, string? Subject, OutboxState State, int Attempts,
    string? LastError, Guid? IncidentId, Guid? UserId, string? Reference, DateTime CreatedAt, DateTime DueAt, DateTime? DeliveredAt,
    OutboxAttemptDto[]? AttemptLog)
{
    public static OutboxMessageDto From(OutboxMessage m, IEnumerable<OutboxAttempt>? attempts = null) => new(
        m.Id, m.Channel, m.Recipient, m.Purpose, m.Subject, m.State, m.Attempts, m.LastError, m.IncidentId, m.UserId, m.Reference,
        m.CreatedAt, m.DueAt, m.DeliveredAt,
        attempts?.Select(a => new OutboxAttemptDto(a.At, a.Success, a.Code, a.Error, a.DurationMs, a.Node)).ToArray());
}

public static class NotificationsApi
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section);
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section);
        services.AddSingleton<WebhookSecrets>();
        services.AddHttpClient(WebhookSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        // Registered as themselves too: other channels reuse their SMTP pool and signing.
        services.AddSingleton<EmailSender>();
        services.AddSingleton<IOutboxSender>(sp => sp.GetRequiredService<EmailSender>());
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<IOutboxSender>(sp => sp.GetRequiredService<WebhookSender>());
        services.AddPush();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService<OutboxWorker>();
        services.AddHostedService<DeliveryRetentionWorker>();
        services.AddScoped<IPersonNotifier, EmailPersonNotifier>();
        return builder;
    }

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/outbox").WithTags("Outbox").RequireAuthorization(Policies.Admin);
        api.MapGet("/", List).WithSummary("Outgoing messages and their delivery state.");
        api.MapGet("/{id:guid}", Get).WithSummary("One message with every delivery attempt.");
        api.MapPost("/{id:guid}/retry", Retry).WithSummary("Send a failed message again now.");
        return app;
    }

    private static async Task<Results<Ok<OutboxMessageDto[]>, ValidationProblem>> List(
        FukkyuDb db, string? state, string? channel, Guid? incidentId, int? limit, CancellationToken ct)
    {
        var v = new Validation().Range("limit", limit, 1, 1000).Text("channel", channel, 40);
        OutboxState parsed = default;
        if (state is not null && !WireEnum.TryParse(state, out parsed))
        {
            v.Add("state", Validation.Text("UnknownValue", state, WireEnum.Accepted<OutboxState>()));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var q = db.Set<OutboxMessage>().AsNoTracking();
        if (state is not null)
        {
            q = q.Where(m => m.State == parsed);
        }
        if (channel is not null)
        {
            q = q.Where(m => m.Channel == channel);
        }
        if (incidentId is { } iid)
        {
            q = q.Where(m => m.IncidentId == iid);
        }
        var rows = await q.OrderByDescending(m => m.CreatedAt).Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(m => OutboxMessageDto.From(m)).ToArray());
    }

    private static async Task<Results<Ok<OutboxMessageDto>, ProblemHttpResult>> Get(Guid id, FukkyuDb db, CancellationToken ct)
    {
        var m = await db.Set<OutboxMessage>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (m is null)
        {
            return AuthApi.NotFoundProblem();
        }
        var attempts = await db.Set<OutboxAttempt>().AsNoTracking().Where(a => a.MessageId == id).OrderBy(a => a.Id).ToListAsync(ct);
        return TypedResults.Ok(OutboxMessageDto.From(m, attempts));
    }

    private static async Task<Results<Ok<OutboxMessageDto>, ProblemHttpResult>> Retry(Guid id, FukkyuDb db, TimeProvider time, WorkSignals signals, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var n = await db.Set<OutboxMessage>().Where(m => m.Id == id && m.State == OutboxState.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Pending).SetProperty(m => m.DueAt, now), ct);
        if (n == 0)
        {
            return AuthApi.NotFoundProblem();
        }
        signals.Outbox.Set();
        var m = await db.Set<OutboxMessage>().AsNoTracking().FirstAsync(x => x.Id == id, ct);
        return TypedResults.Ok(OutboxMessageDto.From(m));
    }
}
