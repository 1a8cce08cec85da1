using System.Security.Claims;
using System.Text.RegularExpressions;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

public sealed record ContactMethodDto(Guid Id, Guid UserId, ContactKind Kind, string? Label, string Address, int DelayMinutes,
    bool UseForPages, bool UseForBriefings, bool Enabled, DateTime CreatedAt)
{
    public static ContactMethodDto From(ContactMethod m) =>
        new(m.Id, m.UserId, m.Kind, m.Label, m.Address, m.DelayMinutes, m.UseForPages, m.UseForBriefings, m.Enabled, m.CreatedAt);
}

/// <summary>A created webhook method's signing secret appears in this response and nowhere else.</summary>
public sealed record CreatedContactMethodDto(ContactMethodDto Method, string? SigningSecret);

public sealed record ContactMethodRequest(ContactKind? Kind, string? Address, string? Label, int? DelayMinutes, bool? UseForPages, bool? UseForBriefings, bool? Enabled);

public static partial class ContactMethodsApi
{
    public static IEndpointRouteBuilder MapContactMethods(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/users/{userId:guid}/contact-methods").WithTags("On call");
        api.MapGet("/", List).RequireAuthorization(Policies.Read).WithSummary("A person's contact methods (their own, or anyone's for admins).");
        api.MapPost("/", Create).RequireAuthorization(Policies.Read);
        api.MapPatch("/{id:guid}", Update).RequireAuthorization(Policies.Read);
        api.MapDelete("/{id:guid}", Delete).RequireAuthorization(Policies.Read);
        api.MapPost("/{id:guid}/test", Test).RequireAuthorization(Policies.Read).WithSummary("Send a test message through this method now.");
        return app;
    }

    private static async Task<Results<Ok<ContactMethodDto[]>, ProblemHttpResult>> List(Guid userId, ClaimsPrincipal principal, FukkyuDb db, CancellationToken ct)
    {
        if (!OnCallApi.MaySee(principal, userId))
        {
            return AuthApi.NotFoundProblem();
        }
        var rows = await db.Set<ContactMethod>().AsNoTracking().Where(m => m.UserId == userId).OrderBy(m => m.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(ContactMethodDto.From).ToArray());
    }

    internal static Validation Validate(ContactMethodRequest req, bool creating)
    {
        var v = new Validation();
        v.Text("label", req.Label, OnCallLimits.Name).Range("delayMinutes", req.DelayMinutes, 0, 60);
        if (!creating)
        {
            return v;
        }
        v.Required("kind", req.Kind).Text("address", req.Address, OnCallLimits.Address, required: true);
        if (req.Kind is not { } kind || string.IsNullOrWhiteSpace(req.Address) || !v.IsValid)
        {
            return v;
        }
        var a = req.Address.Trim();
        var ok = kind switch
        {
            ContactKind.Email => EmailPattern().IsMatch(a) && a.Length <= 320,
            ContactKind.Sms => PhonePattern().IsMatch(a),
            ContactKind.Slack or ContactKind.Webhook => Uri.TryCreate(a, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp),
            _ => TokenPattern().IsMatch(a),
        };
        if (!ok)
        {
            v.Add("address", OnCallStrings.T("AddressFormat_" + WireEnum.Name(kind)));
        }
        return v;
    }

    private static async Task<Results<Created<CreatedContactMethodDto>, ValidationProblem, ProblemHttpResult>> Create(
        Guid userId, ContactMethodRequest req, ClaimsPrincipal principal, FukkyuDb db, WebhookSecrets secrets, TimeProvider time, CancellationToken ct)
    {
        if (!OnCallApi.MaySee(principal, userId) || !await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return AuthApi.NotFoundProblem();
        }
        var v = Validate(req, creating: true);
        if (v.IsValid && await db.Set<ContactMethod>().CountAsync(m => m.UserId == userId, ct) >= OnCallLimits.MaxContactMethods)
        {
            v.Add("kind", Validation.Text("TooMany", OnCallLimits.MaxContactMethods));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var (method, secret) = New(userId, req, secrets, time.GetUtcNow().UtcDateTime);
        db.Add(method);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/users/{userId}/contact-methods/{method.Id}", new CreatedContactMethodDto(ContactMethodDto.From(method), secret));
    }

    /// <summary>Builds a contact method; Slack URLs are encrypted and masked, webhooks get a fresh signing secret.</summary>
    internal static (ContactMethod Method, string? Secret) New(Guid userId, ContactMethodRequest req, WebhookSecrets secrets, DateTime now)
    {
        var kind = req.Kind!.Value;
        var address = req.Address!.Trim();
        string? secret = null;
        var method = new ContactMethod
        {
            UserId = userId,
            Kind = kind,
            Label = req.Label?.Trim(),
            Address = kind == ContactKind.Slack ? SlackSender.Mask(address) : address,
            DelayMinutes = req.DelayMinutes ?? 0,
            UseForPages = req.UseForPages ?? true,
            // An SMS for every briefing is noise; people opt in.
            UseForBriefings = req.UseForBriefings ?? kind != ContactKind.Sms,
            Enabled = req.Enabled ?? true,
            CreatedAt = now,
        };
        if (kind == ContactKind.Slack)
        {
            method.ProtectedSecret = secrets.Protect(address);
        }
        else if (kind == ContactKind.Webhook)
        {
            secret = WebhookSecrets.NewSecret();
            method.ProtectedSecret = secrets.Protect(secret);
        }
        return (method, secret);
    }

    private static async Task<Results<Ok<ContactMethodDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid userId, Guid id, ContactMethodRequest req, ClaimsPrincipal principal, FukkyuDb db, CancellationToken ct)
    {
        if (!OnCallApi.MaySee(principal, userId))
        {
            return AuthApi.NotFoundProblem();
        }
        var v = Validate(req, creating: false);
        if (req.Kind is not null || req.Address is not null)
        {
            v.Add(req.Kind is not null ? "kind" : "address", OnCallStrings.T("ContactImmutable"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var m = await db.Set<ContactMethod>().FirstOrDefaultAsync(x => x.Id == id && x.UserId == userId, ct);
        if (m is null)
        {
            return AuthApi.NotFoundProblem();
        }
        m.Label = req.Label?.Trim() ?? m.Label;
        m.DelayMinutes = req.DelayMinutes ?? m.DelayMinutes;
        m.UseForPages = req.UseForPages ?? m.UseForPages;
        m.UseForBriefings = req.UseForBriefings ?? m.UseForBriefings;
        m.Enabled = req.Enabled ?? m.Enabled;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ContactMethodDto.From(m));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid userId, Guid id, ClaimsPrincipal principal, FukkyuDb db, CancellationToken ct)
    {
        var n = OnCallApi.MaySee(principal, userId)
            ? await db.Set<ContactMethod>().Where(m => m.Id == id && m.UserId == userId).ExecuteDeleteAsync(ct)
            : 0;
        return n == 0 ? AuthApi.NotFoundProblem() : TypedResults.NoContent();
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> Test(Guid userId, Guid id, ClaimsPrincipal principal, FukkyuDb db, TimeProvider time, CancellationToken ct)
    {
        var m = OnCallApi.MaySee(principal, userId)
            ? await db.Set<ContactMethod>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.UserId == userId, ct)
            : null;
        var user = m is null ? null : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (m is null || user is null)
        {
            return AuthApi.NotFoundProblem();
        }
        await SendTestAsync(db, m, user, time.GetUtcNow().UtcDateTime, ct);
        return TypedResults.Accepted($"/api/v1/outbox?channel={WireEnum.Name(m.Kind)}");
    }

    internal static async Task SendTestAsync(FukkyuDb db, ContactMethod m, User user, DateTime now, CancellationToken ct)
    {
        var l = user.Language == "en" ? "en" : "ja";
        var text = OnCallStrings.In(l, "TestMessage", user.DisplayName);
        var key = $"test:{m.Id}:{now.Ticks}";
        var message = m.Kind switch
        {
            ContactKind.Email => new OutgoingMessage(EmailSender.ChannelName, m.Address, key, "test", text, "[Fukkyu] " + OnCallStrings.In(l, "TestSubject"),
                new EmailPayload(ToName: user.DisplayName), UserId: user.Id),
            ContactKind.Sms => new OutgoingMessage(SmsSender.ChannelName, m.Address, key, "test", text, UserId: user.Id),
            ContactKind.Slack => new OutgoingMessage(SlackSender.ChannelName, m.Address, key, "test",
                System.Text.Json.JsonSerializer.Serialize(new { text }), Payload: new SlackPayload(m.ProtectedSecret ?? ""), UserId: user.Id),
            ContactKind.Webhook => new OutgoingMessage(WebhookSender.ChannelName, m.Address, key, "test",
                System.Text.Json.JsonSerializer.Serialize(new { @event = "test", text, sentAt = now }), Payload: new WebhookPayload(m.ProtectedSecret), UserId: user.Id),
            _ => new OutgoingMessage(PagingEngine.PushChannel, $"user:{user.Id}", key, "test", text, "Fukkyu",
                new PushPayload([m.Address], "Fukkyu", text, new Dictionary<string, string> { ["kind"] = "test" }, CollapseKey: null), UserId: user.Id),
        };
        Outbox.Enqueue(db, message, now);
        await db.SaveChangesAsync(ct);
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    // E.164: a plus, a country code, at most 15 digits in all.
    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_:\-\.]{20,4096}$")]
    private static partial Regex TokenPattern();
}
