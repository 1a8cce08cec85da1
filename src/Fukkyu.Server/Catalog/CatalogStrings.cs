using System.Resources;
using Fukkyu.Server.Infrastructure;

namespace Fukkyu.Server.Catalog;

/// <summary>Texts of the Catalog feature (CatalogStrings.resx, CatalogStrings.ja.resx).</summary>
public sealed class CatalogStrings
{
    private static readonly ResourceManager Resources = new(typeof(CatalogStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}
