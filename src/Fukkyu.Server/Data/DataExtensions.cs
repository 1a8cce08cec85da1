using System.Data.Common;
using Fukkyu.Server.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Fukkyu.Server.Data;

public static class DataExtensions
{
    public const string DefaultConnectionString = "Data Source=data/fukkyu.db";

    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .Validate(o => o.IsPostgres || string.Equals(o.Provider, "sqlite", StringComparison.OrdinalIgnoreCase),
                "Fukkyu:Database:Provider must be 'sqlite' or 'postgres'.")
            .ValidateOnStart();

        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = builder.Configuration.GetConnectionString("Fukkyu") ?? DefaultConnectionString;

        if (options.IsPostgres)
        {
            connectionString = PreparePostgres(connectionString);
            builder.Services.AddDbContext<FukkyuDb, PostgresFukkyuDb>((sp, o) => UsePostgres(o, connectionString).AddInterceptors(sp.GetRequiredService<WorkSignalInterceptor>()),
                optionsLifetime: ServiceLifetime.Singleton);
        }
        else
        {
            connectionString = PrepareSqlite(connectionString, builder.Environment.ContentRootPath);
            builder.Services.AddDbContext<FukkyuDb, SqliteFukkyuDb>((sp, o) => UseSqlite(o, connectionString).AddInterceptors(sp.GetRequiredService<WorkSignalInterceptor>()),
                optionsLifetime: ServiceLifetime.Singleton);
        }
        builder.Services.AddDataProtection().SetApplicationName("Fukkyu").PersistKeysToDbContext<FukkyuDb>();
        return builder;
    }

    internal static DbContextOptionsBuilder UsePostgres(DbContextOptionsBuilder o, string connectionString) =>
        o.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    internal static DbContextOptionsBuilder UseSqlite(DbContextOptionsBuilder o, string connectionString) =>
        o.UseSqlite(connectionString).UseSnakeCaseNamingConvention().AddInterceptors(SqliteConnectionSetup.Instance);

    /// <summary>
    /// Lets Npgsql prepare the statements it sees repeatedly (<c>Max Auto Prepare</c>), unless the
    /// connection string says otherwise: a declaration runs the same dozen queries every time, and
    /// PostgreSQL then skips parsing and planning them (docs/decisions/050-postgres-prepared-statements.md).
    /// Set <c>Max Auto Prepare=0</c> behind a pooler that cannot keep prepared statements.
    /// </summary>
    internal static string PreparePostgres(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(k => k.Replace(" ", "").Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            return connectionString;
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64 }.ConnectionString;
    }

    /// <summary>Makes a relative SQLite path relative to the content root and creates its folder.</summary>
    internal static string PrepareSqlite(string connectionString, string contentRoot)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        if (csb.DataSource is { Length: > 0 } path && path != ":memory:" && csb.Mode != SqliteOpenMode.Memory)
        {
            if (!Path.IsPathRooted(path))
            {
                path = Path.Combine(contentRoot, path);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            csb.DataSource = path;
        }
        csb.Pooling = true;
        return csb.ConnectionString;
    }

    /// <summary>
    /// Applies migrations when configured (or when <paramref name="force"/> is set) and switches
    /// SQLite to WAL. Explicit and opt-in: production PostgreSQL migrates with <c>fukkyu-server migrate</c>.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, bool force = false, CancellationToken ct = default)
    {
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        if (!options.IsPostgres)
        {
            // WAL is a property of the database file: readers never block the writer.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }
        if (force || options.ShouldMigrate)
        {
            await db.Database.MigrateAsync(ct);
        }
    }
}

/// <summary>
/// Per-connection SQLite settings: wait for the writer instead of failing with "database is locked"
/// (polling every millisecond), and fsync every commit. They belong to the native connection,
/// which the pool keeps open across <c>Open</c>/<c>Close</c>, so they are applied once per native
/// connection, not at every open.
/// </summary>
internal sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public static readonly SqliteConnectionSetup Instance = new();

    private const string Pragmas = "PRAGMA busy_timeout=10000; PRAGMA synchronous=FULL;";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Prepared = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (IsNew(connection, out var handle))
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = Pragmas;
            cmd.ExecuteNonQuery();
            WaitForTheWriter(connection);
            Prepared.TryAdd(handle, handle);
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (IsNew(connection, out var handle))
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = Pragmas;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            WaitForTheWriter(connection);
            Prepared.TryAdd(handle, handle);
        }
    }

    /// <summary>
    /// While another connection writes, retry every millisecond (for the same ~10 s as the
    /// pragma's timeout). SQLite's own handler backs off 1, 2, 5, 10, 15, 20, 25… ms, so a waiter
    /// behind a writer that holds the lock for 8 ms comes back after 18 — with a few writers at
    /// once (declarations, jobs, the outbox) those overshoots were most of a burst's time.
    /// </summary>
    private static void WaitForTheWriter(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } db })
        {
            try
            {
                _ = NativeMethods.sqlite3_busy_handler(db.DangerousGetHandle(), Busy, IntPtr.Zero);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Another SQLite build: the pragma's busy_timeout stays in force.
            }
        }
    }

    private const int BusyPolls = 10_000;

    // Static, so the callback handed to native code is never collected.
    private static readonly NativeMethods.BusyCallback Busy = (_, count) =>
    {
        if (count >= BusyPolls)
        {
            return 0;
        }
        Thread.Sleep(1);
        return 1;
    };

    private static class NativeMethods
    {
        [System.Runtime.InteropServices.UnmanagedFunctionPointer(System.Runtime.InteropServices.CallingConvention.Cdecl)]
        public delegate int BusyCallback(IntPtr state, int count);

        // SQLitePCLRaw 2.1 wraps busy_timeout but not busy_handler; this is the same native library.
        [System.Runtime.InteropServices.DllImport("e_sqlite3", CallingConvention = System.Runtime.InteropServices.CallingConvention.Cdecl)]
        public static extern int sqlite3_busy_handler(IntPtr db, BusyCallback callback, IntPtr state);
    }

    private static bool IsNew(DbConnection connection, out object handle)
    {
        handle = (connection as SqliteConnection)?.Handle ?? (object)connection;
        return !Prepared.TryGetValue(handle, out _);
    }
}

// Design-time factories so `dotnet ef migrations add` can build each provider's context.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteFukkyuDb>
{
    public SqliteFukkyuDb CreateDbContext(string[] args) =>
        new((DbContextOptions<SqliteFukkyuDb>)DataExtensions.UseSqlite(new DbContextOptionsBuilder<SqliteFukkyuDb>(), "Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresFukkyuDb>
{
    public PostgresFukkyuDb CreateDbContext(string[] args) =>
        new((DbContextOptions<PostgresFukkyuDb>)DataExtensions.UsePostgres(new DbContextOptionsBuilder<PostgresFukkyuDb>(), "Host=localhost;Database=fukkyu_design").Options);
}
