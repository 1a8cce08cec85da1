using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Infrastructure;

/// <summary>
/// A named lease held by one node at a time, so that singleton schedulers run once across
/// several nodes and fail over when a node dies (the lease simply expires).
/// </summary>
public sealed class Lease
{
    public required string Name { get; set; }
    public required string Holder { get; set; }
    public DateTime ExpiresAt { get; set; }
}

/// <summary>This process's identity among the nodes sharing one database.</summary>
public sealed class NodeIdentity
{
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..^24];
}

public sealed class LeaseManager(FukkyuDb db, NodeIdentity node, TimeProvider time)
{
    /// <summary>Takes or renews the lease; false when another live node holds it.</summary>
    public async Task<bool> TryAcquireAsync(string name, TimeSpan duration, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + duration;
        var holder = node.Id;
        // Set-based: the WHERE clause is the whole ownership check, atomic on both providers.
        var taken = await db.Leases
            .Where(l => l.Name == name && (l.Holder == holder || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, holder).SetProperty(l => l.ExpiresAt, expires), ct);
        if (taken == 1)
        {
            return true;
        }
        if (await db.Leases.AnyAsync(l => l.Name == name, ct))
        {
            return false;
        }
        db.Leases.Add(new Lease { Name = name, Holder = holder, ExpiresAt = expires });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another node created it first.
            db.ChangeTracker.Clear();
            return false;
        }
    }

    public Task ReleaseAsync(string name, CancellationToken ct) =>
        db.Leases.Where(l => l.Name == name && l.Holder == node.Id).ExecuteDeleteAsync(ct);
}

public static class InfrastructureModel
{
    public static void ConfigureInfrastructure(this ModelBuilder b)
    {
        b.Entity<Lease>(e =>
        {
            e.ToTable("leases");
            e.HasKey(l => l.Name);
            e.Property(l => l.Name).HasMaxLength(100);
            e.Property(l => l.Holder).HasMaxLength(200);
        });
    }
}
