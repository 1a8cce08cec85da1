using System.Globalization;

namespace Fukkyu.Server.Infrastructure;

/// <summary>People read times in Japan time; APIs speak ISO 8601 UTC.</summary>
public static class Tokyo
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    public static DateTime FromUtc(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    public static DateTime ToUtc(DateTime tokyo) => TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(tokyo, DateTimeKind.Unspecified), Zone);

    /// <summary><c>2026-11-23 14:05 JST</c></summary>
    public static string Format(DateTime utc) => FromUtc(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " JST";

    public static string Format(DateTime? utc) => utc is { } t ? Format(t) : "—";

    public static string FormatSeconds(DateTime utc) => FromUtc(utc).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " JST";
}
