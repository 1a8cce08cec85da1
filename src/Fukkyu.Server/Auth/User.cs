using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Auth;

public sealed class User : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>Sign-in name, stored lower-case.</summary>
    public required string UserName { get; set; }
    public required string DisplayName { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    /// <summary><c>ja</c> or <c>en</c>: the language of messages sent to this person.</summary>
    public string Language { get; set; } = "ja";
    public List<string> Roles { get; set; } = [];
    public string? PasswordHash { get; set; }
    public bool Active { get; set; } = true;
    public int FailedSignIns { get; set; }
    public DateTime? LockedUntil { get; set; }
    /// <summary>Changes whenever roles, password or activity change, ending old cookie sessions.</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    public DateTime CreatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>
/// An API key for the API and the CLI. Only a SHA-256 of the key is stored: the key itself is
/// 256 random bits, so a fast hash is enough and lookups stay a single indexed read.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the key, to recognise it in lists.</summary>
    public required string Prefix { get; set; }
    public required string Hash { get; set; }
    /// <summary>When set, the key acts with only these of its user's roles.</summary>
    public List<string>? Roles { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}

public static class AuthModel
{
    public static void ConfigureAuth(this ModelBuilder b)
    {
        b.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasIndex(u => u.UserName).IsUnique();
            e.Property(u => u.UserName).HasMaxLength(64);
            e.Property(u => u.DisplayName).HasMaxLength(200);
            e.Property(u => u.Email).HasMaxLength(320);
            e.Property(u => u.Phone).HasMaxLength(40);
            e.Property(u => u.Language).HasMaxLength(8);
            e.Property(u => u.PasswordHash).HasMaxLength(500);
            e.Property(u => u.SecurityStamp).HasMaxLength(64);
            e.Property(u => u.Version).IsConcurrencyToken();
        });
        b.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.HasIndex(k => k.Hash).IsUnique();
            e.HasIndex(k => k.UserId);
            e.Property(k => k.Name).HasMaxLength(100);
            e.Property(k => k.Prefix).HasMaxLength(16);
            e.Property(k => k.Hash).HasMaxLength(64);
            e.HasOne(k => k.User).WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
