using System.Security.Cryptography;
using System.Text;

namespace Fukkyu.Server.Auth;

/// <summary>Creating and hashing secret keys (API keys, and later integration keys and tokens).</summary>
public static class ApiKeyMaterial
{
    public const string Prefix = "fk_";

    public static string NewKey() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string DisplayPrefix(string key) => key.Length <= 10 ? key : key[..10];

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
