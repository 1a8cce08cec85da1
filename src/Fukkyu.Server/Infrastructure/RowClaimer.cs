using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Infrastructure;

/// <summary>
/// Claims due rows of a work table (outbox messages, jobs) for this node. On PostgreSQL several
/// nodes claim concurrently without blocking each other (<c>FOR UPDATE SKIP LOCKED</c>); on SQLite
/// the single writer makes the UPDATE atomic. A row whose claim expired (its node died) is due again.
/// </summary>
/// <remarks>
/// The table needs the columns <c>id</c> (uuid), <c>state</c> (text: Pending, Claimed, …),
/// <c>due_at</c>, <c>claimed_by</c> and <c>claimed_until</c>.
/// </remarks>
public static class RowClaimer
{
    public static async Task<List<Guid>> ClaimAsync(FukkyuDb db, string table, string node, DateTime now, TimeSpan lease, int max, CancellationToken ct)
    {
        var until = now + lease;
        var postgres = db.Database.IsNpgsql();
        var lockClause = postgres ? "FOR UPDATE SKIP LOCKED" : "";
        // Table names are constants from our code, never input.
        var sql = $$"""
            UPDATE {{table}} SET state = 'Claimed', claimed_by = {0}, claimed_until = {1}
            WHERE id IN (
                SELECT id FROM {{table}}
                WHERE (state = 'Pending' AND due_at <= {2}) OR (state = 'Claimed' AND claimed_until < {2})
                ORDER BY due_at
                LIMIT {3}
                {{lockClause}})
            RETURNING id AS "Value"
            """;
        if (postgres)
        {
            return await db.Database.SqlQueryRaw<Guid>(sql, node, until, now, max).ToListAsync(ct);
        }
        // SQLite stores our DateTimes as text in this exact shape; pass them as such so comparisons hold.
        return await db.Database.SqlQueryRaw<Guid>(sql, node, BulkInsert.SqliteValue(until), BulkInsert.SqliteValue(now), max).ToListAsync(ct);
    }
}
