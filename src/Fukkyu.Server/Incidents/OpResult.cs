using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Fukkyu.Server.Incidents;

/// <summary>Why an operation did not happen; expected outcomes, not exceptions.</summary>
public abstract record OpError;

public sealed record NotFoundError : OpError
{
    public static readonly NotFoundError Instance = new();
}

/// <summary>The request is well-formed but conflicts with the incident's state.</summary>
/// <param name="Code">Machine-readable reason, e.g. <c>invalid-transition</c>, <c>gate</c>, <c>concurrency</c>.</param>
/// <param name="Allowed">For transitions: where the incident may go from here.</param>
/// <param name="Missing">For guards: each thing that is missing.</param>
public sealed record ConflictError(string Code, string Detail, IReadOnlyList<string>? Allowed = null, IReadOnlyList<string>? Missing = null) : OpError;

public sealed record InvalidError(Dictionary<string, string[]> Errors) : OpError;

public readonly record struct OpResult<T>(T? Value, OpError? Error)
{
    public static implicit operator OpResult<T>(T value) => new(value, null);
    public static implicit operator OpResult<T>(OpError error) => new(default, error);
}

public static class OpResults
{
    public static ProblemDetails Problem(ConflictError c)
    {
        var p = new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = c.Code,
            Detail = c.Detail,
            Type = "urn:fukkyu:problem:" + c.Code,
        };
        if (c.Allowed is not null)
        {
            p.Extensions["allowed"] = c.Allowed;
        }
        if (c.Missing is not null)
        {
            p.Extensions["missing"] = c.Missing;
        }
        return p;
    }

    public static ProblemHttpResult Conflict(ConflictError c) => TypedResults.Problem(Problem(c));
}
