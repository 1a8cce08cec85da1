using System.Buffers.Binary;
using System.Security.Cryptography;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

/// <summary>
/// Signed acknowledgement tokens: <c>base64url(id ‖ expiry)</c> <c>.</c> <c>base64url(HMAC-SHA256[..16])</c>,
/// 48 characters so they fit an SMS. The HMAC key is one random server secret shared by all nodes
/// through the database, encrypted at rest with Data Protection.
/// </summary>
public sealed class AckLinks(IServiceScopeFactory scopes, IDataProtectionProvider protection, TimeProvider time)
{
    private const string KeyName = "ack-link-hmac";
    private readonly IDataProtector _protector = protection.CreateProtector("Fukkyu.ServerSecret.v1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _key;

    public async Task<string> CreateAsync(Guid tokenId, DateTime expiresAt, CancellationToken ct)
    {
        var key = await KeyAsync(ct);
        var body = new byte[24];
        tokenId.TryWriteBytes(body.AsSpan(0, 16));
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(16), new DateTimeOffset(expiresAt, TimeSpan.Zero).ToUnixTimeSeconds());
        return ApiKeyMaterial.Base64Url(body) + "." + ApiKeyMaterial.Base64Url(HMACSHA256.HashData(key, body).AsSpan(0, 16));
    }

    /// <summary>The token's id when the signature holds and it has not expired; null otherwise.</summary>
    public async Task<Guid?> VerifyAsync(string token, CancellationToken ct)
    {
        var parts = token.Split('.');
        if (token.Length > 100 || parts.Length != 2 || FromBase64Url(parts[0]) is not { Length: 24 } body || FromBase64Url(parts[1]) is not { Length: 16 } mac)
        {
            return null;
        }
        var key = await KeyAsync(ct);
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, body).AsSpan(0, 16), mac))
        {
            return null;
        }
        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(16)));
        return expires <= time.GetUtcNow() ? null : new Guid(body.AsSpan(0, 16));
    }

    private static byte[]? FromBase64Url(string s)
    {
        var b64 = s.Replace('-', '+').Replace('_', '/');
        b64 += (b64.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try
        {
            return Convert.FromBase64String(b64);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private async Task<byte[]> KeyAsync(CancellationToken ct)
    {
        if (_key is { } cached)
        {
            return cached;
        }
        await _gate.WaitAsync(ct);
        try
        {
            if (_key is not null)
            {
                return _key;
            }
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            for (var attempt = 0; ; attempt++)
            {
                var row = await db.Set<ServerSecret>().AsNoTracking().FirstOrDefaultAsync(s => s.Name == KeyName, ct);
                if (row is not null)
                {
                    return _key = Convert.FromBase64String(_protector.Unprotect(row.ProtectedValue));
                }
                db.Set<ServerSecret>().Add(new ServerSecret
                {
                    Name = KeyName,
                    ProtectedValue = _protector.Protect(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
                    CreatedAt = time.GetUtcNow().UtcDateTime,
                });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException) when (attempt < 3)
                {
                    // Another node created it at the same moment: read theirs.
                    db.ChangeTracker.Clear();
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
