using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Identity;

namespace Fukkyu.Server.Auth;

public static class AuthExtensions
{
    /// <summary>The policy scheme that picks API key or cookie; features may wrap its selector.</summary>
    public const string SelectorScheme = "Fukkyu";

    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SignInOptions>().BindConfiguration(SignInOptions.Section);
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section);
        services.AddScoped<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddScoped<SignInService>();

        var session = builder.Configuration.GetSection(SignInOptions.Section).Get<SignInOptions>() ?? new SignInOptions();
        services.AddAuthentication(SelectorScheme)
            // APIs answer 401/403 with problem details; pages redirect to sign-in.
            .AddPolicyScheme(SelectorScheme, SelectorScheme, o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || IsApiPath(ctx.Request.Path)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = "fukkyu.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/ops/signin";
                o.LogoutPath = "/ops/signout";
                o.AccessDeniedPath = "/ops/denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(session.SessionHours);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = SignInService.ValidateCookieAsync;
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.RequireRole(Policies.RolesFor[Policies.Read]))
            .AddPolicy(Policies.Respond, p => p.RequireRole(Policies.RolesFor[Policies.Respond]))
            .AddPolicy(Policies.Annotate, p => p.RequireRole(Policies.RolesFor[Policies.Annotate]))
            .AddPolicy(Policies.Command, p => p.RequireRole(Policies.RolesFor[Policies.Command]))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Policies.RolesFor[Policies.Admin]))
            .AddPolicy(Policies.Communicate, p => p.RequireRole(Policies.RolesFor[Policies.Communicate]));
        services.AddAntiforgery(o => o.Cookie.Name = "fukkyu.af");
        services.AddNavItem(new NavItem(900, "/ops/users", () => AuthStrings.T("UsersTitle"), Policies.Admin));
        services.AddNavItem(new NavItem(910, "/ops/keys", () => AuthStrings.T("KeysTitle")));
        return builder;
    }

    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/v2") || path.StartsWithSegments("/exchange");
}
