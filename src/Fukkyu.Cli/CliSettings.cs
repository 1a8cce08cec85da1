namespace Fukkyu.Cli;

/// <summary>Where the CLI keeps its login and how it reaches the server; tests pass their own.</summary>
public sealed record CliSettings(string ConfigPath, string? Server, string? ApiKey, HttpMessageHandler? Handler = null, string? Language = null)
{
    public static CliSettings FromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable("FUKKYU_CONFIG");
        if (string.IsNullOrEmpty(path))
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            var baseDir = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config")
                : xdg;
            path = Path.Combine(baseDir, "fukkyu", "config.json");
        }
        return new CliSettings(path,
            Environment.GetEnvironmentVariable("FUKKYU_SERVER"),
            Environment.GetEnvironmentVariable("FUKKYU_API_KEY"),
            Language: Environment.GetEnvironmentVariable("FUKKYU_LANG"));
    }
}
