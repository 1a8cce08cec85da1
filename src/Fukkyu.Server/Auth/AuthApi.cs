using System.Security.Claims;
using System.Text.RegularExpressions;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Auth;

public sealed record MeDto(Guid Id, string UserName, string DisplayName, string[] Roles, string AuthMethod);

public sealed record UserDto(Guid Id, string UserName, string DisplayName, string? Email, string? Phone, string Language, string[] Roles, bool Active, DateTime CreatedAt)
{
    public static UserDto From(User u) => new(u.Id, u.UserName, u.DisplayName, u.Email, u.Phone, u.Language, [.. u.Roles], u.Active, u.CreatedAt);
}

public sealed record CreateUserRequest(string? UserName, string? DisplayName, string? Email, string? Phone, string[]? Roles, string? Password, string? Language = null);

public sealed record UpdateUserRequest(string? DisplayName, string? Email, string? Phone, string[]? Roles, bool? Active, string? Password, string? Language = null);

public sealed record ApiKeyDto(Guid Id, Guid UserId, string Name, string Prefix, string[]? Roles, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt)
{
    public static ApiKeyDto From(ApiKey k) => new(k.Id, k.UserId, k.Name, k.Prefix, k.Roles?.ToArray(), k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt);
}

public sealed record CreateApiKeyRequest(string? Name, string[]? Roles, Guid? UserId, int? ExpiresInDays);

/// <summary>The key itself appears in this response and nowhere else, ever.</summary>
public sealed record CreatedApiKeyDto(Guid Id, string Name, string Key, string Prefix, string[]? Roles, DateTime? ExpiresAt);

public static partial class AuthApi
{
    public const int MinPasswordLength = 10;

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Users and API keys");
        api.MapGet("/me", GetMe).RequireAuthorization(Policies.Read);
        api.MapGet("/users", ListUsers).RequireAuthorization(Policies.Read);
        api.MapPost("/users", CreateUser).RequireAuthorization(Policies.Admin);
        api.MapPatch("/users/{id:guid}", UpdateUser).RequireAuthorization(Policies.Admin);
        api.MapGet("/api-keys", ListKeys).RequireAuthorization(Policies.Read);
        api.MapPost("/api-keys", CreateKey).RequireAuthorization(Policies.Read);
        api.MapDelete("/api-keys/{id:guid}", RevokeKey).RequireAuthorization(Policies.Read);

        // Operator UI sign-out: a form post, protected by anti-forgery.
        app.MapPost("/ops/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect("/ops/signin");
        }).ExcludeFromDescription();
        return app;
    }

    private static MeDto GetMe(ClaimsPrincipal user) => new(
        user.UserId() ?? Guid.Empty,
        user.Identity?.Name ?? "",
        user.FindFirstValue(FukkyuClaims.DisplayName) ?? "",
        [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value)],
        user.FindFirstValue(FukkyuClaims.AuthMethod) ?? "");

    private static async Task<Ok<UserDto[]>> ListUsers(FukkyuDb db, string? role, CancellationToken ct)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrEmpty(role))
        {
            query = query.Where(u => u.Roles.Contains(role));
        }
        var users = await query.OrderBy(u => u.UserName).ToListAsync(ct);
        return TypedResults.Ok(users.Select(UserDto.From).ToArray());
    }

    private static async Task<Results<Created<UserDto>, ValidationProblem, ProblemHttpResult>> CreateUser(
        CreateUserRequest req, FukkyuDb db, IPasswordHasher<User> hasher, TimeProvider time, CancellationToken ct)
    {
        var v = ValidateNewUser(req);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var userName = req.UserName!.ToLowerInvariant();
        if (await db.Users.AnyAsync(u => u.UserName == userName, ct))
        {
            return TypedResults.Problem(new ProblemDetails { Status = 409, Detail = Validation.Text("UserNameTaken", userName) });
        }
        var user = new User
        {
            UserName = userName,
            DisplayName = req.DisplayName!.Trim(),
            Email = req.Email,
            Phone = req.Phone,
            Language = req.Language ?? "ja",
            Roles = [.. req.Roles!.Distinct()],
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        if (req.Password is not null)
        {
            user.PasswordHash = hasher.HashPassword(user, req.Password);
        }
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/users/{user.Id}", UserDto.From(user));
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult, ValidationProblem>> UpdateUser(
        Guid id, UpdateUserRequest req, FukkyuDb db, IPasswordHasher<User> hasher, CancellationToken ct)
    {
        var v = new Validation();
        v.Text("displayName", req.DisplayName, 200).Text("email", req.Email, 320).Text("phone", req.Phone, 40);
        ValidateRoles(v, req.Roles, required: false);
        ValidatePassword(v, req.Password);
        ValidateLanguage(v, req.Language);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var user = await db.Users.FindAsync([id], ct);
        if (user is null)
        {
            return NotFoundProblem();
        }
        var securityChanged = false;
        if (!string.IsNullOrWhiteSpace(req.DisplayName))
        {
            user.DisplayName = req.DisplayName.Trim();
        }
        user.Email = req.Email ?? user.Email;
        user.Phone = req.Phone ?? user.Phone;
        user.Language = req.Language ?? user.Language;
        if (req.Roles is not null)
        {
            user.Roles = [.. req.Roles.Distinct()];
            securityChanged = true;
        }
        if (req.Active is { } active && active != user.Active)
        {
            user.Active = active;
            securityChanged = true;
        }
        if (req.Password is not null)
        {
            user.PasswordHash = hasher.HashPassword(user, req.Password);
            user.LockedUntil = null;
            user.FailedSignIns = 0;
            securityChanged = true;
        }
        if (securityChanged)
        {
            user.SecurityStamp = Guid.NewGuid().ToString("N");
        }
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(UserDto.From(user));
    }

    private static async Task<Ok<ApiKeyDto[]>> ListKeys(ClaimsPrincipal principal, FukkyuDb db, bool? all, CancellationToken ct)
    {
        var query = db.ApiKeys.AsNoTracking();
        if (!(all == true && principal.IsInRole(Roles.Admin)))
        {
            var me = principal.UserId();
            query = query.Where(k => k.UserId == me);
        }
        var keys = await query.OrderBy(k => k.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(keys.Select(ApiKeyDto.From).ToArray());
    }

    private static async Task<Results<Created<CreatedApiKeyDto>, ValidationProblem, ForbidHttpResult>> CreateKey(
        CreateApiKeyRequest req, ClaimsPrincipal principal, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var v = new Validation();
        v.Text("name", req.Name, 100, required: true).Range("expiresInDays", req.ExpiresInDays, 1, 3650);
        ValidateRoles(v, req.Roles, required: false);
        var me = principal.UserId();
        var ownerId = req.UserId ?? me;
        if (ownerId != me && !principal.IsInRole(Roles.Admin))
        {
            return TypedResults.Forbid();
        }
        var owner = ownerId is { } oid ? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == oid, ct) : null;
        if (owner is null)
        {
            v.Add("userId", Validation.Text("UnknownId", ownerId));
        }
        else if (req.Roles is { Length: > 0 } scoped && scoped.Except(owner.Roles).Any())
        {
            v.Add("roles", Validation.Text("RolesNotHeld"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var now = time.GetUtcNow().UtcDateTime;
        var key = ApiKeyMaterial.NewKey();
        var row = new ApiKey
        {
            UserId = owner!.Id,
            Name = req.Name!.Trim(),
            Prefix = ApiKeyMaterial.DisplayPrefix(key),
            Hash = ApiKeyMaterial.Hash(key),
            Roles = req.Roles is { Length: > 0 } r ? [.. r.Distinct()] : null,
            CreatedAt = now,
            ExpiresAt = req.ExpiresInDays is { } days ? now.AddDays(days) : null,
        };
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/api-keys/{row.Id}", new CreatedApiKeyDto(row.Id, row.Name, key, row.Prefix, row.Roles?.ToArray(), row.ExpiresAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(Guid id, ClaimsPrincipal principal, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var me = principal.UserId();
        var isAdmin = principal.IsInRole(Roles.Admin);
        var now = time.GetUtcNow().UtcDateTime;
        // The ownership check is part of the WHERE clause.
        var n = await db.ApiKeys
            .Where(k => k.Id == id && (isAdmin || k.UserId == me) && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct);
        return n == 1 ? TypedResults.NoContent() : NotFoundProblem();
    }

    /// <summary>The checks for a new user, shared by the API and the users page.</summary>
    internal static Validation ValidateNewUser(CreateUserRequest req)
    {
        var v = new Validation();
        v.Required("userName", req.UserName);
        if (req.UserName is { Length: > 0 } n && !UserNamePattern().IsMatch(n))
        {
            v.Add("userName", Validation.Text("UserNameFormat"));
        }
        v.Text("displayName", req.DisplayName, 200, required: true).Text("email", req.Email, 320).Text("phone", req.Phone, 40);
        ValidateRoles(v, req.Roles, required: true);
        ValidatePassword(v, req.Password);
        ValidateLanguage(v, req.Language);
        return v;
    }

    internal static ProblemHttpResult NotFoundProblem() =>
        TypedResults.Problem(new ProblemDetails { Status = 404, Detail = Validation.Text("NotFound") });

    private static void ValidateRoles(Validation v, string[]? roles, bool required)
    {
        if (roles is null || roles.Length == 0)
        {
            if (required)
            {
                v.Add("roles", Validation.Text("Required"));
            }
            return;
        }
        foreach (var role in roles.Where(r => !Roles.IsKnown(r)))
        {
            v.Add("roles", Validation.Text("UnknownRole", role, string.Join(", ", Roles.All)));
        }
    }

    private static void ValidateLanguage(Validation v, string? language)
    {
        if (language is not null and not ("ja" or "en"))
        {
            v.Add("language", Validation.Text("UnknownValue", language, "ja, en"));
        }
    }

    private static void ValidatePassword(Validation v, string? password)
    {
        if (password is not null && (password.Length < MinPasswordLength || password.Length > 200))
        {
            v.Add("password", Validation.Text("PasswordLength", MinPasswordLength));
        }
    }

    [GeneratedRegex("^[a-z0-9._-]{2,64}$", RegexOptions.IgnoreCase)]
    private static partial Regex UserNamePattern();
}
