using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Alerts;

/// <summary>What the hot path needs to know about an integration.</summary>
public sealed record IntegrationInfo(Guid Id, string Name, IntegrationType Type, Guid? ComponentId)
{
    public AlertSender Sender => new(AlertOrigin.Integration, Id, Name, ComponentId);
}

public static class IntegrationKeys
{
    /// <summary>PagerDuty routing keys are 32 alphanumeric characters; ours are 128 random bits in hex.</summary>
    public const int Length = 32;

    public static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Length / 2));

    public static bool IsWellFormed(string key) => key.Length == Length && key.All(char.IsAsciiLetterOrDigit);
}

/// <summary>
/// Integration keys by hash, in memory: ingestion never queries the database per request. A
/// miss re-reads the table at most once per second (so a key created on another node works
/// within a second, and a flood of wrong keys costs one query per second); a periodic refresh
/// picks up keys disabled elsewhere.
/// </summary>
public sealed class IntegrationDirectory(IServiceScopeFactory scopes, IOptions<AlertOptions> options, TimeProvider time)
{
    private const int MaxRememberedKeys = 1024;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);
    private volatile Dictionary<string, IntegrationInfo>? _byHash;
    private long _loadedAt;

    public async ValueTask<IntegrationInfo?> FindAsync(string key, CancellationToken ct)
    {
        if (key.Length is 0 or > 256)
        {
            return null;
        }
        // A sender repeats its key on every event: the hash of a key that was found is kept
        // (bounded), so the steady stream costs a dictionary lookup, not a SHA-256. The directory
        // below still decides whether the key is valid, so a disabled integration stays refused.
        var known = _hashes.TryGetValue(key, out var hash);
        hash ??= ApiKeyMaterial.Hash(key);
        var map = _byHash;
        var refreshEvery = TimeSpan.FromSeconds(Math.Max(1, options.Value.KeyRefreshSeconds));
        if (map is null || Age > refreshEvery)
        {
            map = await RefreshAsync(refreshEvery, ct);
        }
        if (map.TryGetValue(hash, out var found) || (map = await RefreshAsync(TimeSpan.FromSeconds(1), ct)).TryGetValue(hash, out found))
        {
            if (!known)
            {
                Remember(key, hash);
            }
            return found;
        }
        return null;
    }

    private void Remember(string key, string hash)
    {
        if (_hashes.Count >= MaxRememberedKeys)
        {
            _hashes.Clear();
        }
        _hashes[key] = hash;
    }

    /// <summary>Forgets the cache after a change on this node.</summary>
    public void Invalidate() => _byHash = null;

    private TimeSpan Age => time.GetElapsedTime(Interlocked.Read(ref _loadedAt));

    private async Task<Dictionary<string, IntegrationInfo>> RefreshAsync(TimeSpan minAge, CancellationToken ct)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            // Someone else may have refreshed while we waited.
            if (_byHash is { } fresh && Age <= minAge)
            {
                return fresh;
            }
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            var rows = await db.Integrations.AsNoTracking().Where(i => i.DisabledAt == null)
                .Select(i => new { i.KeyHash, Info = new IntegrationInfo(i.Id, i.Name, i.Type, i.ComponentId) })
                .ToListAsync(ct);
            var map = rows.ToDictionary(r => r.KeyHash, r => r.Info, StringComparer.Ordinal);
            _byHash = map;
            Interlocked.Exchange(ref _loadedAt, time.GetTimestamp());
            return map;
        }
        finally
        {
            _refresh.Release();
        }
    }
}

/// <summary>
/// Authenticates an integration by its key (<c>Authorization: Bearer</c> or <c>?key=</c>) for
/// the Alertmanager and generic endpoints. Unknown and disabled keys get the same 401.
/// </summary>
public sealed class IntegrationKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IntegrationDirectory directory) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "IntegrationKey";
    public const string Role = "integration";
    public const string IntegrationIdClaim = "fukkyu:integration_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        var key = bearer ? header["Bearer ".Length..].Trim() : Request.Query["key"].ToString();
        if (string.IsNullOrEmpty(key))
        {
            return AuthenticateResult.NoResult();
        }
        var found = await directory.FindAsync(key, Context.RequestAborted);
        if (found is null)
        {
            // Not an integration key. A person's API key is still recognised, so that it is
            // refused with 403 like everywhere else; anything else is the same 401 as an unknown key.
            return bearer ? await Context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName) : AuthenticateResult.Fail("Unknown integration key.");
        }
        var identity = new ClaimsIdentity(SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, found.Name));
        identity.AddClaim(new Claim(IntegrationIdClaim, found.Id.ToString()));
        identity.AddClaim(new Claim(ClaimTypes.Role, Role));
        Context.Items[typeof(IntegrationInfo)] = found;
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return HttpDefaults.WriteProblem(Context, StatusCodes.Status401Unauthorized, AlertStrings.T("UnknownIntegrationKey"));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        HttpDefaults.WriteProblem(Context, StatusCodes.Status403Forbidden, Validation.Text("Forbidden"));
}
