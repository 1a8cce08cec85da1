using System.Globalization;
using System.Resources;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.PostIncident;

/// <summary>
/// Documents after the incident (report, filings, drill reports) are written in both languages at
/// once, whatever the reader's own language is; this runs text lookups in a chosen one.
/// </summary>
public static class Lang
{
    public const string Ja = "ja";
    public const string En = "en";
    public static readonly string[] Both = [Ja, En];

    public static string Current => Texts.Japanese ? Ja : En;

    public static bool IsKnown(string? lang) => lang is Ja or En;

    /// <summary>Runs <paramref name="work"/> with the UI culture (and formatting culture) of <paramref name="lang"/>.</summary>
    public static T In<T>(string lang, Func<T> work)
    {
        var ui = CultureInfo.CurrentUICulture;
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(lang);
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(lang);
            return work();
        }
        finally
        {
            CultureInfo.CurrentUICulture = ui;
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary><c>1時間5分</c> / <c>1 h 5 min</c>; seconds only under a minute.</summary>
    public static string Duration(TimeSpan? span, string lang)
    {
        if (span is not { } s)
        {
            return "—";
        }
        if (s < TimeSpan.Zero)
        {
            s = TimeSpan.Zero;
        }
        var ja = lang == Ja;
        if (s.TotalMinutes < 1)
        {
            return ja ? $"{(int)s.TotalSeconds}秒" : $"{(int)s.TotalSeconds} s";
        }
        var days = (int)s.TotalDays;
        var parts = new List<string>();
        if (days > 0)
        {
            parts.Add(ja ? $"{days}日" : $"{days} d");
        }
        if (s.Hours > 0)
        {
            parts.Add(ja ? $"{s.Hours}時間" : $"{s.Hours} h");
        }
        if (s.Minutes > 0)
        {
            parts.Add(ja ? $"{s.Minutes}分" : $"{s.Minutes} min");
        }
        return string.Join(ja ? "" : " ", parts);
    }

    public static string Number(long n, string lang) => n.ToString("N0", CultureInfo.GetCultureInfo(lang));
}

/// <summary>Texts of the post-incident features (PostIncidentStrings.resx, PostIncidentStrings.ja.resx).</summary>
public sealed class PostIncidentStrings
{
    internal static readonly ResourceManager Resources = new(typeof(PostIncidentStrings));

    /// <summary>In the reader's language.</summary>
    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);

    /// <summary>In a given language, for documents written in both.</summary>
    public static string In(string lang, string key, params object?[] args) => Texts.Format(Resources, key, lang, args);
}

/// <summary>Units of work that also append to an incident's timeline, retried when another writer wins the race.</summary>
internal static class Retry
{
    /// <summary>
    /// Runs <paramref name="attempt"/> (which saves) again on a lost race: the incident's version
    /// guards its timeline, so a concurrent entry elsewhere makes this save fail harmlessly. Each
    /// attempt re-reads and re-checks state, so a race that changes the answer answers 409.
    /// </summary>
    public static async Task<OpResult<T>> OnConflictAsync<T>(FukkyuDb db, Func<Task<OpResult<T>>> attempt, int max = 6)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                if (i >= max)
                {
                    return new ConflictError("concurrency", Validation.Text("Conflict"));
                }
            }
        }
    }
}
