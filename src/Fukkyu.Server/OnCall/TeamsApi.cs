using System.Text.RegularExpressions;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

public sealed record TeamMemberDto(PersonRefDto Person, bool Lead);

public sealed record TeamDto(Guid Id, string Key, string Name, string NameJa, string NameEn, TeamKind Kind, bool IsDefault,
    string? Schedule, string? EscalationPolicy, TeamMemberDto[] Members, string[] Components, DateTime UpdatedAt);

public sealed record TeamMemberRequest(string? User, bool? Lead);

public sealed record TeamRequest(string? NameJa, string? NameEn, TeamKind? Kind, bool? IsDefault, string? Schedule, string? EscalationPolicy,
    TeamMemberRequest[]? Members, string[]? Components);

public static partial class TeamsApi
{
    public static IEndpointRouteBuilder MapTeams(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/teams").WithTags("On call");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{key}", Get).RequireAuthorization(Policies.Read);
        api.MapPut("/{key}", Put).RequireAuthorization(Policies.Command)
            .WithSummary("Create or replace a team: members (leads marked), owned components (ownership moves here), schedule, escalation policy.");
        api.MapDelete("/{key}", Delete).RequireAuthorization(Policies.Command);
        return app;
    }

    internal static IQueryable<Team> Query(FukkyuDb db) => db.Set<Team>().AsNoTracking()
        .Include(t => t.Members).ThenInclude(m => m.User).Include(t => t.Schedule).Include(t => t.EscalationPolicy).AsSplitQuery();

    internal static async Task<List<TeamDto>> ToDtosAsync(FukkyuDb db, List<Team> teams, CancellationToken ct)
    {
        var ids = teams.Select(t => t.Id).ToList();
        var owned = (await db.Set<TeamComponent>().AsNoTracking().Where(c => ids.Contains(c.TeamId)).Include(c => c.Component).ToListAsync(ct))
            .ToLookup(c => c.TeamId, c => c.Component!.Key);
        return [.. teams.Select(t => new TeamDto(t.Id, t.Key, t.Name(OnCallApi.Japanese), t.NameJa, t.NameEn, t.Kind, t.IsDefault, t.Schedule?.Key, t.EscalationPolicy?.Key,
            [.. t.Members.Where(m => m.User is not null).OrderByDescending(m => m.Lead).ThenBy(m => m.User!.UserName).Select(m => new TeamMemberDto(PersonRefDto.From(m.User!), m.Lead))],
            [.. owned[t.Id].Order(StringComparer.Ordinal)], t.UpdatedAt))];
    }

    private static async Task<Ok<TeamDto[]>> List(FukkyuDb db, CancellationToken ct)
    {
        var teams = await Query(db).OrderBy(t => t.Kind).ThenBy(t => t.Key).ToListAsync(ct);
        return TypedResults.Ok((await ToDtosAsync(db, teams, ct)).ToArray());
    }

    private static async Task<Results<Ok<TeamDto>, ProblemHttpResult>> Get(string key, FukkyuDb db, CancellationToken ct)
    {
        var team = await Query(db).FirstOrDefaultAsync(t => t.Key == key, ct);
        return team is null ? AuthApi.NotFoundProblem() : TypedResults.Ok((await ToDtosAsync(db, [team], ct))[0]);
    }

    private static async Task<Results<Ok<TeamDto>, Created<TeamDto>, ValidationProblem, ProblemHttpResult>> Put(
        string key, TeamRequest req, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        ValidateKey(v, key);
        v.Text("nameJa", req.NameJa, OnCallLimits.Name, required: true).Text("nameEn", req.NameEn, OnCallLimits.Name, required: true)
         .Text("schedule", req.Schedule, OnCallLimits.Key).Text("escalationPolicy", req.EscalationPolicy, OnCallLimits.Key)
         .Count("members", req.Members, OnCallLimits.Members).Count("components", req.Components, 5000);
        var members = await References.UsersAsync(db, v, "members", (req.Members ?? []).Select(m => m.User).ToList(), ct);
        var schedule = req.Schedule is null ? null : await db.Set<Schedule>().FirstOrDefaultAsync(s => s.Key == req.Schedule, ct);
        if (req.Schedule is not null && schedule is null)
        {
            v.Add("schedule", Validation.Text("UnknownId", req.Schedule));
        }
        var policy = req.EscalationPolicy is null ? null : await db.Set<EscalationPolicy>().FirstOrDefaultAsync(p => p.Key == req.EscalationPolicy, ct);
        if (req.EscalationPolicy is not null && policy is null)
        {
            v.Add("escalationPolicy", Validation.Text("UnknownId", req.EscalationPolicy));
        }
        var keys = (req.Components ?? []).Distinct().ToList();
        var components = await db.Components.Where(c => keys.Contains(c.Key)).ToListAsync(ct);
        foreach (var missing in keys.Except(components.Select(c => c.Key)))
        {
            v.Add("components", Validation.Text("UnknownId", missing));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var now = time.GetUtcNow().UtcDateTime;
        var team = await db.Set<Team>().Include(t => t.Members).FirstOrDefaultAsync(t => t.Key == key, ct);
        var created = team is null;
        team ??= new Team { Key = key, NameJa = "", NameEn = "", CreatedAt = now };
        if (created)
        {
            db.Add(team);
        }
        team.NameJa = req.NameJa!.Trim();
        team.NameEn = req.NameEn!.Trim();
        team.Kind = req.Kind ?? team.Kind;
        team.IsDefault = req.IsDefault ?? team.IsDefault;
        team.ScheduleId = schedule?.Id;
        team.EscalationPolicyId = policy?.Id;
        team.UpdatedAt = now;
        var wanted = new Dictionary<Guid, bool>();
        for (var i = 0; i < members.Count; i++)
        {
            wanted[members[i]] = (wanted.TryGetValue(members[i], out var lead) && lead) || (req.Members![i].Lead ?? false);
        }
        team.Members.RemoveAll(m => !wanted.ContainsKey(m.UserId));
        foreach (var (userId, lead) in wanted)
        {
            if (team.Members.FirstOrDefault(m => m.UserId == userId) is { } existing)
            {
                existing.Lead = lead;
            }
            else
            {
                team.Members.Add(new TeamMember { TeamId = team.Id, UserId = userId, Lead = lead });
            }
        }
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // Each component has one owner: owning it here moves it from any other team.
            var componentIds = components.Select(c => c.Id).ToList();
            await db.Set<TeamComponent>().Where(tc => tc.TeamId == team.Id || componentIds.Contains(tc.ComponentId)).ExecuteDeleteAsync(ct);
            foreach (var c in components)
            {
                db.Add(new TeamComponent { ComponentId = c.Id, TeamId = team.Id });
            }
            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch (DbUpdateException)
            {
                return TypedResults.Problem(new ProblemDetails { Status = 409, Detail = Validation.Text("Conflict") });
            }
        }
        var dto = (await ToDtosAsync(db, [await Query(db).FirstAsync(t => t.Id == team.Id, ct)], ct))[0];
        return created ? TypedResults.Created($"/api/v1/teams/{key}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string key, FukkyuDb db, CancellationToken ct)
    {
        var n = await db.Set<Team>().Where(t => t.Key == key).ExecuteDeleteAsync(ct);
        return n == 0 ? AuthApi.NotFoundProblem() : TypedResults.NoContent();
    }

    internal static void ValidateKey(Validation v, string key)
    {
        if (!KeyPattern().IsMatch(key))
        {
            v.Add("key", OnCallStrings.T("KeyFormat"));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial Regex KeyPattern();
}

/// <summary>Turns user names or ids in requests into user ids, naming each unknown one.</summary>
internal static class References
{
    public static async Task<List<Guid>> UsersAsync(FukkyuDb db, Validation v, string field, IReadOnlyList<string?> refs, CancellationToken ct)
    {
        var ids = refs.Select(r => Guid.TryParse(r, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
        var names = refs.Where(r => r is not null && !Guid.TryParse(r, out _)).Select(r => r!.ToLowerInvariant()).ToList();
        var found = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id) || names.Contains(u.UserName)).Select(u => new { u.Id, u.UserName }).ToListAsync(ct);
        var result = new List<Guid>();
        for (var i = 0; i < refs.Count; i++)
        {
            var r = refs[i];
            var hit = r is null ? null : Guid.TryParse(r, out var g) ? found.FirstOrDefault(u => u.Id == g) : found.FirstOrDefault(u => u.UserName == r.ToLowerInvariant());
            if (hit is null)
            {
                v.Add($"{field}[{i}]", r is null ? Validation.Text("Required") : Validation.Text("UnknownId", r));
                continue;
            }
            result.Add(hit.Id);
        }
        return result;
    }
}
