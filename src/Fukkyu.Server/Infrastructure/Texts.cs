using System.Globalization;
using System.Resources;

namespace Fukkyu.Server.Infrastructure;

/// <summary>Looks up a feature's resx text in the current UI culture (ja or en).</summary>
public static class Texts
{
    public static string Format(ResourceManager resources, string key, params object?[] args)
    {
        var format = resources.GetString(key, CultureInfo.CurrentUICulture) ?? key;
        return args.Length == 0 ? format : string.Format(CultureInfo.CurrentCulture, format, args);
    }

    /// <summary>The same text in a given language, for things stored in both (timeline, notices).</summary>
    public static string Format(ResourceManager resources, string key, string language, params object?[] args)
    {
        var culture = CultureInfo.GetCultureInfo(language);
        var format = resources.GetString(key, culture) ?? key;
        return args.Length == 0 ? format : string.Format(culture, format, args);
    }

    public static bool Japanese => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ja";
}
