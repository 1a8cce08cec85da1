using System.Text.Json;

namespace Fukkyu.Cli;

/// <summary>The saved login: server URL and API key, readable only by the user.</summary>
public sealed record CliConfig(string? Server, string? ApiKey)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static CliConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            return new CliConfig(null, null);
        }
        try
        {
            return JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(path), Json) ?? new CliConfig(null, null);
        }
        catch (JsonException)
        {
            return new CliConfig(null, null);
        }
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
