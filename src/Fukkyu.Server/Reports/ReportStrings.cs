using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Reports;

/// <summary>Texts of the Reports feature (ReportStrings.resx, ReportStrings.ja.resx).</summary>
public sealed class ReportStrings
{
    private static readonly ResourceManager Resources = new(typeof(ReportStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}
