using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExchangeSimulator;

/// <summary>
/// A fault to inject. <see cref="Type"/> decides which fields matter; see README.md for each.
/// <see cref="DurationSeconds"/> makes it clear itself.
/// </summary>
public sealed record FaultSpec(
    string? Type,
    string? Id = null,
    string? Pair = null,
    string? Asset = null,
    string? Network = null,
    string? Chain = null,
    string? Direction = null,
    string? Status = null,
    long? Blocks = null,
    int? Count = null,
    int? AgeSeconds = null,
    double? Rate = null,
    int? Ms = null,
    string? Path = null,
    decimal? AmountPerSecond = null,
    int? StatusCode = null,
    int? DurationSeconds = null);

public sealed class ActiveFault(string id, FaultSpec spec, DateTimeOffset startedAt)
{
    private long _requests;

    public string Id { get; } = id;
    public FaultSpec Spec { get; } = spec;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public DateTimeOffset? EndsAt => Spec.DurationSeconds is { } d ? StartedAt.AddSeconds(d) : null;

    /// <summary>
    /// Deterministic error rate: the n-th matching request fails exactly when ⌊n·rate⌋ grows,
    /// so 0.25 fails every fourth request — no randomness to make a test or a demo flaky.
    /// </summary>
    public bool NextRequestFails()
    {
        var n = Interlocked.Increment(ref _requests);
        var rate = Math.Clamp(Spec.Rate ?? 0, 0, 1);
        return Math.Floor(n * rate) > Math.Floor((n - 1) * rate);
    }

    public bool AppliesTo(string path) => Spec.Path is not { Length: > 0 } prefix || path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
}

/// <summary>One step of a scenario: inject a fault, or clear one (by id) or all, at a time after the start.</summary>
public sealed record ScenarioStep(double At, FaultSpec? Inject, string? Clear);

public sealed record Scenario(ScenarioStep[]? Steps);

public static class FaultTypes
{
    public const string StallTicker = "stall_ticker";
    public const string Latency = "latency";
    public const string ErrorRate = "error_rate";
    public const string Halt = "halt";
    public const string NodeLag = "node_lag";
    public const string QueueBacklog = "queue_backlog";
    public const string HotWalletOutflow = "hot_wallet_outflow";
    public const string WebsiteDown = "website_down";
    public const string AppDown = "app_down";

    public static readonly string[] All = [StallTicker, Latency, ErrorRate, Halt, NodeLag, QueueBacklog, HotWalletOutflow, WebsiteDown, AppDown];

    /// <summary>What is wrong with a fault, in words a person fixes in one go.</summary>
    public static List<string> Validate(FaultSpec f)
    {
        var errors = new List<string>();
        if (f.Type is null || !All.Contains(f.Type))
        {
            errors.Add($"type: '{f.Type}' is not one of {string.Join(", ", All)}");
            return errors;
        }
        if (f.Id is { Length: > 64 })
        {
            errors.Add("id: at most 64 characters");
        }
        if (f.DurationSeconds is <= 0 or > 86_400)
        {
            errors.Add("durationSeconds: between 1 and 86400");
        }
        switch (f.Type)
        {
            case StallTicker or Halt:
                RequirePair(f, errors);
                break;
            case Latency:
                if (f.Ms is not (>= 1 and <= 120_000))
                {
                    errors.Add("ms: required, between 1 and 120000");
                }
                break;
            case ErrorRate:
                if (f.Rate is not (> 0 and <= 1))
                {
                    errors.Add("rate: required, above 0 and at most 1");
                }
                if (f.StatusCode is { } s && s is < 400 or > 599)
                {
                    errors.Add("statusCode: between 400 and 599");
                }
                break;
            case NodeLag:
                if (f.Chain is null || !Exchange.Chains.Any(c => c.Name == f.Chain))
                {
                    errors.Add($"chain: one of {string.Join(", ", Exchange.Chains.Select(c => c.Name))}");
                }
                if (f.Blocks is not (>= 1 and <= 1_000_000))
                {
                    errors.Add("blocks: required, between 1 and 1000000");
                }
                break;
            case QueueBacklog:
                if (f.Direction is not ("deposit" or "withdrawal"))
                {
                    errors.Add("direction: deposit or withdrawal");
                }
                else if (f.Status is null || !Exchange.QueueStatuses(f.Direction).Contains(f.Status))
                {
                    errors.Add($"status: one of {string.Join(", ", Exchange.QueueStatuses(f.Direction))}");
                }
                RequireAsset(f, errors);
                if (f.Count is not (>= 1 and <= 1_000_000))
                {
                    errors.Add("count: required, between 1 and 1000000");
                }
                if (f.AgeSeconds is < 0 or > 30 * 86_400)
                {
                    errors.Add("ageSeconds: between 0 and 2592000");
                }
                break;
            case HotWalletOutflow:
                RequireAsset(f, errors);
                if (f.AmountPerSecond is not (> 0))
                {
                    errors.Add("amountPerSecond: required, above 0");
                }
                break;
            case WebsiteDown or AppDown:
                if (f.StatusCode is { } code && code is < 400 or > 599)
                {
                    errors.Add("statusCode: between 400 and 599");
                }
                break;
        }
        return errors;
    }

    private static void RequirePair(FaultSpec f, List<string> errors)
    {
        if (f.Pair is null || !Exchange.Pairs.Any(p => p.Name == f.Pair))
        {
            errors.Add($"pair: one of {string.Join(", ", Exchange.Pairs.Select(p => p.Name))}");
        }
    }

    private static void RequireAsset(FaultSpec f, List<string> errors)
    {
        if (f.Asset is null || !Exchange.Networks.Any(n => n.Asset == f.Asset && (f.Network is null || n.Network == f.Network)))
        {
            errors.Add($"asset/network: one of {string.Join(", ", Exchange.Networks.Select(n => n.Asset + "/" + n.Network))}");
        }
    }
}

/// <summary>
/// The faults in force, and scenario steps waiting for their time. Steps are applied when the
/// exchange is next asked anything, against the injected clock, so a scenario plays the same
/// way every time.
/// </summary>
public sealed class FaultBoard
{
    private readonly object _lock = new();
    private readonly List<ActiveFault> _active = [];
    private readonly List<(DateTimeOffset At, ScenarioStep Step)> _scheduled = [];
    private int _next;

    public ActiveFault Inject(FaultSpec spec, DateTimeOffset now)
    {
        lock (_lock)
        {
            var id = spec.Id ?? $"f{++_next}";
            _active.RemoveAll(f => f.Id == id);
            var fault = new ActiveFault(id, spec with { Id = id }, now);
            _active.Add(fault);
            return fault;
        }
    }

    public bool Clear(string id)
    {
        lock (_lock)
        {
            return _active.RemoveAll(f => f.Id == id) > 0;
        }
    }

    public void ClearAll()
    {
        lock (_lock)
        {
            _active.Clear();
            _scheduled.Clear();
        }
    }

    /// <summary>Validates and schedules steps relative to <paramref name="start"/>; nothing is scheduled if any step is invalid.</summary>
    public List<string> Schedule(IReadOnlyList<ScenarioStep> steps, DateTimeOffset start)
    {
        var errors = new List<string>();
        for (var i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            if (s.At is < 0 or > 86_400)
            {
                errors.Add($"steps[{i}].at: between 0 and 86400 seconds");
            }
            if ((s.Inject is null) == (s.Clear is null))
            {
                errors.Add($"steps[{i}]: exactly one of inject or clear");
            }
            if (s.Inject is { } f)
            {
                errors.AddRange(FaultTypes.Validate(f).Select(e => $"steps[{i}].inject.{e}"));
            }
        }
        if (errors.Count == 0)
        {
            lock (_lock)
            {
                _scheduled.AddRange(steps.Select(s => (start.AddSeconds(s.At), s)));
                _scheduled.Sort((a, b) => a.At.CompareTo(b.At));
            }
        }
        return errors;
    }

    /// <summary>The faults in force at <paramref name="now"/>, after due steps and expiries.</summary>
    public List<ActiveFault> Active(DateTimeOffset now)
    {
        lock (_lock)
        {
            while (_scheduled.Count > 0 && _scheduled[0].At <= now)
            {
                var (at, step) = _scheduled[0];
                _scheduled.RemoveAt(0);
                if (step.Inject is { } spec)
                {
                    var id = spec.Id ?? $"f{++_next}";
                    _active.RemoveAll(f => f.Id == id);
                    _active.Add(new ActiveFault(id, spec with { Id = id }, at));
                }
                else if (step.Clear == "all")
                {
                    _active.Clear();
                }
                else
                {
                    _active.RemoveAll(f => f.Id == step.Clear);
                }
            }
            _active.RemoveAll(f => f.EndsAt <= now);
            return [.. _active];
        }
    }

    public List<object> Pending()
    {
        lock (_lock)
        {
            return [.. _scheduled.Select(s => (object)new { at = s.At, inject = s.Step.Inject, clear = s.Step.Clear })];
        }
    }
}

public static class ScenarioParser
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static List<ScenarioStep>? Parse(string json, out List<string> errors)
    {
        errors = [];
        try
        {
            var scenario = JsonSerializer.Deserialize<Scenario>(json, Json);
            if (scenario?.Steps is null)
            {
                errors.Add("steps: required");
                return null;
            }
            if (scenario.Steps.Length > 1000)
            {
                errors.Add("steps: at most 1000");
                return null;
            }
            return [.. scenario.Steps];
        }
        catch (JsonException e)
        {
            errors.Add($"not valid JSON: {e.Message}");
            return null;
        }
    }
}
