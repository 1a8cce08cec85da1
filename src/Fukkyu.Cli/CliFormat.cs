using System.Globalization;
using System.Text.Json;

namespace Fukkyu.Cli;

/// <summary>Reading the server's JSON and printing it for people.</summary>
public static class CliFormat
{
    public static readonly JsonSerializerOptions Pretty = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly TimeZoneInfo TokyoZone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    public static void PrintIncident(TextWriter o, JsonElement i)
    {
        o.WriteLine($"{Str(i, "number")}  {Str(i, "title")}");
        o.WriteLine($"  Level        {Num(i, "level")} — {Str(i, "levelReason")}");
        o.WriteLine($"  Status       {Str(i, "status")} (next: {string.Join(", ", i.GetProperty("allowedTransitions").EnumerateArray().Select(x => x.GetString()))})");
        o.WriteLine($"  Category     {Str(i, "category")}   Scope {Str(i, "impactScope")}   Expected recovery {Num(i, "expectedRecoveryMinutes")} min");
        o.WriteLine($"  Detected     {Time(i, "detectedAt")}   Resolved {Time(i, "resolvedAt")}");
        var commander = i.TryGetProperty("commander", out var c) && c.ValueKind == JsonValueKind.Object ? Str(c, "displayName") : "—";
        o.WriteLine($"  Commander    {commander}");
        var r = i.GetProperty("reporter");
        o.WriteLine($"  Reporter     {Str(r, "name")} {Str(r, "contact")} ({Str(r, "channel")})");
        var comps = i.GetProperty("components").EnumerateArray().Select(x => $"{Str(x, "key")} ({Str(x, "impact")})").ToList();
        o.WriteLine($"  Components   {(comps.Count == 0 ? "—" : string.Join(", ", comps))}");
        if (i.GetProperty("security").GetBoolean())
        {
            o.WriteLine("  Security incident (restricted)");
        }
    }

    public static string Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ToString()
            : "—";

    public static string Num(JsonElement e, string name) => Str(e, name);

    public static string Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && DateTime.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? TimeZoneInfo.ConvertTimeFromUtc(t, TokyoZone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : "—";

    public static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
