using System.Text;
using Fukkyu.Server.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Fukkyu.Server.Alerts;

/// <summary>What folding a batch did to an alert that was already stored.</summary>
public enum AlertChange
{
    Unchanged,
    /// <summary>Only duplicates folded in: the count and the last-seen time moved, nothing else.</summary>
    Touched,
    /// <summary>Anything else changed (status, description, flap state).</summary>
    Changed,
}

/// <summary>
/// Writes what folding did to stored alerts. Duplicates are most of the traffic and change only
/// an alert's count and last-seen time, so they are written set-based — one UPDATE per hundred
/// alerts, on SQLite and PostgreSQL alike — instead of one change-tracked UPDATE per alert.
/// </summary>
public static class AlertChanges
{
    // PostgreSQL: a hundred rows (400 parameters) per statement.
    private const int RowsPerStatement = 100;

    /// <summary>The properties compared; the count and last-seen time are what a duplicate moves.</summary>
    private static IReadOnlyList<IProperty>? _others;

    public static AlertChange Compare(IModel model, Alert before, Alert after)
    {
        var others = _others ??= Others(model);
        if (!SameOtherwise(others, before, after))
        {
            return AlertChange.Changed;
        }
        return before.Count == after.Count && before.LastSeenAt == after.LastSeenAt ? AlertChange.Unchanged : AlertChange.Touched;
    }

    private static bool SameOtherwise(IReadOnlyList<IProperty> others, Alert before, Alert after)
    {
        foreach (var p in others)
        {
            var getter = p.GetGetter();
            if (!Equals(getter.GetClrValue(before), getter.GetClrValue(after)))
            {
                return false;
            }
        }
        return true;
    }

    // Every mapped property but the two a duplicate moves, read from the model so a property added
    // later is compared without anyone remembering to list it here.
    private static List<IProperty> Others(IModel model) => [.. model.FindEntityType(typeof(Alert))!.GetProperties()
        .Where(p => p.Name is not (nameof(Alert.Count) or nameof(Alert.LastSeenAt)))];

    private static (string[] Columns, IClrPropertyGetter[] Getters)? _insert;

    /// <summary>
    /// Inserts new alerts without change tracking (every mapped column, from the model), inside the
    /// caller's transaction. A new alert racing another node's for the same key hits the unique
    /// index on open alerts, and the batch is retried.
    /// </summary>
    public static Task InsertAsync(FukkyuDb db, IReadOnlyList<Alert> added, CancellationToken ct)
    {
        var (columns, getters) = _insert ??= InsertShape(db.Model);
        var rows = new object?[added.Count][];
        for (var r = 0; r < added.Count; r++)
        {
            var row = rows[r] = new object?[getters.Length];
            for (var c = 0; c < getters.Length; c++)
            {
                row[c] = getters[c].GetClrValue(added[r]);
            }
        }
        return BulkInsert.RunAsync(db, "alerts", columns, rows, ct);
    }

    private static (string[], IClrPropertyGetter[]) InsertShape(IModel model)
    {
        var properties = model.FindEntityType(typeof(Alert))!.GetProperties().ToList();
        // Quoted: "group" and "count" are column names here.
        return ([.. properties.Select(p => '"' + p.GetColumnName() + '"')], [.. properties.Select(p => p.GetGetter())]);
    }

    /// <summary>
    /// Writes the count and last-seen time of touched alerts, guarded by the version each was read
    /// with; a lost race (another node changed one meanwhile) throws, and the batch is retried.
    /// </summary>
    public static async Task WriteTouchedAsync(FukkyuDb db, IReadOnlyList<Alert> touched, CancellationToken ct)
    {
        if (touched.Count == 0)
        {
            return;
        }
        if (db.Database.CurrentTransaction?.GetDbTransaction() is SqliteTransaction sqlite)
        {
            // One prepared single-row UPDATE per alert: on SQLite there is no round trip to save,
            // and binding stays linear.
            await using var cmd = sqlite.Connection!.CreateCommand();
            cmd.Transaction = sqlite;
            cmd.CommandText = """UPDATE alerts SET "count" = $count, last_seen_at = $seen, version = version + 1 WHERE id = $id AND version = $version""";
            var count = cmd.Parameters.Add(new SqliteParameter("$count", 0));
            var seen = cmd.Parameters.Add(new SqliteParameter("$seen", ""));
            var id = cmd.Parameters.Add(new SqliteParameter("$id", ""));
            var version = cmd.Parameters.Add(new SqliteParameter("$version", 0));
            var refused = 0;
            foreach (var a in touched)
            {
                count.Value = a.Count;
                seen.Value = BulkInsert.SqliteValue(a.LastSeenAt);
                id.Value = BulkInsert.SqliteValue(a.Id);
                version.Value = a.Version;
                refused += 1 - await cmd.ExecuteNonQueryAsync(ct);
            }
            if (refused > 0)
            {
                throw new DbUpdateConcurrencyException($"{refused} of {touched.Count} alerts changed while their duplicates were folded.");
            }
            return;
        }
        foreach (var chunk in touched.Chunk(RowsPerStatement))
        {
            var sql = new StringBuilder("WITH v (id, version, count, last_seen_at) AS (VALUES ");
            var args = new object[chunk.Length * 4];
            for (var i = 0; i < chunk.Length; i++)
            {
                var a = chunk[i];
                var n = i * 4;
                sql.Append(i == 0 ? "(" : ", (")
                    .Append('{').Append(n).Append("}, {").Append(n + 1).Append("}, {").Append(n + 2).Append("}, {").Append(n + 3).Append("})");
                args[n] = a.Id;
                args[n + 1] = a.Version;
                args[n + 2] = a.Count;
                args[n + 3] = a.LastSeenAt;
            }
            sql.Append(""") UPDATE alerts SET "count" = v."count", last_seen_at = v.last_seen_at, version = alerts.version + 1 """)
               .Append("FROM v WHERE alerts.id = v.id AND alerts.version = v.version");
            var updated = await db.Database.ExecuteSqlRawAsync(sql.ToString(), args, ct);
            if (updated != chunk.Length)
            {
                throw new DbUpdateConcurrencyException($"{chunk.Length - updated} of {chunk.Length} alerts changed while their duplicates were folded.");
            }
        }
    }
}
