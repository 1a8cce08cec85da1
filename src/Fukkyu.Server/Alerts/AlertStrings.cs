using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Alerts;

/// <summary>Texts of the Alerts feature (AlertStrings.resx, AlertStrings.ja.resx).</summary>
public sealed class AlertStrings
{
    private static readonly ResourceManager Resources = new(typeof(AlertStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}
