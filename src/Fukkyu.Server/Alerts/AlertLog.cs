using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fukkyu.Server.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Fukkyu.Server.Alerts;

/// <summary>
/// One committed batch of accepted events that is not yet folded into alerts. A sender is answered
/// once its events are in this log; the committer folds the log into alerts shortly after and
/// deletes the rows in the same transaction, so every logged event is folded exactly once, also
/// after a crash (see decision 010).
/// </summary>
public sealed class AlertLogEntry
{
    public long Id { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>How many events the payload holds.</summary>
    public int Events { get; set; }
    /// <summary>The events as UTF-8 JSON (<see cref="AlertLog.Serialize"/>).</summary>
    public byte[] Payload { get; set; } = [];
}

/// <summary>
/// How far the alert log file of a SQLite database is folded (<see cref="AlertLogFile"/>): one row,
/// moved in the fold's own transaction, so a batch at or below it is never folded twice.
/// </summary>
public sealed class AlertLogMark
{
    public int Id { get; set; }
    public long FoldedThrough { get; set; }
}

public static class AlertLog
{
    public static void ConfigureAlertLog(this ModelBuilder b)
    {
        b.Entity<AlertLogEntry>(e =>
        {
            e.ToTable("alert_log");
            e.HasIndex(l => l.CreatedAt);
        });
        b.Entity<AlertLogMark>(e =>
        {
            e.ToTable("alert_log_mark");
            e.Property(m => m.Id).ValueGeneratedNever();
        });
    }

    public static byte[] Serialize(IReadOnlyList<AlertEvent> events) =>
        JsonSerializer.SerializeToUtf8Bytes(events as AlertEvent[] ?? [.. events], AlertLogJson.Default.AlertEventArray);

    public static AlertEvent[] Deserialize(byte[] payload) =>
        JsonSerializer.Deserialize(payload, AlertLogJson.Default.AlertEventArray) ?? [];

    /// <summary>Appends one batch inside the caller's transaction and returns its id.</summary>
    public static async Task<long> AppendAsync(FukkyuDb db, DateTime createdAt, IReadOnlyList<AlertEvent> events, CancellationToken ct)
    {
        var tx = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The alert log is appended inside the caller's transaction.");
        await using var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO alert_log (created_at, events, payload) VALUES (@at, @n, @p) RETURNING id";
        var sqlite = tx is SqliteTransaction;
        // Times as EF Core stores them on each store: ISO text on SQLite, timestamptz on PostgreSQL.
        Add(cmd, "@at", sqlite ? BulkInsert.SqliteValue(createdAt) : createdAt);
        Add(cmd, "@n", events.Count);
        Add(cmd, "@p", Serialize(events));
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}

[JsonSerializable(typeof(AlertEvent[]))]
internal sealed partial class AlertLogJson : JsonSerializerContext;
