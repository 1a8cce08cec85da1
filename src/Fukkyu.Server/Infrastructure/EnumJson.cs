using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fukkyu.Server.Infrastructure;

/// <summary>
/// Enums on the wire are snake_case strings (<c>post_incident</c>, <c>degraded_performance</c>),
/// or the name given by <see cref="JsonStringEnumMemberNameAttribute"/>. An unknown value or a
/// number is refused with a message that lists the accepted values.
/// </summary>
public sealed class WireEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(WireEnumConverter<>).MakeGenericType(typeToConvert))!;

    public static string WireName(Enum value)
    {
        var field = value.GetType().GetField(value.ToString());
        return field?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
    }

    public static IReadOnlyList<string> WireNames(Type enumType) =>
        [.. Enum.GetValues(enumType).Cast<Enum>().Select(WireName)];
}

public sealed class WireEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    private static readonly Dictionary<string, T> ByName = Enum.GetValues<T>()
        .ToDictionary(v => WireEnumConverterFactory.WireName(v), v => v, StringComparer.OrdinalIgnoreCase);
    private static readonly Dictionary<T, string> ToName = ByName.ToDictionary(kv => kv.Value, kv => kv.Key);
    private static readonly string Accepted = string.Join(", ", ByName.Keys);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { } s && ByName.TryGetValue(s, out var v))
        {
            return v;
        }
        var got = reader.TokenType == JsonTokenType.String ? Truncate(reader.GetString()) : reader.TokenType.ToString().ToLowerInvariant();
        throw new JsonException(Validation.Text("UnknownValue", got, Accepted));
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(ToName.TryGetValue(value, out var name) ? name : value.ToString());

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Read(ref reader, typeToConvert, options);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WritePropertyName(ToName.TryGetValue(value, out var name) ? name : value.ToString());

    private static string? Truncate(string? s) => s is { Length: > 40 } ? s[..40] + "…" : s;
}

public static class WireEnum
{
    /// <summary>Parses a wire name (<c>post_incident</c>) from a query string.</summary>
    public static bool TryParse<T>(string? value, out T result) where T : struct, Enum
    {
        foreach (var v in Enum.GetValues<T>())
        {
            if (string.Equals(WireEnumConverterFactory.WireName(v), value, StringComparison.OrdinalIgnoreCase))
            {
                result = v;
                return true;
            }
        }
        result = default;
        return false;
    }

    public static string Name(Enum value) => WireEnumConverterFactory.WireName(value);

    public static string Accepted<T>() where T : struct, Enum => string.Join(", ", WireEnumConverterFactory.WireNames(typeof(T)));
}
