namespace Fukkyu.Server.Alerts;

/// <summary>
/// Folds events into alerts, PagerDuty's way: events with the same source and dedup key apply
/// to the same open alert; acknowledge and resolve without an open alert are dropped; a trigger
/// after a resolve opens a new alert. On top of that, flap control: a key that changed between
/// firing and resolved <see cref="AlertOptions.FlapThreshold"/> times within the window reopens
/// its last alert instead of adding rows, and routing stays quiet until it settles.
/// Pure logic over what the committer loaded, so it is tested without a database.
/// </summary>
public sealed class AlertFolding(AlertOptions options, IReadOnlyDictionary<string, Guid> componentKeys)
{
    private readonly Dictionary<(Guid, string), Alert> _latest = [];
    private readonly List<Alert> _added = [];

    /// <summary>Alerts created while folding; the caller adds them to the unit of work.</summary>
    public IReadOnlyList<Alert> Added => _added;

    /// <summary>Events that were dropped (acknowledge/resolve without an open alert).</summary>
    public int Dropped { get; private set; }

    /// <summary>Seeds the latest alert per key: the open one, else the most recently resolved.</summary>
    public void Load(IEnumerable<Alert> alerts)
    {
        foreach (var a in alerts)
        {
            var key = (a.SourceId, a.DedupKey);
            if (!_latest.TryGetValue(key, out var current) || Later(a, current))
            {
                _latest[key] = a;
            }
        }
    }

    private static bool Later(Alert candidate, Alert current) =>
        candidate.IsOpen || (!current.IsOpen && (candidate.ResolvedAt, candidate.FirstSeenAt, candidate.Id).CompareTo((current.ResolvedAt, current.FirstSeenAt, current.Id)) > 0);

    public void Apply(AlertEvent e)
    {
        var key = (e.Sender.Id, e.DedupKey);
        _latest.TryGetValue(key, out var latest);
        switch (e.Action)
        {
            case AlertAction.Trigger:
                Trigger(e, key, latest);
                break;
            case AlertAction.Acknowledge when latest is { IsOpen: true }:
                Touch(latest, e);
                if (latest.Status == AlertStatus.Triggered)
                {
                    latest.Status = AlertStatus.Acknowledged;
                    latest.AcknowledgedAt = e.ReceivedAt;
                    latest.StateSeq++;
                }
                break;
            case AlertAction.Resolve when latest is { IsOpen: true }:
                Touch(latest, e);
                latest.Status = AlertStatus.Resolved;
                latest.ResolvedAt = e.ReceivedAt;
                latest.StateSeq++;
                CountChange(latest, e.ReceivedAt);
                latest.NeedsRouting = !latest.Flapping;
                break;
            default:
                Dropped++;
                break;
        }
    }

    private void Trigger(AlertEvent e, (Guid, string) key, Alert? latest)
    {
        if (latest is { IsOpen: true })
        {
            Touch(latest, e);
            Describe(latest, e);
            return;
        }
        var window = TimeSpan.FromSeconds(options.FlapWindowSeconds);
        var recent = latest is { ResolvedAt: { } resolvedAt } && e.ReceivedAt - resolvedAt <= window ? latest : null;
        if (recent is not null)
        {
            var changes = (e.ReceivedAt - recent.WindowStartedAt <= window ? recent.StateChanges : 0) + 1;
            if (recent.Flapping || changes >= options.FlapThreshold)
            {
                // Flapping: reopen the last alert rather than add a row per cycle, and keep
                // routing quiet; the router acts once the key has settled.
                Touch(recent, e);
                Describe(recent, e);
                CountChange(recent, e.ReceivedAt);
                recent.Status = AlertStatus.Triggered;
                recent.StateSeq++;
                recent.ResolvedAt = null;
                recent.AcknowledgedAt = null;
                recent.Flapping = true;
                recent.NeedsRouting = false;
                return;
            }
        }
        var alert = new Alert
        {
            Origin = e.Sender.Origin,
            SourceId = e.Sender.Id,
            SourceName = Truncate(e.Sender.Name, AlertLimits.Name),
            DedupKey = e.DedupKey,
            Summary = e.Summary ?? e.DedupKey,
            FirstSeenAt = e.ReceivedAt,
            LastSeenAt = e.ReceivedAt,
            LastChangeAt = e.ReceivedAt,
            StartedAt = e.OccurredAt,
            Count = 1,
            StateChanges = recent is null ? 1 : (e.ReceivedAt - recent.WindowStartedAt <= window ? recent.StateChanges : 0) + 1,
            WindowStartedAt = recent is not null && e.ReceivedAt - recent.WindowStartedAt <= window ? recent.WindowStartedAt : e.ReceivedAt,
            NeedsRouting = true,
            StateSeq = 1,
        };
        Describe(alert, e);
        _latest[key] = alert;
        _added.Add(alert);
    }

    private static void Touch(Alert a, AlertEvent e)
    {
        a.Count++;
        if (e.ReceivedAt > a.LastSeenAt)
        {
            a.LastSeenAt = e.ReceivedAt;
        }
    }

    private void CountChange(Alert a, DateTime at)
    {
        if (at - a.WindowStartedAt > TimeSpan.FromSeconds(options.FlapWindowSeconds))
        {
            a.WindowStartedAt = at;
            a.StateChanges = 0;
        }
        a.StateChanges++;
        a.LastChangeAt = at;
    }

    /// <summary>The latest trigger describes the alert: summary, severity, details.</summary>
    private void Describe(Alert a, AlertEvent e)
    {
        if (e.Summary is { Length: > 0 } summary)
        {
            a.Summary = summary;
        }
        a.Severity = e.Severity ?? a.Severity;
        a.Source = e.Source ?? a.Source;
        a.ComponentName = e.Component ?? a.ComponentName;
        a.ComponentId = ResolveComponent(e) ?? a.ComponentId;
        a.Group = e.Group ?? a.Group;
        a.Class = e.Class ?? a.Class;
        a.Labels = e.Labels ?? a.Labels;
        a.Details = e.Details ?? a.Details;
        a.Links = e.Links ?? a.Links;
        a.Images = e.Images ?? a.Images;
        a.Client = e.Client ?? a.Client;
        a.ClientUrl = e.ClientUrl ?? a.ClientUrl;
        if (e.OccurredAt is { } occurred && (a.StartedAt is null || occurred < a.StartedAt))
        {
            a.StartedAt = occurred;
        }
    }

    private Guid? ResolveComponent(AlertEvent e)
    {
        // A component the sender names (by key, via the catalog) wins over the integration's own.
        if (e.Component is { Length: > 0 } name && componentKeys.TryGetValue(name, out var id))
        {
            return id;
        }
        return e.Sender.ComponentId;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
