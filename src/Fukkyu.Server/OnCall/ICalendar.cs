using System.Globalization;
using System.Text;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

/// <summary>A person's on-call shifts as an iCalendar feed (RFC 5545), for their phone's calendar.</summary>
public static class ICalendar
{
    public static async Task<string> ForPersonAsync(FukkyuDb db, OnCallService oncall, User user, DateTime from, DateTime to, DateTime now, CancellationToken ct)
    {
        var uid = user.Id;
        // Only schedules the person appears in: as a layer member or by an override.
        var layerSchedules = db.Set<ScheduleLayer>().Where(l => l.Members.Any(m => m.UserId == uid)).Select(l => l.ScheduleId);
        var overrideSchedules = db.Set<ScheduleOverride>().Where(o => o.UserId == uid && o.EndsAt > from).Select(o => o.ScheduleId);
        var schedules = await oncall.Schedules().Where(s => layerSchedules.Contains(s.Id) || overrideSchedules.Contains(s.Id)).ToListAsync(ct);
        var sb = new StringBuilder();
        Line(sb, "BEGIN:VCALENDAR");
        Line(sb, "VERSION:2.0");
        Line(sb, "PRODID:-//Fukkyu//On call//JA");
        Line(sb, "CALSCALE:GREGORIAN");
        Line(sb, "METHOD:PUBLISH");
        Line(sb, "X-WR-CALNAME:" + Escape($"Fukkyu on call — {user.DisplayName}"));
        Line(sb, "X-WR-TIMEZONE:Asia/Tokyo");
        foreach (var s in schedules)
        {
            var engine = await oncall.EngineAsync(s, from, to, ct);
            foreach (var seg in engine.Final(from, to).Where(x => x.UserId == uid))
            {
                Line(sb, "BEGIN:VEVENT");
                Line(sb, $"UID:{s.Id:N}-{Stamp(seg.Start)}-{uid:N}@fukkyu");
                Line(sb, "DTSTAMP:" + Stamp(now));
                Line(sb, "DTSTART:" + Stamp(seg.Start));
                Line(sb, "DTEND:" + Stamp(seg.End));
                var summary = user.Language == "en" ? $"On call: {s.Name}" : $"オンコール: {s.Name}";
                Line(sb, "SUMMARY:" + Escape(summary));
                Line(sb, "DESCRIPTION:" + Escape(seg.Source == "override" ? "override" : $"layer: {seg.Source}"));
                Line(sb, "TRANSP:OPAQUE");
                Line(sb, "END:VEVENT");
            }
        }
        Line(sb, "END:VCALENDAR");
        return sb.ToString();
    }

    private static string Stamp(DateTime utc) => utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Escape(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(";", "\\;", StringComparison.Ordinal)
         .Replace(",", "\\,", StringComparison.Ordinal).ReplaceLineEndings("\\n");

    /// <summary>Content lines end in CRLF and fold at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence.</summary>
    private static void Line(StringBuilder sb, string line)
    {
        var bytes = 0;
        var first = true;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (bytes + size > (first ? 75 : 74))
            {
                sb.Append("\r\n ");
                bytes = 0;
                first = false;
            }
            sb.Append(rune.ToString());
            bytes += size;
        }
        sb.Append("\r\n");
    }
}
