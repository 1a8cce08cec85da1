namespace Fukkyu.Server.Auth;

public sealed class SignInOptions
{
    public const string Section = "Fukkyu:SignIn";

    public int MaxFailedAttempts { get; set; } = 5;
    public int LockoutMinutes { get; set; } = 15;
    public int SessionHours { get; set; } = 12;
}

public sealed class BootstrapOptions
{
    public const string Section = "Fukkyu:Bootstrap";

    /// <summary>The admin API key created on first start; random and printed once when unset.</summary>
    public string? AdminApiKey { get; set; }
    /// <summary>The admin's UI password on first start; random and printed once when unset.</summary>
    public string? AdminPassword { get; set; }
    public string AdminUserName { get; set; } = "admin";
}
