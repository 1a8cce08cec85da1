using System.Resources;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.StatusPage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Fukkyu.Server.Subscribers;

/// <summary>Texts of subscriptions (SubscriberStrings.resx, SubscriberStrings.ja.resx).</summary>
public sealed class SubscriberStrings
{
    private static readonly ResourceManager Resources = new(typeof(SubscriberStrings));

    public static string T(string key, params object?[] args) => Texts.Format(Resources, key, args);
}

public sealed record SubscribeRequest(string? Email, string? Language, string[]? ComponentIds);

public sealed record SubscriberInput(SubscriberKind? Kind, string? Address, string? Language, string[]? ComponentIds, string? Label, string? Secret);

/// <summary>
/// Email subscriptions with double opt-in, and the webhook and push subscribers operators
/// register. The public subscribe path answers the same way whatever the address's state, so it
/// reveals nothing; what differs is only what the mailbox's owner receives.
/// </summary>
public sealed class SubscriptionService(
    FukkyuDb db,
    WebhookTargetGuard guard,
    WebhookSecrets secrets,
    TimeProvider time,
    IOptions<SubscriberOptions> options,
    IOptions<StatusPageOptions> page)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>A trimmed, lower-cased address that MimeKit accepts, or null.</summary>
    public static string? NormalizeEmail(string? email)
    {
        var e = email?.Trim();
        if (e is not { Length: > 2 and <= SubscriberLimits.Email } || e.Any(char.IsWhiteSpace) || e.Count(c => c == '@') != 1
            || e.StartsWith('@') || e.EndsWith('@') || !MailboxAddress.TryParse(e, out var parsed) || parsed.Address != e)
        {
            return null;
        }
        return e.ToLowerInvariant();
    }

    /// <summary>Public component ids by id or key; unknown ones are named.</summary>
    public async Task<List<Guid>> ResolveComponentsAsync(string[]? refs, Validation v, CancellationToken ct)
    {
        if (refs is not { Length: > 0 })
        {
            return [];
        }
        if (refs.Length > SubscriberLimits.Components)
        {
            v.Add("componentIds", Validation.Text("TooMany", SubscriberLimits.Components));
            return [];
        }
        var ids = refs.Select(r => Guid.TryParse(r, out var g) ? g : (Guid?)null).Where(g => g is not null).Select(g => g!.Value).ToList();
        var found = await db.Components.AsNoTracking().Where(c => c.Public && (ids.Contains(c.Id) || refs.Contains(c.Key))).Select(c => new { c.Id, c.Key }).ToListAsync(ct);
        var result = new List<Guid>();
        foreach (var r in refs.Distinct())
        {
            var hit = found.FirstOrDefault(c => c.Key == r || (Guid.TryParse(r, out var g) && g == c.Id));
            if (hit is null)
            {
                v.Add("componentIds", Validation.Text("UnknownId", r.Length > 60 ? r[..60] : r));
            }
            else if (!result.Contains(hit.Id))
            {
                result.Add(hit.Id);
            }
        }
        return result;
    }

    public static void ValidateLanguage(Validation v, string? language)
    {
        if (language is not null and not ("ja" or "en"))
        {
            v.Add("language", Validation.Text("UnknownValue", language.Length > 20 ? language[..20] : language, "ja, en"));
        }
    }

    /// <summary>
    /// The public subscribe step: records the wish and sends a confirmation link — to a new
    /// address, to one still pending, and to an active subscriber who asks for other preferences
    /// (applied only once confirmed) — at most a few times a day per address.
    /// </summary>
    public async Task<OpResult<bool>> SubscribeEmailAsync(SubscribeRequest req, CancellationToken ct)
    {
        var v = new Validation();
        var email = NormalizeEmail(req.Email);
        if (email is null)
        {
            v.Add("email", SubscriberStrings.T("InvalidEmail"));
        }
        ValidateLanguage(v, req.Language);
        var components = await ResolveComponentsAsync(req.ComponentIds, v, ct);
        if (!v.IsValid)
        {
            return new InvalidError(v.Errors);
        }
        var now = Now;
        var language = req.Language ?? PublicText.Lang(page.Value.DefaultLanguage);
        var s = await db.Subscribers.FirstOrDefaultAsync(x => x.Kind == SubscriberKind.Email && x.Address == email, ct);
        if (s is null)
        {
            s = new Subscriber { Kind = SubscriberKind.Email, Address = email!, Language = language, State = SubscriberState.Pending, CreatedAt = now };
            db.Subscribers.Add(s);
        }
        if (s.ConfirmWindowStartedAt is null || s.ConfirmWindowStartedAt < now.AddDays(-1))
        {
            s.ConfirmWindowStartedAt = now;
            s.ConfirmSends = 0;
        }
        if (s.ConfirmSends >= options.Value.MaxConfirmEmailsPerDay)
        {
            // Enough mail to this address today; the links already sent still work.
            return true;
        }
        var (token, hash) = SubscriberTokens.NewConfirmation();
        s.ConfirmTokenHash = hash;
        s.ConfirmExpiresAt = now.AddHours(options.Value.ConfirmTokenHours);
        s.PendingLanguage = language;
        s.PendingComponentIds = components;
        s.ConfirmSends++;
        s.UpdatedAt = now;
        if (s.State == SubscriberState.Unsubscribed)
        {
            s.State = SubscriberState.Pending;
        }
        EnqueueConfirmation(s, token, language, now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same address submitted twice at once: the other request sent the link.
            db.ChangeTracker.Clear();
        }
        return true;
    }

    private void EnqueueConfirmation(Subscriber s, string token, string lang, DateTime now)
    {
        var o = page.Value;
        var name = lang == "en" ? o.NameEn : o.NameJa;
        var link = $"{o.Base}/subscribe/confirm?token={Uri.EscapeDataString(token)}&lang={lang}";
        var text = PublicText.T(lang, "ConfirmEmailBody", name, link, options.Value.ConfirmTokenHours, s.Address);
        Outbox.Enqueue(db, new OutgoingMessage(EmailSender.ChannelName, s.Address, $"subscribe-confirm:{s.Id:N}:{token[2..18]}", "subscribe-confirm",
            text, PublicText.T(lang, "ConfirmEmailSubject", name), new EmailPayload(Headers: new() { ["Auto-Submitted"] = "auto-generated" }),
            Reference: $"subscriber:{s.Id:N}"), now);
    }

    /// <summary>Confirms with a confirmation token (single use); null when unknown or expired.</summary>
    public async Task<Subscriber?> ConfirmAsync(string? token, CancellationToken ct)
    {
        if (token is not { Length: > 10 and < 200 } || !token.StartsWith("c_", StringComparison.Ordinal))
        {
            return null;
        }
        var hash = SubscriberTokens.Hash(token);
        var s = await db.Subscribers.FirstOrDefaultAsync(x => x.ConfirmTokenHash == hash && x.Kind == SubscriberKind.Email, ct);
        var now = Now;
        if (s is null || s.ConfirmExpiresAt < now)
        {
            return null;
        }
        s.Language = s.PendingLanguage ?? s.Language;
        s.ComponentIds = s.PendingComponentIds ?? s.ComponentIds;
        s.State = SubscriberState.Active;
        s.ConfirmedAt ??= now;
        s.ConfirmTokenHash = null;
        s.ConfirmExpiresAt = null;
        s.PendingLanguage = null;
        s.PendingComponentIds = null;
        s.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null;
        }
        return s;
    }

    /// <summary>Unsubscribes with an unsubscribe token; null when the token is not (or no longer) valid.</summary>
    public async Task<Subscriber?> UnsubscribeAsync((Guid Id, string Stamp)? token, CancellationToken ct)
    {
        if (token is not { } t)
        {
            return null;
        }
        var s = await db.Subscribers.FirstOrDefaultAsync(x => x.Id == t.Id, ct);
        if (s is null)
        {
            return null;
        }
        if (s.TokenStamp != t.Stamp)
        {
            // A repeated click on an old link: still unsubscribed is still the answer; a newer subscription stays.
            return s.State == SubscriberState.Unsubscribed ? s : null;
        }
        var now = Now;
        s.State = SubscriberState.Unsubscribed;
        s.UnsubscribedAt = now;
        s.TokenStamp = Guid.NewGuid().ToString("N");
        s.ConfirmTokenHash = null;
        s.ConfirmExpiresAt = null;
        s.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null;
        }
        return s;
    }

    /// <summary>
    /// Registers a subscriber for an operator or an integration: a webhook (checked against
    /// internal addresses, with a signing secret returned once), an app's device token, or an
    /// email address (which still has to confirm).
    /// </summary>
    public async Task<OpResult<(Subscriber Subscriber, string? Secret)>> RegisterAsync(SubscriberInput input, CancellationToken ct)
    {
        var v = new Validation();
        v.Required("kind", input.Kind).Text("address", input.Address, SubscriberLimits.Address, required: true).Text("label", input.Label, 200).Text("secret", input.Secret, 200);
        ValidateLanguage(v, input.Language);
        var components = await ResolveComponentsAsync(input.ComponentIds, v, ct);
        if (input.Secret is { Length: > 0 and < 16 })
        {
            v.Add("secret", SubscriberStrings.T("SecretTooShort", 16));
        }
        if (!v.IsValid)
        {
            return new InvalidError(v.Errors);
        }
        var address = input.Address!.Trim();
        var kind = input.Kind!.Value;
        switch (kind)
        {
            case SubscriberKind.Email:
                if (NormalizeEmail(address) is not { } email)
                {
                    return Invalid("address", SubscriberStrings.T("InvalidEmail"));
                }
                address = email;
                break;
            case SubscriberKind.Webhook:
                if (await guard.CheckAsync(address, ct) is { } refused)
                {
                    return Invalid("address", refused);
                }
                break;
            case SubscriberKind.Push:
                if (address.Length > 4096 || address.Any(char.IsWhiteSpace))
                {
                    return Invalid("address", SubscriberStrings.T("InvalidToken"));
                }
                break;
        }
        var now = Now;
        var language = input.Language ?? PublicText.Lang(page.Value.DefaultLanguage);
        var s = await db.Subscribers.FirstOrDefaultAsync(x => x.Kind == kind && x.Address == address, ct);
        if (s is not null && s.State == SubscriberState.Active && kind != SubscriberKind.Push)
        {
            return new ConflictError("already-subscribed", SubscriberStrings.T("AlreadySubscribed"));
        }
        if (s is null)
        {
            s = new Subscriber { Kind = kind, Address = address, CreatedAt = now };
            db.Subscribers.Add(s);
        }
        s.Label = input.Label?.Trim();
        s.UpdatedAt = now;
        string? secret = null;
        if (kind == SubscriberKind.Email)
        {
            var (token, hash) = SubscriberTokens.NewConfirmation();
            s.State = SubscriberState.Pending;
            s.ConfirmTokenHash = hash;
            s.ConfirmExpiresAt = now.AddHours(options.Value.ConfirmTokenHours);
            s.PendingLanguage = language;
            s.PendingComponentIds = components;
            EnqueueConfirmation(s, token, language, now);
        }
        else
        {
            s.State = SubscriberState.Active;
            s.Language = language;
            s.ComponentIds = components;
            s.ConfirmedAt = now;
            s.UnsubscribedAt = null;
            if (kind == SubscriberKind.Webhook)
            {
                secret = string.IsNullOrEmpty(input.Secret) ? WebhookSecrets.NewSecret() : input.Secret;
                s.SigningSecret = secrets.Protect(secret);
            }
        }
        await db.SaveChangesAsync(ct);
        return (s, secret);
    }

    /// <summary>Removes a subscriber and everything it asked for (their personal data goes with it).</summary>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await db.Subscribers.Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 1;

    private static InvalidError Invalid(string field, string message) => new(new() { [field] = [message] });
}

/// <summary>FCM says these app installs are gone: their push subscriptions go too.</summary>
public sealed class SubscriberPushTokens(FukkyuDb db) : IPushTokenListener
{
    public Task TokensUnregisteredAsync(IReadOnlyList<string> tokens, CancellationToken ct) =>
        db.Subscribers.Where(s => s.Kind == SubscriberKind.Push && tokens.Contains(s.Address)).ExecuteDeleteAsync(ct);
}
