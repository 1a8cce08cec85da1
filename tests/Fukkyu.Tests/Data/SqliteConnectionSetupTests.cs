using Fukkyu.Tests.Infrastructure;
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
            Assert.Equal(10_000, timeout);
            Assert.Equal(2, synchronous); // FULL
        }
    }

    private static async Task<long> Scalar(Fukkyu.Server.Data.FukkyuDb db, string sql)
    {
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
