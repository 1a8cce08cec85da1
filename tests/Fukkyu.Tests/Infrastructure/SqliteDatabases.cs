using Fukkyu.Server.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Tests.Infrastructure;

/// <summary>
/// One migrated SQLite file per test run, copied for each test: a file copy is much faster than
/// applying every migration again (the server still checks and finds nothing pending).
/// </summary>
internal static class SqliteDatabases
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _template;

    public static string Directory { get; } = Path.Combine(Path.GetTempPath(), "fukkyu-tests");

    public static async Task<string> CreateAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        await Gate.WaitAsync();
        try
        {
            _template ??= await CreateTemplateAsync();
        }
        finally
        {
            Gate.Release();
        }
        var file = Path.Combine(Directory, $"{Guid.NewGuid():N}.db");
        File.Copy(_template, file);
        return file;
    }

    private static async Task<string> CreateTemplateAsync()
    {
        var file = Path.Combine(Directory, $"template-{Environment.ProcessId}-{Guid.NewGuid():N}.db");
        var cs = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString;
        await using (var db = new SqliteFukkyuDb((DbContextOptions<SqliteFukkyuDb>)DataExtensions.UseSqlite(new DbContextOptionsBuilder<SqliteFukkyuDb>(), cs).Options))
        {
            await db.Database.MigrateAsync();
            // Everything into the main file, so a plain copy is the whole database.
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=DELETE;");
        }
        SqliteConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(file);
        return file;
    }
}
