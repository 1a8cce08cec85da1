using System.Globalization;
using System.Resources;

namespace Fukkyu.Server.Infrastructure;

/// <summary>
/// Collects field errors for a request in the caller's language; the endpoint answers
/// <c>TypedResults.ValidationProblem(v.Errors)</c> when <see cref="IsValid"/> is false.
/// </summary>
public sealed class Validation
{
    private static readonly ResourceManager Strings = new("Fukkyu.Server.Infrastructure.ValidationStrings", typeof(Validation).Assembly);
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Dictionary<string, string[]> Errors => _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

    public static string Text(string key, params object?[] args)
    {
        var format = Strings.GetString(key, CultureInfo.CurrentUICulture) ?? key;
        return args.Length == 0 ? format : string.Format(CultureInfo.CurrentCulture, format, args);
    }

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    public Validation Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, Text("Required"));
        }
        return this;
    }

    public Validation Required<T>(string field, T? value) where T : struct
    {
        if (value is null)
        {
            Add(field, Text("Required"));
        }
        return this;
    }

    public Validation RequiredObject(string field, object? value)
    {
        if (value is null)
        {
            Add(field, Text("Required"));
        }
        return this;
    }

    public Validation MaxLength(string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            Add(field, Text("MaxLength", max, value.Length));
        }
        return this;
    }

    public Validation Text(string field, string? value, int max, bool required = false)
    {
        if (required)
        {
            Required(field, value);
        }
        return MaxLength(field, value, max);
    }

    public Validation Range(string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(field, Text("Range", min, max));
        }
        return this;
    }

    public Validation Count<T>(string field, IReadOnlyCollection<T>? values, int max)
    {
        if (values is not null && values.Count > max)
        {
            Add(field, Text("TooMany", max));
        }
        return this;
    }
}
