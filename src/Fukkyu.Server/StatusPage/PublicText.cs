using System.Globalization;
using System.Resources;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notices;

namespace Fukkyu.Server.StatusPage;

/// <summary>Texts of the public page, notices and subscriber messages (StatusStrings.resx, StatusStrings.ja.resx).</summary>
public sealed class StatusStrings;

/// <summary>
/// Public texts in an explicit language: the snapshot renders both languages in one pass, so
/// nothing here depends on the current request's culture.
/// </summary>
public static class PublicText
{
    private static readonly ResourceManager Resources = new(typeof(StatusStrings));

    public static string T(string lang, string key, params object?[] args) => Texts.Format(Resources, key, Lang(lang), args);

    public static string Lang(string? lang) => lang == "en" ? "en" : "ja";

    /// <summary>Japan time, as people in Japan write it: <c>2026年11月23日 14:05（日本時間）</c> / <c>2026-11-23 14:05 JST</c>.</summary>
    public static string Time(DateTime utc, string lang)
    {
        var t = Tokyo.FromUtc(utc);
        return lang == "en"
            ? t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " JST"
            : t.ToString("yyyy年M月d日 HH:mm", CultureInfo.InvariantCulture) + "（日本時間）";
    }

    public static string Date(DateOnly day, string lang) =>
        lang == "en" ? day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : day.ToString("yyyy年M月d日", CultureInfo.InvariantCulture);

    public static string Month(DateOnly day, string lang) =>
        lang == "en" ? day.ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en")) : day.ToString("yyyy年M月", CultureInfo.InvariantCulture);

    public static string Status(NoticeStatus s, string lang) => T(lang, "NoticeStatus_" + WireEnum.Name(s));

    public static string Status(string wire, string lang) => T(lang, "NoticeStatus_" + wire);

    public static string Component(ComponentStatus s, string lang) => T(lang, "ComponentStatus_" + WireEnum.Name(s));

    public static string Component(string wire, string lang) => T(lang, "ComponentStatus_" + wire);

    public static string Impact(string impact, string lang) => T(lang, "Impact_" + impact);
}
