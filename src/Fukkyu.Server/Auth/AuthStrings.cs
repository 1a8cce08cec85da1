using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Auth;

/// <summary>Texts of users and API keys (AuthStrings.resx, AuthStrings.ja.resx).</summary>
public sealed class AuthStrings
{
    private static readonly ResourceManager Resources = new(typeof(AuthStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}
