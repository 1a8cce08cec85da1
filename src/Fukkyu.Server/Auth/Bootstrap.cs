using System.Security.Cryptography;
using Fukkyu.Server.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Auth;

/// <summary>
/// On first start (no users yet) creates the admin with an API key and a UI password: the
/// configured ones, or random ones printed once to the console.
/// </summary>
public static class Bootstrap
{
    public static async Task BootstrapAdminAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<FukkyuDb>();
        if (await db.Users.AnyAsync(ct))
        {
            return;
        }
        var options = sp.GetRequiredService<IOptions<BootstrapOptions>>().Value;
        var time = sp.GetRequiredService<TimeProvider>();
        var hasher = sp.GetRequiredService<IPasswordHasher<User>>();
        var now = time.GetUtcNow().UtcDateTime;

        var key = string.IsNullOrWhiteSpace(options.AdminApiKey) ? ApiKeyMaterial.NewKey() : options.AdminApiKey.Trim();
        var password = string.IsNullOrWhiteSpace(options.AdminPassword)
            ? ApiKeyMaterial.Base64Url(RandomNumberGenerator.GetBytes(12))
            : options.AdminPassword;
        var admin = new User
        {
            UserName = options.AdminUserName.ToLowerInvariant(),
            DisplayName = "Administrator",
            Roles = [Roles.Admin],
            CreatedAt = now,
        };
        admin.PasswordHash = hasher.HashPassword(admin, password);
        db.Users.Add(admin);
        db.ApiKeys.Add(new ApiKey
        {
            UserId = admin.Id,
            Name = "bootstrap",
            Prefix = ApiKeyMaterial.DisplayPrefix(key),
            Hash = ApiKeyMaterial.Hash(key),
            CreatedAt = now,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node bootstrapped at the same moment.
            return;
        }

        // Printed once, on purpose to the console: it is the only copy of a generated secret.
        Console.WriteLine();
        Console.WriteLine("==================== Fukkyu first start ====================");
        Console.WriteLine($"  Admin user:     {admin.UserName}");
        Console.WriteLine(string.IsNullOrWhiteSpace(options.AdminPassword)
            ? $"  Admin password: {password}   (shown once)"
            : "  Admin password: (from Fukkyu:Bootstrap:AdminPassword)");
        Console.WriteLine(string.IsNullOrWhiteSpace(options.AdminApiKey)
            ? $"  Admin API key:  {key}   (shown once)"
            : "  Admin API key:  (from Fukkyu:Bootstrap:AdminApiKey)");
        Console.WriteLine("=============================================================");
        Console.WriteLine();
    }
}
