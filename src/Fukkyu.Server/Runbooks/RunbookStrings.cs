using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Runbooks;

/// <summary>Texts of the runbooks feature (RunbookStrings.resx, RunbookStrings.ja.resx).</summary>
public sealed class RunbookStrings
{
    private static readonly ResourceManager Resources = new(typeof(RunbookStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    public static string In(string language, string key, params object?[] args) => Texts.Format(Resources, key, language, args);
}
