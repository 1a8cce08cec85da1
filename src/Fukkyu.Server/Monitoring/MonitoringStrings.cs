using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Monitoring;

/// <summary>Texts of the Monitoring feature (MonitoringStrings.resx, MonitoringStrings.ja.resx).</summary>
public sealed class MonitoringStrings
{
    private static readonly ResourceManager Resources = new(typeof(MonitoringStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}
