using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.OnCall;

/// <summary>Texts of the on-call and paging feature (OnCallStrings.resx, OnCallStrings.ja.resx).</summary>
public sealed class OnCallStrings
{
    private static readonly ResourceManager Resources = new(typeof(OnCallStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    /// <summary>The text in a given language (<c>ja</c> or <c>en</c>), for messages sent to a person.</summary>
    public static string In(string language, string key, params object?[] args) =>
        Texts.Format(Resources, key, language == "en" ? "en" : "ja", args);
}
