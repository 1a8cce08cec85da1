using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Incidents;

/// <summary>Texts of the Incidents feature (IncidentStrings.resx, IncidentStrings.ja.resx).</summary>
public sealed class IncidentStrings
{
    private static readonly ResourceManager Resources = new(typeof(IncidentStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}
