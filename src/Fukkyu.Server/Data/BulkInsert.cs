using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Fukkyu.Server.Data;

/// <summary>
/// Inserts many rows of one table inside the caller's transaction, without change tracking. On
/// SQLite one prepared single-row INSERT is run per row (SQLite looks parameters up by name with a
/// linear scan, so one statement with thousands of parameters costs quadratic time); on PostgreSQL
/// a multi-row INSERT per few hundred rows (one round trip each).
/// </summary>
/// <remarks>Table and column names are constants from our code, never input.</remarks>
public static class BulkInsert
{
    private const int PostgresRowsPerStatement = 500;

    public static async Task<int> RunAsync(FukkyuDb db, string table, string[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return 0;
        }
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("BulkInsert runs inside the caller's transaction.");
        if (tx is SqliteTransaction sqliteTx)
        {
            return await SqliteAsync(sqliteTx, table, columns, rows, ct);
        }
        var written = 0;
        foreach (var chunk in rows.Chunk(PostgresRowsPerStatement))
        {
            var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ");
            var args = new List<object?>(chunk.Length * columns.Length);
            for (var r = 0; r < chunk.Length; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Length; c++)
                {
                    sql.Append(c == 0 ? "{" : ", {").Append(args.Count).Append('}');
                    // Enums are stored by name (the model's convention); EF would bind their number.
                    args.Add(chunk[r][c] is Enum e ? e.ToString() : chunk[r][c]);
                }
                sql.Append(')');
            }
            written += await db.Database.ExecuteSqlRawAsync(sql.ToString(), args!, ct);
        }
        return written;
    }

    private static async Task<int> SqliteAsync(SqliteTransaction tx, string table, string[] columns, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        await using var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";
        var parameters = columns.Select((_, i) => cmd.Parameters.Add(new SqliteParameter("$p" + i.ToString(CultureInfo.InvariantCulture), DBNull.Value))).ToArray();
        var written = 0;
        foreach (var row in rows)
        {
            for (var c = 0; c < parameters.Length; c++)
            {
                parameters[c].Value = SqliteValue(row[c]);
            }
            written += await cmd.ExecuteNonQueryAsync(ct);
        }
        return written;
    }

    /// <summary>
    /// A value as EF Core stores it in SQLite: Guids as upper-case text, times as ISO text, enums by
    /// name. For SQL written by hand, so its parameters compare and store like EF's.
    /// </summary>
    public static object SqliteValue(object? value) => value switch
    {
        null => DBNull.Value,
        Guid g => g.ToString().ToUpperInvariant(),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        bool b => b ? 1 : 0,
        Enum e => e.ToString(),
        _ => value,
    };
}
