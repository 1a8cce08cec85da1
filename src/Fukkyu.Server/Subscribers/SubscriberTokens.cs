using System.Security.Cryptography;
using System.Text;
using Fukkyu.Server.Auth;
using Microsoft.AspNetCore.DataProtection;

namespace Fukkyu.Server.Subscribers;

/// <summary>
/// The two single-purpose tokens of a subscription. A confirmation token is 256 random bits,
/// stored only as its SHA-256 and cleared when used. An unsubscribe token is the subscriber's id
/// and stamp, encrypted and authenticated with Data Protection under its own purpose: nothing
/// is stored, it cannot be forged or turned into a confirmation, and a new stamp voids every
/// link already sent.
/// </summary>
public sealed class SubscriberTokens(IDataProtectionProvider provider)
{
    private readonly IDataProtector _unsubscribe = provider.CreateProtector("Fukkyu.Subscribers.Unsubscribe.v1");

    public static (string Token, string Hash) NewConfirmation()
    {
        var token = "c_" + ApiKeyMaterial.Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public string Unsubscribe(Guid subscriberId, string stamp) =>
        "u_" + ApiKeyMaterial.Base64Url(_unsubscribe.Protect(Encoding.UTF8.GetBytes($"{subscriberId:N}:{stamp}")));

    /// <summary>The subscriber and stamp in an unsubscribe token, or null if it is not one of ours.</summary>
    public (Guid SubscriberId, string Stamp)? ReadUnsubscribe(string? token)
    {
        if (token is not { Length: > 2 and < 1000 } || !token.StartsWith("u_", StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            var text = Encoding.UTF8.GetString(_unsubscribe.Unprotect(FromBase64Url(token[2..])));
            var parts = text.Split(':', 2);
            return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out var id) ? (id, parts[1]) : null;
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b + new string('=', (4 - b.Length % 4) % 4));
    }
}
