using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Incidents;

/// <summary>
/// One append-only, hash-chained entry: every change, page, acknowledgement, note, control
/// change, public update, briefing and checklist step of an incident.
/// </summary>
public sealed class TimelineEntry
{
    public long Id { get; set; }
    public Guid IncidentId { get; set; }
    /// <summary>1, 2, 3… within the incident; a gap means a deleted entry.</summary>
    public int Seq { get; set; }
    public DateTime At { get; set; }
    public Guid? ActorId { get; set; }
    public required string ActorName { get; set; }
    /// <summary>What happened: <see cref="TimelineKinds"/>; features add their own kinds.</summary>
    public required string Kind { get; set; }
    /// <summary>Text a person wrote: the note, the reason.</summary>
    public string? Body { get; set; }
    /// <summary>Structured detail as JSON, e.g. <c>{"from":"detected","to":"triaging"}</c>.</summary>
    public string? Data { get; set; }
    public required string PrevHash { get; set; }
    public required string Hash { get; set; }
}

public static class TimelineKinds
{
    public const string Declared = "declared";
    public const string Status = "status";
    public const string Level = "level";
    public const string Note = "note";
    public const string Commander = "commander";
    public const string MemberAdded = "member_added";
    public const string MemberRemoved = "member_removed";
    public const string Updated = "updated";
    public const string GateOverride = "gate_override";
}

public static class TimelineHash
{
    public static readonly string Genesis = new('0', 64);

    /// <summary>
    /// SHA-256 over every stored field and the previous hash. Times are cut to microseconds,
    /// PostgreSQL's precision, so the hash survives a round trip through either store.
    /// </summary>
    public static string Compute(TimelineEntry e)
    {
        var text = string.Join('\n',
            e.IncidentId.ToString("D"), e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            e.At.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture),
            e.ActorId?.ToString("D") ?? "", e.ActorName, e.Kind, e.Body ?? "", e.Data ?? "", e.PrevHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public static DateTime ToMicroseconds(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
}

public sealed record TimelineVerification(bool Valid, int? BrokenAt, string? Reason, int Entries);

public static class Timeline
{
    private static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpDefaults.ConfigureJson(o);
        return o;
    }

    /// <summary>
    /// Appends an entry to a tracked incident. The incident's version guards the chain: two
    /// concurrent appends cannot both commit.
    /// </summary>
    public static TimelineEntry Append(FukkyuDb db, Incident incident, Actor actor, DateTime at, string kind, string? body = null, object? data = null)
    {
        var entry = new TimelineEntry
        {
            IncidentId = incident.Id,
            Seq = incident.TimelineCount + 1,
            At = TimelineHash.ToMicroseconds(at),
            ActorId = actor.UserId,
            ActorName = actor.Name,
            Kind = kind,
            Body = body,
            Data = data is null ? null : JsonSerializer.Serialize(data, Json),
            PrevHash = incident.TimelineHead,
            Hash = "",
        };
        entry.Hash = TimelineHash.Compute(entry);
        incident.TimelineCount = entry.Seq;
        incident.TimelineHead = entry.Hash;
        incident.UpdatedAt = at;
        db.TimelineEntries.Add(entry);
        return entry;
    }

    /// <summary>
    /// Walks the chain: sequence without gaps, each entry's hash recomputed, each link to the one
    /// before, and the incident's recorded count and head — so an edit, a deletion in the middle
    /// and a deleted tail are all found.
    /// </summary>
    public static async Task<TimelineVerification> VerifyAsync(FukkyuDb db, Guid incidentId, CancellationToken ct)
    {
        var head = await db.Incidents.AsNoTracking().Where(i => i.Id == incidentId)
            .Select(i => new { i.TimelineCount, i.TimelineHead }).FirstAsync(ct);
        var prev = TimelineHash.Genesis;
        var expectedSeq = 1;
        var count = 0;
        await foreach (var e in db.TimelineEntries.AsNoTracking().Where(t => t.IncidentId == incidentId).OrderBy(t => t.Seq).AsAsyncEnumerable().WithCancellation(ct))
        {
            count++;
            if (e.Seq != expectedSeq)
            {
                return new(false, expectedSeq, "missing", count);
            }
            if (e.PrevHash != prev)
            {
                return new(false, e.Seq, "link", count);
            }
            if (TimelineHash.Compute(e) != e.Hash)
            {
                return new(false, e.Seq, "modified", count);
            }
            prev = e.Hash;
            expectedSeq++;
        }
        if (count != head.TimelineCount || prev != head.TimelineHead)
        {
            return new(false, count + 1, "missing", count);
        }
        return new(true, null, null, count);
    }
}
