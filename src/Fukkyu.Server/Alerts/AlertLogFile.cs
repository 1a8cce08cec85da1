using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Fukkyu.Server.Alerts;

/// <summary>
/// On SQLite the alert log lives in a file of its own beside the database (decision 010): SQLite
/// has one writer per file, and in the database file every log commit had to wait while a fold
/// wrote, so under load every sender waited and the processors idled. Here the committer appends
/// while a fold writes. Exactly-once: a fold moves <see cref="AlertLogMark"/> in its own
/// transaction of the database; batches at or below the mark are folded and only deleted here
/// afterwards (with the next append), and at start the ones above it are read back.
/// </summary>
/// <remarks>Used by the committer loop only (one connection, one thread at a time).</remarks>
public sealed class AlertLogFile : IDisposable
{
    private readonly SqliteConnection _connection;
    // What is deleted already: an append deletes only when the fold mark has moved since.
    private long _deletedThrough;

    private AlertLogFile(SqliteConnection connection) => _connection = connection;

    /// <summary>The log file for a SQLite database, or null when the database is not a file.</summary>
    public static string? PathFor(string? databaseConnectionString)
    {
        if (databaseConnectionString is null)
        {
            return null;
        }
        var csb = new SqliteConnectionStringBuilder(databaseConnectionString);
        return csb.DataSource is { Length: > 0 } path && path != ":memory:" && csb.Mode != SqliteOpenMode.Memory
            ? path + "-alert-log"
            : null;
    }

    /// <summary>Opens (creating if needed) the log file; new batches get ids above <paramref name="foldedThrough"/>.</summary>
    public static AlertLogFile Open(string path, long foldedThrough)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString);
        connection.Open();
        var file = new AlertLogFile(connection);
        file.Run("""
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;
            CREATE TABLE IF NOT EXISTS alert_log (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, events INTEGER NOT NULL, payload BLOB NOT NULL);
            """);
        // Should the file be lost or replaced while the mark stands, new ids must still be above
        // it, or their batches would be taken for folded ones.
        file.Run("""
            INSERT INTO sqlite_sequence (name, seq) SELECT 'alert_log', $m WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'alert_log');
            UPDATE sqlite_sequence SET seq = $m WHERE name = 'alert_log' AND seq < $m;
            """, ("$m", foldedThrough));
        return file;
    }

    /// <summary>
    /// Appends one batch and deletes what is folded through <paramref name="deleteThrough"/>, in
    /// one transaction; returns the batch's id once it is durable.
    /// </summary>
    public long Append(DateTime createdAt, IReadOnlyList<AlertEvent> events, long deleteThrough)
    {
        using var tx = _connection.BeginTransaction();
        var deleting = deleteThrough > _deletedThrough;
        if (deleting)
        {
            Run("DELETE FROM alert_log WHERE id <= $d", ("$d", deleteThrough));
        }
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "INSERT INTO alert_log (created_at, events, payload) VALUES ($at, $n, $p) RETURNING id";
        cmd.Parameters.AddWithValue("$at", createdAt.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$n", events.Count);
        cmd.Parameters.AddWithValue("$p", AlertLog.Serialize(events));
        var id = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        tx.Commit();
        if (deleting)
        {
            _deletedThrough = deleteThrough;
        }
        return id;
    }

    /// <summary>The batches above the mark, oldest first; deletes the ones at or below it.</summary>
    public List<(long Id, AlertEvent[] Events)> ReadAfter(long foldedThrough)
    {
        Run("DELETE FROM alert_log WHERE id <= $m", ("$m", foldedThrough));
        _deletedThrough = Math.Max(_deletedThrough, foldedThrough);
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT id, payload FROM alert_log WHERE id > $m ORDER BY id";
        cmd.Parameters.AddWithValue("$m", foldedThrough);
        using var reader = cmd.ExecuteReader();
        var batches = new List<(long, AlertEvent[])>();
        while (reader.Read())
        {
            batches.Add((reader.GetInt64(0), AlertLog.Deserialize((byte[])reader.GetValue(1))));
        }
        return batches;
    }

    /// <summary>Events logged above the mark, that is not yet folded (for tests and diagnostics).</summary>
    public static long CountEvents(string path, long foldedThrough)
    {
        if (!File.Exists(path))
        {
            return 0;
        }
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COALESCE(SUM(events), 0) FROM alert_log WHERE id > $m";
        cmd.Parameters.AddWithValue("$m", foldedThrough);
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private void Run(string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
