using System.Security.Claims;

namespace Fukkyu.Server.Infrastructure;

public enum ActorKind
{
    User,
    System,
    Integration,
}

/// <summary>Who did something: recorded on every timeline entry.</summary>
public sealed record Actor(ActorKind Kind, Guid? UserId, string Name)
{
    public static Actor System(string what) => new(ActorKind.System, null, $"system:{what}");

    public static Actor From(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var name = user.FindFirstValue(FukkyuClaims.DisplayName) ?? user.Identity?.Name ?? "unknown";
        return new Actor(ActorKind.User, Guid.TryParse(id, out var g) ? g : null, name);
    }
}

public static class FukkyuClaims
{
    public const string DisplayName = "fukkyu:display_name";
    public const string ApiKeyId = "fukkyu:api_key_id";
    public const string AuthMethod = "fukkyu:auth_method";

    public static Guid? UserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var g) ? g : null;
}
