using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Catalog;

/// <summary>The manual's 1.1: what can fail.</summary>
public enum ComponentCategory
{
    Trading,
    Deposit,
    Withdrawal,
    Api,
    Web,
    App,
    Database,
    Security,
}

/// <summary>Atlassian Statuspage's component states, which public consumers already understand.</summary>
public enum ComponentStatus
{
    Operational,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
    UnderMaintenance,
}

public sealed class ComponentGroup : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Key { get; set; }
    public required string NameJa { get; set; }
    public required string NameEn { get; set; }
    public int Position { get; set; }
    public bool Public { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>
/// One thing that can fail: a trading pair, deposits or withdrawals of one asset on one network,
/// an API, the website, the app, the database, security.
/// </summary>
public sealed class Component : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary>Stable key used by catalog files, monitors and integrations: <c>trading.btc_jpy</c>.</summary>
    public required string Key { get; set; }
    public ComponentCategory Category { get; set; }
    public Guid? GroupId { get; set; }
    public ComponentGroup? Group { get; set; }
    public required string NameJa { get; set; }
    public required string NameEn { get; set; }
    public string? DescriptionJa { get; set; }
    public string? DescriptionEn { get; set; }
    /// <summary>Trading pair, e.g. <c>btc_jpy</c>.</summary>
    public string? Pair { get; set; }
    /// <summary>Asset, e.g. <c>eth</c>.</summary>
    public string? Asset { get; set; }
    /// <summary>Network of the asset, e.g. <c>arbitrum</c>.</summary>
    public string? Network { get; set; }
    /// <summary>Shown on the public status page.</summary>
    public bool Public { get; set; } = true;
    /// <summary>A main function in the sense of the severity policy (trading, deposits, withdrawals, private API).</summary>
    public bool MainFunction { get; set; }
    public int Position { get; set; }
    public ComponentStatus Status { get; set; } = ComponentStatus.Operational;
    public DateTime StatusChangedAt { get; set; }
    /// <summary>
    /// Who set the current status (<c>monitoring</c>, <c>user:…</c>, a control, a maintenance
    /// window), so that each only undoes its own. Null: never changed.
    /// </summary>
    public string? StatusSetBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }

    public string Name(bool japanese) => japanese ? NameJa : NameEn;

    public static bool IsMainCategory(ComponentCategory c) =>
        c is ComponentCategory.Trading or ComponentCategory.Deposit or ComponentCategory.Withdrawal;
}

public static class CatalogModel
{
    public static void ConfigureCatalog(this ModelBuilder b)
    {
        b.Entity<ComponentGroup>(e =>
        {
            e.ToTable("component_groups");
            e.HasIndex(g => g.Key).IsUnique();
            e.Property(g => g.Key).HasMaxLength(100);
            e.Property(g => g.NameJa).HasMaxLength(200);
            e.Property(g => g.NameEn).HasMaxLength(200);
            e.Property(g => g.Version).IsConcurrencyToken();
        });
        b.Entity<Component>(e =>
        {
            e.ToTable("components");
            e.HasIndex(c => c.Key).IsUnique();
            e.HasIndex(c => c.Category);
            e.Property(c => c.Key).HasMaxLength(100);
            e.Property(c => c.NameJa).HasMaxLength(200);
            e.Property(c => c.NameEn).HasMaxLength(200);
            e.Property(c => c.DescriptionJa).HasMaxLength(2000);
            e.Property(c => c.DescriptionEn).HasMaxLength(2000);
            e.Property(c => c.Pair).HasMaxLength(40);
            e.Property(c => c.Asset).HasMaxLength(40);
            e.Property(c => c.Network).HasMaxLength(60);
            e.Property(c => c.StatusSetBy).HasMaxLength(100);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.HasOne(c => c.Group).WithMany().HasForeignKey(c => c.GroupId).OnDelete(DeleteBehavior.SetNull);
        });
    }
}
