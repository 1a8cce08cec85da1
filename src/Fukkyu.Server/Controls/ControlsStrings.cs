using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Controls;

/// <summary>Texts of the controls board (ControlsStrings.resx, ControlsStrings.ja.resx).</summary>
public sealed class ControlsStrings
{
    private static readonly ResourceManager Resources = new(typeof(ControlsStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}
