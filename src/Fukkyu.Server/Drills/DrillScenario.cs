using System.Reflection;
using System.Resources;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Drills;

/// <summary>One HTTP call to the simulator: inject a fault, or clear it.</summary>
public sealed record FaultCall(string? Method, string? Path, JsonNode? Body);

public sealed record ScenarioComponent(string? Id, ComponentImpact? Impact);

public sealed record ScenarioIncident(
    string? TitleJa, string? TitleEn, ComponentCategory? Category, ImpactScope? ImpactScope, int? ExpectedRecoveryMinutes,
    bool? Security, ScenarioComponent[]? Components);

/// <summary>Minutes after the fault by which each milestone should be reached.</summary>
public sealed record DrillTargets(int? AcknowledgeMinutes, int? RecoveryStartedMinutes, int? RecoveredMinutes, int? ResolvedMinutes);

/// <summary>
/// A drill scenario: the incident it simulates, how to inject its fault into the simulator and
/// clear it again, and the times the team should beat. Templates ship with Fukkyu; a scenario
/// stored under the same key overrides its template.
/// </summary>
public sealed record DrillScenarioDef(
    string? Key, string? NameJa, string? NameEn, string? DescriptionJa, string? DescriptionEn,
    ScenarioIncident? Incident, FaultCall? Inject, FaultCall? Clear, DrillTargets? Targets)
{
    public string Name(bool japanese) => (japanese ? NameJa : NameEn) ?? Key ?? "";
}

/// <summary>A scenario stored in the database (custom, or overriding a template).</summary>
public sealed class DrillScenarioRow : IVersioned
{
    public required string Key { get; set; }
    public required string Definition { get; set; }
    public string? UpdatedByName { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>Texts of drills (DrillStrings.resx, DrillStrings.ja.resx).</summary>
public sealed class DrillStrings
{
    internal static readonly ResourceManager Resources = new(typeof(DrillStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    public static string In(string lang, string key, params object?[] args) => Texts.Format(Resources, key, lang, args);
}

public static class DrillScenarios
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpDefaults.ConfigureJson(o);
        return o;
    }

    private static readonly Lazy<IReadOnlyList<DrillScenarioDef>> Shipped = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Fukkyu.Server.Drills.drill-scenarios.json")
            ?? throw new InvalidOperationException("The drill scenario templates are missing from the build.");
        var doc = JsonSerializer.Deserialize<TemplateFile>(stream, Json)!;
        return doc.Scenarios;
    });

    private sealed record TemplateFile(DrillScenarioDef[] Scenarios);

    /// <summary>The five shipped templates (stale BTC/JPY book, ETH node lag, hot-wallet outflow, website down, database failover).</summary>
    public static IReadOnlyList<DrillScenarioDef> Templates => Shipped.Value;

    /// <summary>Templates merged with stored scenarios; a stored one wins over the template of the same key.</summary>
    public static async Task<List<(DrillScenarioDef Scenario, bool Template, bool Overridden)>> AllAsync(FukkyuDb db, CancellationToken ct)
    {
        var stored = await db.Set<DrillScenarioRow>().AsNoTracking().ToListAsync(ct);
        var result = new List<(DrillScenarioDef, bool, bool)>();
        foreach (var t in Templates)
        {
            var over = stored.FirstOrDefault(s => s.Key == t.Key);
            result.Add((over is null ? t : Parse(over.Definition) ?? t, true, over is not null));
        }
        foreach (var s in stored.Where(s => Templates.All(t => t.Key != s.Key)).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (Parse(s.Definition) is { } def)
            {
                result.Add((def, false, false));
            }
        }
        return result;
    }

    public static async Task<DrillScenarioDef?> FindAsync(FukkyuDb db, string key, CancellationToken ct) =>
        (await AllAsync(db, ct)).Select(x => x.Scenario).FirstOrDefault(s => s.Key == key);

    private static DrillScenarioDef? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DrillScenarioDef>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public const int MaxBodyBytes = 16_000;

    /// <summary>Everything a scenario needs to be runnable, field by field.</summary>
    public static Validation Validate(DrillScenarioDef s, IReadOnlyCollection<string> knownComponents)
    {
        var v = new Validation();
        v.Text("key", s.Key, 60, required: true).Text("nameJa", s.NameJa, 200, required: true).Text("nameEn", s.NameEn, 200, required: true)
         .Text("descriptionJa", s.DescriptionJa, 4000).Text("descriptionEn", s.DescriptionEn, 4000)
         .RequiredObject("incident", s.Incident);
        if (s.Key is { Length: > 0 } key && !System.Text.RegularExpressions.Regex.IsMatch(key, "^[a-z0-9][a-z0-9-]{0,59}$"))
        {
            v.Add("key", DrillStrings.T("KeyFormat"));
        }
        if (s.Incident is { } i)
        {
            v.Text("incident.titleJa", i.TitleJa, 150, required: true).Text("incident.titleEn", i.TitleEn, 150, required: true)
             .Required("incident.category", i.Category).Required("incident.impactScope", i.ImpactScope)
             .Range("incident.expectedRecoveryMinutes", i.ExpectedRecoveryMinutes, 0, IncidentsApi.MaxExpectedRecoveryMinutes)
             .Count("incident.components", i.Components, IncidentLimits.Components);
            foreach (var c in i.Components ?? [])
            {
                if (c.Id is null || !knownComponents.Contains(c.Id))
                {
                    v.Add("incident.components", Validation.Text("UnknownId", c.Id));
                }
            }
        }
        ValidateCall(v, "inject", s.Inject);
        ValidateCall(v, "clear", s.Clear);
        if (s.Targets is { } t)
        {
            v.Range("targets.acknowledgeMinutes", t.AcknowledgeMinutes, 1, 10_000).Range("targets.recoveryStartedMinutes", t.RecoveryStartedMinutes, 1, 10_000)
             .Range("targets.recoveredMinutes", t.RecoveredMinutes, 1, 10_000).Range("targets.resolvedMinutes", t.ResolvedMinutes, 1, 10_000);
        }
        return v;
    }

    private static void ValidateCall(Validation v, string field, FaultCall? call)
    {
        if (call is null)
        {
            return; // a tabletop drill: nothing to inject
        }
        if (call.Method?.ToUpperInvariant() is not ("POST" or "PUT" or "DELETE" or "PATCH" or "GET"))
        {
            v.Add(field + ".method", Validation.Text("UnknownValue", call.Method, "POST, PUT, PATCH, DELETE, GET"));
        }
        // Only a path: the host is the configured simulator, never something a scenario chooses.
        if (call.Path is not { Length: > 0 and <= 500 } path || !path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Contains('\\') || path.Contains("://", StringComparison.Ordinal))
        {
            v.Add(field + ".path", DrillStrings.T("PathFormat"));
        }
        if (call.Body is not null && call.Body.ToJsonString().Length > MaxBodyBytes)
        {
            v.Add(field + ".body", Validation.Text("MaxLength", MaxBodyBytes, call.Body.ToJsonString().Length));
        }
    }
}
