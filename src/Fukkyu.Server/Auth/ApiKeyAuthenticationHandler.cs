using System.Security.Claims;
using System.Text.Encodings.Web;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer fk_…</c>. Answers 401 and 403 as problem details; never redirects.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var key = header["Bearer ".Length..].Trim();
        if (key.Length is 0 or > 256)
        {
            return AuthenticateResult.Fail("Malformed API key.");
        }
        var hash = ApiKeyMaterial.Hash(key);
        // Resolved here, not in the constructor: every API request builds this handler, most carry
        // no bearer key (event senders, the public status JSON), and a context costs to construct.
        var db = Context.RequestServices.GetRequiredService<FukkyuDb>();
        var found = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Hash == hash)
            .Select(k => new { k.Id, k.Roles, k.ExpiresAt, k.RevokedAt, k.LastUsedAt, k.User })
            .FirstOrDefaultAsync(Context.RequestAborted);
        var now = time.GetUtcNow().UtcDateTime;
        if (found?.User is not { Active: true } user || found.RevokedAt is not null || found.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("Unknown, revoked or expired API key.");
        }
        if (found.LastUsedAt is null || now - found.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            // Coarse on purpose: no write per request.
            await db.ApiKeys.Where(k => k.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
        }
        var roles = found.Roles is { Count: > 0 } scoped ? user.Roles.Intersect(scoped) : user.Roles;
        var identity = AuthClaims.Identity(user, roles, SchemeName);
        identity.AddClaim(new Claim(FukkyuClaims.ApiKeyId, found.Id.ToString()));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return HttpDefaults.WriteProblem(Context, StatusCodes.Status401Unauthorized, Validation.Text("Unauthorized"));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        HttpDefaults.WriteProblem(Context, StatusCodes.Status403Forbidden, Validation.Text("Forbidden"));
}

public static class AuthClaims
{
    public const string SecurityStamp = "fukkyu:stamp";

    public static ClaimsIdentity Identity(User user, IEnumerable<string> roles, string scheme)
    {
        var identity = new ClaimsIdentity(scheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()));
        identity.AddClaim(new Claim(ClaimTypes.Name, user.UserName));
        identity.AddClaim(new Claim(FukkyuClaims.DisplayName, user.DisplayName));
        identity.AddClaim(new Claim(FukkyuClaims.AuthMethod, scheme));
        identity.AddClaim(new Claim(SecurityStamp, user.SecurityStamp));
        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }
        return identity;
    }
}
