using Fukkyu.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Tests.Data;

public sealed class SqliteConnectionSetupTests
{
    [Fact]
    public async Task EveryConnectionWaitsForTheWriterAndSyncsEveryCommitAlsoWhenTakenFromThePool()
    {
        // The settings are applied once per native connection; a pooled connection keeps them.
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        for (var round = 0; round < 3; round++)
        {
            var (timeout, synchronous) = await app.WithDbAsync(async db =>
            {
                await db.Database.OpenConnectionAsync();
                try
                {
                    return (await Scalar(db, "PRAGMA busy_timeout"), await Scalar(db, "PRAGMA synchronous"));
                }
                finally
                {
                    await db.Database.CloseConnectionAsync();
                }
            });
            // 0: the millisecond-polling busy handler replaced SQLite's backing-off one (the
            // pragma reports the timeout of SQLite's own handler only).
            Assert.Equal(0, timeout);
            Assert.Equal(2, synchronous); // FULL
        }
    }

    [Fact]
    public async Task AWriteWaitsForAnotherConnectionsWriteInsteadOfFailing()
    {
        await using var app = await FukkyuApp.StartAsync(Store.Sqlite);
        var file = await app.WithDbAsync(db => Task.FromResult(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource));
        await using var other = new SqliteConnection($"Data Source={file};Pooling=False");
        await other.OpenAsync();
        await using (var create = other.CreateCommand())
        {
            create.CommandText = "CREATE TABLE lock_probe (n INTEGER NOT NULL)";
            await create.ExecuteNonQueryAsync();
        }
        var tx = (SqliteTransaction)await other.BeginTransactionAsync(); // BEGIN IMMEDIATE: holds the write lock
        await using (var insert = other.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO lock_probe VALUES (1)";
            await insert.ExecuteNonQueryAsync();
        }
        // On another thread: SQLite's "async" calls run synchronously, the wait included.
        var write = Task.Run(() => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("INSERT INTO lock_probe VALUES (2)")));
        await Task.Delay(300);
        Assert.False(write.IsCompleted); // still waiting for the lock
        await tx.CommitAsync();
        Assert.Equal(1, await write);
        await using var count = other.CreateCommand();
        count.CommandText = "SELECT group_concat(n) FROM (SELECT n FROM lock_probe ORDER BY rowid)";
        Assert.Equal("1,2", await count.ExecuteScalarAsync());
    }

    private static async Task<long> Scalar(Fukkyu.Server.Data.FukkyuDb db, string sql)
    {
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
