using System.Security.Claims;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Recovery;

public sealed record ConfirmationRequest(string? Component, string? Note);

public sealed record ConfirmationDto(Guid Id, string Component, DateTime At, string By, string? Note);

public static class RecoveryApi
{
    public const string TimelineKind = "recovery_confirmed";

    public static IHostApplicationBuilder AddRecovery(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RecoveryOptions>().BindConfiguration(RecoveryOptions.Section)
            .Validate(o => new[] { o.HoldMinutesLevel1, o.HoldMinutesLevel2, o.HoldMinutesLevel3 }.All(m => m is >= 0 and <= 24 * 60),
                "Fukkyu:Recovery hold periods must be 0–1440 minutes.")
            .ValidateOnStart();
        services.AddScoped<RecoveryGate>();
        services.AddScoped<ITransitionGuard>(sp => sp.GetRequiredService<RecoveryGate>());
        services.AddSingleton<ITimelineDescriber, RecoveryTimelineDescriber>();
        services.AddUiPanel<Pages.RecoveryPanel>(UiPanels.Incident, 25);
        return builder;
    }

    public static IEndpointRouteBuilder MapRecovery(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/incidents/{id}/recovery").WithTags("Recovery");
        api.MapGet("/", Status).RequireAuthorization(Policies.Read).WithName("GetRecoveryGate")
            .WithSummary("Where the incident stands against the recovery gate (verifying → resolved) and exactly what is missing.");
        api.MapPost("/confirmations", Confirm).RequireAuthorization(Policies.Respond).WithName("ConfirmRecovery")
            .WithSummary("Confirm by hand that an unmonitored component works again (while verifying).");
        return app;
    }

    private static async Task<Results<Ok<RecoveryStatus>, ProblemHttpResult>> Status(string id, ClaimsPrincipal user, IncidentService incidents, RecoveryGate gate, FukkyuDb db, CancellationToken ct)
    {
        var incident = await incidents.FindAsync(id, Caller.From(user), tracking: false, ct);
        return incident is null ? AuthApi.NotFoundProblem() : TypedResults.Ok(await gate.EvaluateAsync(db, incident, ct));
    }

    private static async Task<Results<Created<ConfirmationDto>, ValidationProblem, ProblemHttpResult>> Confirm(
        string id, ConfirmationRequest req, ClaimsPrincipal user, FukkyuDb db, IncidentService incidents, TimeProvider time, ChangeSignal signal, CancellationToken ct)
    {
        var v = new Validation().Text("component", req.Component, 100, required: true).Text("note", req.Note, IncidentLimits.Reason);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await ConfirmAsync(db, incidents, id, req.Component!, req.Note, Caller.From(user), time, signal, ct);
        return result.Error switch
        {
            null => TypedResults.Created($"/api/v1/incidents/{id}/recovery",
                new ConfirmationDto(result.Value!.Id, result.Value.ComponentKey, result.Value.At, result.Value.ByName, result.Value.Note)),
            InvalidError e => TypedResults.ValidationProblem(e.Errors),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    /// <summary>Records a person's confirmation and puts it on the timeline; shared by the API and the incident page.</summary>
    internal static async Task<OpResult<RecoveryConfirmation>> ConfirmAsync(FukkyuDb db, IncidentService incidents, string id, string component, string? note,
        Caller caller, TimeProvider time, ChangeSignal signal, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var incident = await incidents.FindAsync(id, caller, tracking: true, ct);
            if (incident is null)
            {
                return NotFoundError.Instance;
            }
            var ic = incident.Components.FirstOrDefault(c => c.Component?.Key == component || c.ComponentId.ToString() == component);
            if (ic is null)
            {
                return new InvalidError(new() { ["component"] = [RecoveryStrings.T("NotAffected", component)] });
            }
            if (incident.Status != IncidentStatus.Verifying)
            {
                return new ConflictError("not-verifying", RecoveryStrings.T("ConfirmWhileVerifying", WireEnum.Name(incident.Status)));
            }
            var now = time.GetUtcNow().UtcDateTime;
            var row = new RecoveryConfirmation
            {
                IncidentId = incident.Id,
                ComponentId = ic.ComponentId,
                ComponentKey = ic.Component!.Key,
                At = now,
                ById = caller.Actor.UserId,
                ByName = caller.Actor.Name,
                Note = note?.Trim(),
            };
            db.Add(row);
            Timeline.Append(db, incident, caller.Actor, now, TimelineKind, row.Note,
                new { component = row.ComponentKey, name = ic.Component.NameJa + " / " + ic.Component.NameEn });
            try
            {
                await db.SaveChangesAsync(ct);
                signal.Raise(ChangeSignal.Incidents);
                return row;
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                // The timeline moved on underneath; a confirmation never conflicts with anything.
            }
        }
    }

    public static void ConfigureRecovery(this ModelBuilder b) => b.Entity<RecoveryConfirmation>(e =>
    {
        e.ToTable("recovery_confirmations");
        e.HasIndex(c => new { c.IncidentId, c.ComponentId });
        e.Property(c => c.ComponentKey).HasMaxLength(100);
        e.Property(c => c.ByName).HasMaxLength(200);
        e.Property(c => c.Note).HasMaxLength(IncidentLimits.Reason);
        e.HasOne<Incident>().WithMany().HasForeignKey(c => c.IncidentId).OnDelete(DeleteBehavior.Cascade);
    });
}

internal sealed class RecoveryTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry e, JsonElement d)
    {
        if (e.Kind != RecoveryApi.TimelineKind)
        {
            return null;
        }
        var name = d.ValueKind == JsonValueKind.Object && d.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
        var parts = name.Split(" / ", 2);
        return RecoveryStrings.T("TlConfirmed", parts.Length == 2 ? (Texts.Japanese ? parts[0] : parts[1]) : name);
    }
}
