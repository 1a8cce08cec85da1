using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Recovery;

/// <summary>Texts of the recovery gate (RecoveryStrings.resx, RecoveryStrings.ja.resx).</summary>
public sealed class RecoveryStrings
{
    private static readonly ResourceManager Resources = new(typeof(RecoveryStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}
