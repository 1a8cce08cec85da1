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
    /// <param name="first">
    /// When set, only rows of these kinds (column <c>kind</c>) are due at <paramref name="now"/>;
    /// the others are due only once their due time is at or before <see cref="ClaimFirst.OthersDueBy"/>.
    /// </param>
    public static async Task<List<Guid>> ClaimAsync(FukkyuDb db, string table, string node, DateTime now, TimeSpan lease, int max, CancellationToken ct, ClaimFirst? first = null)
    {
        var until = now + lease;
        var postgres = db.Database.IsNpgsql();
        var lockClause = postgres ? "FOR UPDATE SKIP LOCKED" : "";
        // SQLite stores our DateTimes as text in this exact shape; pass them as such so comparisons hold.
        object Time(DateTime t) => postgres ? t : BulkInsert.SqliteValue(t);
        var parameters = new List<object> { node, Time(until), Time(now), max };
        var only = "";
        if (first is not null)
        {
            var kinds = string.Join(", ", first.Kinds.Select((k, i) => $"{{{4 + i}}}"));
            parameters.AddRange(first.Kinds);
            parameters.Add(Time(first.OthersDueBy));
            var others = $"due_at <= {{{parameters.Count - 1}}}";
            only = first.Kinds.Count == 0 ? $"AND {others}" : $"AND (kind IN ({kinds}) OR {others})";
        }
        // Table names are constants from our code, never input.
        var sql = $$"""
            UPDATE {{table}} SET state = 'Claimed', claimed_by = {0}, claimed_until = {1}
            WHERE id IN (
                SELECT id FROM {{table}}
                WHERE ((state = 'Pending' AND due_at <= {2}) OR (state = 'Claimed' AND claimed_until < {2}))
                {{only}}
                ORDER BY due_at
                LIMIT {3}
                {{lockClause}})
            RETURNING id AS "Value"
            """;
        return await db.Database.SqlQueryRaw<Guid>(sql, [.. parameters]).ToListAsync(ct);
    }
}

/// <summary>Rows of <see cref="Kinds"/> are claimed when due; other rows only once due at or before <see cref="OthersDueBy"/>.</summary>
public sealed record ClaimFirst(IReadOnlyList<string> Kinds, DateTime OthersDueBy);
