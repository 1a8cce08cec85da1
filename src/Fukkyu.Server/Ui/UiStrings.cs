using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Ui;

/// <summary>Texts of the operator UI shell (UiStrings.resx, UiStrings.ja.resx).</summary>
public sealed class UiStrings;

public static class UiText
{
    private static readonly ResourceManager Resources = new(typeof(UiStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}
