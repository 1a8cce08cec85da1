using System.Security.Cryptography;
using System.Text;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Fukkyu.Tests.Infrastructure;

/// <summary>
/// One migrated template database per test run, cloned for each test (CREATE DATABASE …
/// TEMPLATE is much faster than migrating every time), and dropped afterwards.
/// </summary>
internal static class PostgresDatabases
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _template;

    public static async Task<(string ConnectionString, string Database)> CreateAsync()
    {
        var admin = Stores.PostgresConnection!;
        var name = "fukkyu_t_" + Guid.NewGuid().ToString("N")[..20];
        await Gate.WaitAsync();
        try
        {
            _template ??= await CreateTemplateAsync(admin);
            await ExecAsync(admin, $"CREATE DATABASE \"{name}\" TEMPLATE \"{_template}\"");
        }
        finally
        {
            Gate.Release();
        }
        return (new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString, name);
    }

    public static Task DropAsync(string database) =>
        ExecAsync(Stores.PostgresConnection!, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");

    private static async Task<string> CreateTemplateAsync(string admin)
    {
        var options = new DbContextOptionsBuilder<PostgresFukkyuDb>();
        var migrations = string.Join(",", new PostgresFukkyuDb((DbContextOptions<PostgresFukkyuDb>)DataExtensions
            .UsePostgres(options, admin).Options).Database.GetMigrations());
        var name = "fukkyu_tmpl_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(migrations)))[..16];
        await ExecAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        await ExecAsync(admin, $"CREATE DATABASE \"{name}\"");
        // No pooling: CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template.
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ConnectionString;
        await using (var db = new PostgresFukkyuDb((DbContextOptions<PostgresFukkyuDb>)DataExtensions.UsePostgres(new DbContextOptionsBuilder<PostgresFukkyuDb>(), cs).Options))
        {
            await db.Database.MigrateAsync();
        }
        return name;
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
