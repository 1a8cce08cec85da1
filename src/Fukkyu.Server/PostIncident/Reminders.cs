using Fukkyu.Server.Data;
using Fukkyu.Server.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.PostIncident;

/// <summary>Shared by the reminder jobs of action items, filings and document reviews.</summary>
internal static class Reminders
{
    /// <summary>
    /// Whether a reminder with this key was already queued: a job that ran, queued its messages and
    /// crashed before being marked done runs again, and must not trip over its own unique keys.
    /// </summary>
    public static Task<bool> AlreadySentAsync(FukkyuDb db, string key, CancellationToken ct) =>
        db.Set<OutboxMessage>().AnyAsync(m => m.IdempotencyKey.StartsWith(key + ":"), ct);

    /// <summary>An absolute link when <c>Fukkyu:BaseUrl</c> is configured, else the path.</summary>
    public static string Link(IConfiguration config, string path) =>
        config["Fukkyu:BaseUrl"] is { Length: > 0 } baseUrl ? baseUrl.TrimEnd('/') + path : path;
}
