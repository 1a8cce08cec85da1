using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Controls;

/// <summary>What a control switches: one trading pair, deposits or withdrawals of one asset on one network, one API.</summary>
public enum ControlKind
{
    Trading,
    Deposit,
    Withdrawal,
    Api,
}

/// <summary>bitbank's pair states (REFERENCE §4).</summary>
public enum TradingState
{
    Normal,
    Busy,
    VeryBusy,
    Halt,
}

public enum TransferState
{
    Open,
    Suspended,
}

public enum ApiMode
{
    Normal,
    ReadOnly,
    Closed,
}

/// <summary>Order types that can be stopped on a pair while it otherwise trades (bitbank's pair flags).</summary>
public sealed record OrderFlags(
    bool StopOrder = false,
    bool StopOrderAndCancel = false,
    bool StopMarketOrder = false,
    bool StopStopOrder = false,
    bool StopStopLimitOrder = false,
    bool StopBuyOrder = false,
    bool StopSellOrder = false)
{
    public bool Any => StopOrder || StopOrderAndCancel || StopMarketOrder || StopStopOrder || StopStopLimitOrder || StopBuyOrder || StopSellOrder;

    public static readonly OrderFlags None = new();
}

/// <summary>
/// The function-suspension board's state for one catalog component (manual 2.3 "limit the scope of
/// the stop"). A component without a row is in its normal state (trading, open, normal).
/// </summary>
public sealed class Control : IVersioned
{
    public Guid ComponentId { get; set; }
    public Component? Component { get; set; }
    public ControlKind Kind { get; set; }
    public TradingState Trading { get; set; }
    public TransferState Transfer { get; set; }
    public ApiMode Api { get; set; }
    public bool StopOrder { get; set; }
    public bool StopOrderAndCancel { get; set; }
    public bool StopMarketOrder { get; set; }
    public bool StopStopOrder { get; set; }
    public bool StopStopLimitOrder { get; set; }
    public bool StopBuyOrder { get; set; }
    public bool StopSellOrder { get; set; }
    /// <summary>The pair's minimum order size while busy (bitbank raises it under load); null when not set.</summary>
    public string? MinAmount { get; set; }
    public string? Reason { get; set; }
    public Guid? IncidentId { get; set; }
    public string? IncidentNumber { get; set; }
    /// <summary>The last change was made under a security incident: resuming withdrawals then needs two people.</summary>
    public bool UnderSecurityIncident { get; set; }
    public DateTime ChangedAt { get; set; }
    public Guid? ChangedById { get; set; }
    public string? ChangedByName { get; set; }
    public int Version { get; set; }

    public OrderFlags Flags
    {
        get => new(StopOrder, StopOrderAndCancel, StopMarketOrder, StopStopOrder, StopStopLimitOrder, StopBuyOrder, StopSellOrder);
        set
        {
            StopOrder = value.StopOrder;
            StopOrderAndCancel = value.StopOrderAndCancel;
            StopMarketOrder = value.StopMarketOrder;
            StopStopOrder = value.StopStopOrder;
            StopStopLimitOrder = value.StopStopLimitOrder;
            StopBuyOrder = value.StopBuyOrder;
            StopSellOrder = value.StopSellOrder;
        }
    }
}

/// <summary>Every change to the board, in order; the highest id is the board's version.</summary>
public sealed class ControlChange
{
    public long Id { get; set; }
    /// <summary>Travels with the change webhook as its idempotency key.</summary>
    public Guid EventId { get; set; } = Guid.CreateVersion7();
    public Guid ComponentId { get; set; }
    public required string ComponentKey { get; set; }
    public ControlKind Kind { get; set; }
    public DateTime At { get; set; }
    public required string From { get; set; }
    public required string To { get; set; }
    public required string Reason { get; set; }
    public Guid? IncidentId { get; set; }
    public string? IncidentNumber { get; set; }
    public Guid? ActorId { get; set; }
    public required string ActorName { get; set; }
    public string? ApprovedByName { get; set; }
}

public enum ApprovalState
{
    Pending,
    Approved,
    Rejected,
    Expired,
}

/// <summary>A change waiting for a second person (the two-person rule for resuming withdrawals after a security incident).</summary>
public sealed class ControlApproval : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ComponentId { get; set; }
    public required string ComponentKey { get; set; }
    /// <summary>JSON of the requested <see cref="ControlSetting"/>.</summary>
    public required string Requested { get; set; }
    public required string Summary { get; set; }
    public required string Reason { get; set; }
    public Guid? IncidentId { get; set; }
    public string? IncidentNumber { get; set; }
    public Guid RequestedById { get; set; }
    public required string RequestedByName { get; set; }
    public DateTime RequestedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public ApprovalState State { get; set; }
    public Guid? DecidedById { get; set; }
    public string? DecidedByName { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? DecisionNote { get; set; }
    public int Version { get; set; }
}

/// <summary>An endpoint of the exchange's services told of every change, signed like every Fukkyu webhook.</summary>
public sealed class ControlWebhook
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Url { get; set; }
    public required string ProtectedSecret { get; set; }
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }
}

public static class ControlsModel
{
    public static void ConfigureControls(this ModelBuilder b)
    {
        b.Entity<Control>(e =>
        {
            e.ToTable("controls");
            e.HasKey(c => c.ComponentId);
            e.Ignore(c => c.Flags);
            e.Property(c => c.MinAmount).HasMaxLength(40);
            e.Property(c => c.Reason).HasMaxLength(2000);
            e.Property(c => c.IncidentNumber).HasMaxLength(20);
            e.Property(c => c.ChangedByName).HasMaxLength(200);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.HasOne(c => c.Component).WithMany().HasForeignKey(c => c.ComponentId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ControlChange>(e =>
        {
            e.ToTable("control_changes");
            e.HasIndex(c => c.ComponentId);
            e.HasIndex(c => c.IncidentId);
            e.Property(c => c.ComponentKey).HasMaxLength(100);
            e.Property(c => c.From).HasMaxLength(2000);
            e.Property(c => c.To).HasMaxLength(2000);
            e.Property(c => c.Reason).HasMaxLength(2000);
            e.Property(c => c.IncidentNumber).HasMaxLength(20);
            e.Property(c => c.ActorName).HasMaxLength(200);
            e.Property(c => c.ApprovedByName).HasMaxLength(200);
        });
        b.Entity<ControlApproval>(e =>
        {
            e.ToTable("control_approvals");
            e.HasIndex(a => new { a.State, a.ComponentId });
            e.Property(a => a.ComponentKey).HasMaxLength(100);
            e.Property(a => a.Requested).HasMaxLength(2000);
            e.Property(a => a.Summary).HasMaxLength(2000);
            e.Property(a => a.Reason).HasMaxLength(2000);
            e.Property(a => a.IncidentNumber).HasMaxLength(20);
            e.Property(a => a.RequestedByName).HasMaxLength(200);
            e.Property(a => a.DecidedByName).HasMaxLength(200);
            e.Property(a => a.DecisionNote).HasMaxLength(2000);
            e.Property(a => a.Version).IsConcurrencyToken();
        });
        b.Entity<ControlWebhook>(e =>
        {
            e.ToTable("control_webhooks");
            e.Property(w => w.Url).HasMaxLength(2000);
            e.Property(w => w.ProtectedSecret).HasMaxLength(4000);
            e.Property(w => w.Description).HasMaxLength(500);
        });
    }
}
