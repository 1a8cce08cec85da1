using Fukkyu.Server.Data;
using Npgsql;

namespace Fukkyu.Tests.Data;

public sealed class PostgresConnectionTests
{
    [Fact]
    public void StatementsArePreparedUnlessTheConnectionStringSaysOtherwise()
    {
        var prepared = new NpgsqlConnectionStringBuilder(DataExtensions.PreparePostgres("Host=db;Username=fukkyu;Password=secret;Database=fukkyu"));
        Assert.Equal(64, prepared.MaxAutoPrepare);
        Assert.Equal("db", prepared.Host);
        Assert.Equal("secret", prepared.Password);

        // Behind PgBouncer in transaction mode the operator turns it off, in either spelling; that stays.
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(DataExtensions.PreparePostgres("Host=db;Max Auto Prepare=0")).MaxAutoPrepare);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(DataExtensions.PreparePostgres("Host=db;maxautoprepare=0")).MaxAutoPrepare);
        Assert.Equal(10, new NpgsqlConnectionStringBuilder(DataExtensions.PreparePostgres("Host=db;Max Auto Prepare=10")).MaxAutoPrepare);
    }
}
