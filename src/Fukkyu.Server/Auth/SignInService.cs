using System.Security.Claims;
using Fukkyu.Server.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Auth;

public enum SignInOutcome
{
    Success,
    Invalid,
    LockedOut,
}

/// <summary>Password sign-in for the operator UI, with lockout after repeated failures.</summary>
public sealed class SignInService(FukkyuDb db, IPasswordHasher<User> hasher, TimeProvider time, IOptions<SignInOptions> options)
{
    public async Task<SignInOutcome> PasswordSignInAsync(HttpContext http, string userName, string password)
    {
        var name = userName.Trim().ToLowerInvariant();
        var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == name, http.RequestAborted);
        var now = time.GetUtcNow().UtcDateTime;
        if (user is null || !user.Active || user.PasswordHash is null)
        {
            // Same work whether or not the user exists, so timing does not reveal names.
            hasher.HashPassword(new User { UserName = name, DisplayName = name }, password);
            return SignInOutcome.Invalid;
        }
        if (user.LockedUntil > now)
        {
            return SignInOutcome.LockedOut;
        }
        var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            user.FailedSignIns++;
            if (user.FailedSignIns >= options.Value.MaxFailedAttempts)
            {
                user.LockedUntil = now.AddMinutes(options.Value.LockoutMinutes);
                user.FailedSignIns = 0;
                await db.SaveChangesAsync(http.RequestAborted);
                return SignInOutcome.LockedOut;
            }
            await db.SaveChangesAsync(http.RequestAborted);
            return SignInOutcome.Invalid;
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, password);
        }
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        await db.SaveChangesAsync(http.RequestAborted);

        var identity = AuthClaims.Identity(user, user.Roles, CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false });
        return SignInOutcome.Success;
    }

    /// <summary>Ends a cookie session when the user was disabled or their roles or password changed.</summary>
    public static async Task ValidateCookieAsync(CookieValidatePrincipalContext ctx)
    {
        var db = ctx.HttpContext.RequestServices.GetRequiredService<FukkyuDb>();
        var id = ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = ctx.Principal?.FindFirstValue(AuthClaims.SecurityStamp);
        var ok = Guid.TryParse(id, out var userId)
            && await db.Users.AnyAsync(u => u.Id == userId && u.Active && u.SecurityStamp == stamp, ctx.HttpContext.RequestAborted);
        if (!ok)
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}
