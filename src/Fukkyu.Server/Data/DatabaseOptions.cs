namespace Fukkyu.Server.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Fukkyu:Database";

    /// <summary><c>sqlite</c> (embedded default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Apply migrations at start-up. Unset means: yes for SQLite, no for PostgreSQL.</summary>
    public bool? Migrate { get; set; }

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase)
        || string.Equals(Provider, "postgresql", StringComparison.OrdinalIgnoreCase);

    public bool ShouldMigrate => Migrate ?? !IsPostgres;
}
