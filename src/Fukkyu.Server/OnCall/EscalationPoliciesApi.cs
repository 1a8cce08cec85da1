using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

public sealed record TargetDto(TargetKind Kind, Guid Id, string Ref, string Name);

public sealed record StepDto(int DelayMinutes, TargetDto[] Targets);

public sealed record EscalationPolicyDto(Guid Id, string Key, string Name, int Repeat, StepDto[] Steps, string[] Teams, DateTime UpdatedAt);

public sealed record TargetRequest(TargetKind? Kind, string? Ref);

public sealed record StepRequest(int? DelayMinutes, TargetRequest[]? Targets);

public sealed record EscalationPolicyRequest(string? Name, int? Repeat, StepRequest[]? Steps);

public static class EscalationPoliciesApi
{
    public static IEndpointRouteBuilder MapEscalationPolicies(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/escalation-policies").WithTags("On call");
        api.MapGet("/", List).RequireAuthorization(Policies.Read);
        api.MapGet("/{key}", Get).RequireAuthorization(Policies.Read);
        api.MapPut("/{key}", Put).RequireAuthorization(Policies.Command)
            .WithSummary("Create or replace a policy: steps (people, schedules, teams) with delays, repeated until someone acknowledges.");
        api.MapDelete("/{key}", Delete).RequireAuthorization(Policies.Command);
        return app;
    }

    private static IQueryable<EscalationPolicy> Query(FukkyuDb db) =>
        db.Set<EscalationPolicy>().AsNoTracking().Include(p => p.Steps).ThenInclude(s => s.Targets).AsSplitQuery();

    private static async Task<List<EscalationPolicyDto>> ToDtosAsync(FukkyuDb db, List<EscalationPolicy> policies, CancellationToken ct)
    {
        var ids = policies.SelectMany(p => p.Steps).SelectMany(s => s.Targets).Select(t => t.TargetId).Distinct().ToList();
        var refs = new Dictionary<Guid, (string Ref, string Name)>();
        foreach (var u in await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToListAsync(ct))
        {
            refs[u.Id] = (u.UserName, u.DisplayName);
        }
        foreach (var s in await db.Set<Schedule>().AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(ct))
        {
            refs[s.Id] = (s.Key, s.Name);
        }
        foreach (var t in await db.Set<Team>().AsNoTracking().Where(t => ids.Contains(t.Id)).ToListAsync(ct))
        {
            refs[t.Id] = (t.Key, t.Name(OnCallApi.Japanese));
        }
        var policyIds = policies.Select(p => p.Id).ToList();
        var teams = (await db.Set<Team>().AsNoTracking().Where(t => t.EscalationPolicyId != null && policyIds.Contains(t.EscalationPolicyId.Value)).ToListAsync(ct))
            .ToLookup(t => t.EscalationPolicyId!.Value, t => t.Key);
        return [.. policies.Select(p => new EscalationPolicyDto(p.Id, p.Key, p.Name, p.Repeat,
            [.. p.Steps.OrderBy(s => s.Position).Select(s => new StepDto(s.DelayMinutes,
                [.. s.Targets.OrderBy(t => t.Position).Select(t => refs.TryGetValue(t.TargetId, out var r)
                    ? new TargetDto(t.Kind, t.TargetId, r.Ref, r.Name)
                    : new TargetDto(t.Kind, t.TargetId, t.TargetId.ToString(), "—"))]))],
            [.. teams[p.Id]], p.UpdatedAt))];
    }

    private static async Task<Ok<EscalationPolicyDto[]>> List(FukkyuDb db, CancellationToken ct) =>
        TypedResults.Ok((await ToDtosAsync(db, await Query(db).OrderBy(p => p.Key).ToListAsync(ct), ct)).ToArray());

    private static async Task<Results<Ok<EscalationPolicyDto>, ProblemHttpResult>> Get(string key, FukkyuDb db, CancellationToken ct)
    {
        var p = await Query(db).FirstOrDefaultAsync(x => x.Key == key, ct);
        return p is null ? AuthApi.NotFoundProblem() : TypedResults.Ok((await ToDtosAsync(db, [p], ct))[0]);
    }

    private static async Task<Results<Ok<EscalationPolicyDto>, Created<EscalationPolicyDto>, ValidationProblem, ProblemHttpResult>> Put(
        string key, EscalationPolicyRequest req, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        TeamsApi.ValidateKey(v, key);
        v.Text("name", req.Name, OnCallLimits.Name, required: true).Range("repeat", req.Repeat, 0, OnCallLimits.MaxRepeat)
         .Count("steps", req.Steps, OnCallLimits.Steps);
        if (req.Steps is null or { Length: 0 })
        {
            v.Add("steps", Validation.Text("Required"));
        }
        var steps = new List<EscalationStep>();
        for (var i = 0; i < (req.Steps?.Length ?? 0); i++)
        {
            var s = req.Steps![i];
            v.Required($"steps[{i}].delayMinutes", s.DelayMinutes).Range($"steps[{i}].delayMinutes", s.DelayMinutes, 1, OnCallLimits.MaxDelayMinutes)
             .Count($"steps[{i}].targets", s.Targets, OnCallLimits.Targets);
            if (s.Targets is null or { Length: 0 })
            {
                v.Add($"steps[{i}].targets", Validation.Text("Required"));
            }
            var step = new EscalationStep { Position = i, DelayMinutes = s.DelayMinutes ?? 0 };
            for (var j = 0; j < (s.Targets?.Length ?? 0); j++)
            {
                var t = s.Targets![j];
                var field = $"steps[{i}].targets[{j}]";
                v.Required(field + ".kind", t.Kind).Text(field + ".ref", t.Ref, 100, required: true);
                if (t.Kind is not { } kind || string.IsNullOrWhiteSpace(t.Ref) || t.Ref.Length > 100)
                {
                    continue;
                }
                Guid? id = kind switch
                {
                    TargetKind.User => (await References.UsersAsync(db, v, field + ".ref", [t.Ref], ct)).Cast<Guid?>().FirstOrDefault(),
                    TargetKind.Schedule => await db.Set<Schedule>().Where(x => x.Key == t.Ref).Select(x => (Guid?)x.Id).FirstOrDefaultAsync(ct),
                    _ => await db.Set<Team>().Where(x => x.Key == t.Ref).Select(x => (Guid?)x.Id).FirstOrDefaultAsync(ct),
                };
                if (id is null && kind != TargetKind.User)
                {
                    v.Add(field + ".ref", Validation.Text("UnknownId", t.Ref));
                }
                if (id is { } found)
                {
                    step.Targets.Add(new EscalationTarget { StepId = step.Id, Position = j, Kind = kind, TargetId = found });
                }
            }
            steps.Add(step);
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var now = time.GetUtcNow().UtcDateTime;
        var policy = await db.Set<EscalationPolicy>().Include(p => p.Steps).ThenInclude(s => s.Targets).FirstOrDefaultAsync(p => p.Key == key, ct);
        var created = policy is null;
        if (policy is null)
        {
            policy = new EscalationPolicy { Key = key, Name = "", CreatedAt = now };
            db.Add(policy);
        }
        policy.Name = req.Name!.Trim();
        policy.Repeat = req.Repeat ?? 0;
        policy.UpdatedAt = now;
        policy.Steps.Clear();
        foreach (var s in steps)
        {
            s.PolicyId = policy.Id;
            // Added explicitly: EF would take a child with a preset key, found through the navigation, for an existing row.
            db.Add(s);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return TypedResults.Problem(new ProblemDetails { Status = 409, Detail = Validation.Text("Conflict") });
        }
        var dto = (await ToDtosAsync(db, [await Query(db).FirstAsync(p => p.Id == policy.Id, ct)], ct))[0];
        return created ? TypedResults.Created($"/api/v1/escalation-policies/{key}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string key, FukkyuDb db, CancellationToken ct)
    {
        var n = await db.Set<EscalationPolicy>().Where(p => p.Key == key).ExecuteDeleteAsync(ct);
        return n == 0 ? AuthApi.NotFoundProblem() : TypedResults.NoContent();
    }
}
