using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Incidents;

public enum IncidentChangeKind
{
    Declared,
    StatusChanged,
    LevelChanged,
    CommanderChanged,
    MembersChanged,
    Updated,
    NoteAdded,
}

/// <summary>
/// A change to an incident, handed to every <see cref="IIncidentListener"/> before it is saved.
/// <see cref="Db"/> is the same unit of work, so what a listener adds (outbox messages, timers,
/// timeline entries) commits or fails together with the change. <see cref="Crowded"/> is set on a
/// declaration while others queue behind it: a listener whose work does not lead to a page then
/// schedules it as a job in this unit of work instead (docs/decisions/049-declarations-under-load.md).
/// </summary>
public sealed record IncidentChange(
    FukkyuDb Db,
    Incident Incident,
    IncidentChangeKind Kind,
    Actor Actor,
    DateTime At,
    IncidentStatus? FromStatus = null,
    int? FromLevel = null,
    bool Crowded = false);

/// <summary>Extension point for features that react to incident changes (paging, notices, filings).</summary>
public interface IIncidentListener
{
    Task OnChangingAsync(IncidentChange change, CancellationToken ct);
}

/// <summary>
/// Extension point that may refuse a lifecycle transition, e.g. the recovery gate on
/// verifying → resolved. Reasons are shown to the person, so they say exactly what is missing.
/// </summary>
public interface ITransitionGuard
{
    Task<IReadOnlyList<string>> CheckAsync(FukkyuDb db, Incident incident, IncidentStatus to, TransitionContext context, CancellationToken ct);
}

/// <summary>What the person asked for with the transition: a note, and an override reason for guards that allow one.</summary>
public sealed record TransitionContext(Actor Actor, string? Note, string? OverrideReason, bool CanOverride);
