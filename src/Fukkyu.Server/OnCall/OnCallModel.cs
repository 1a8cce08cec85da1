using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.OnCall;

/// <summary>How a person is reached.</summary>
public enum ContactKind
{
    Email,
    /// <summary>Through the configured HTTP SMS gateway.</summary>
    Sms,
    /// <summary>A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat).</summary>
    Slack,
    /// <summary>A generic webhook, signed with HMAC-SHA256.</summary>
    Webhook,
    /// <summary>App push (FCM HTTP v1): the address is a device registration token.</summary>
    Push,
}

/// <summary>
/// One way to reach a person. Pages go to every enabled method with <see cref="UseForPages"/>;
/// a method with <see cref="DelayMinutes"/> is used only if the page is still unacknowledged then
/// (push at once, SMS after two minutes). Briefings and reminders use <see cref="UseForBriefings"/>.
/// </summary>
public sealed class ContactMethod : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public ContactKind Kind { get; set; }
    public string? Label { get; set; }
    /// <summary>Email address, E.164 phone number, device token, webhook URL; for Slack a masked URL for display.</summary>
    public required string Address { get; set; }
    /// <summary>Encrypted with Data Protection: the Slack webhook URL (a credential) or the webhook signing secret.</summary>
    public string? ProtectedSecret { get; set; }
    public int DelayMinutes { get; set; }
    public bool UseForPages { get; set; } = true;
    public bool UseForBriefings { get; set; } = true;
    public bool Enabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    public int Version { get; set; }
}

public enum TeamKind
{
    /// <summary>Owns components; its on-call is paged at level 1.</summary>
    Standard,
    /// <summary>The emergency response team convened at level 2 (manual 2.2).</summary>
    EmergencyResponse,
    /// <summary>Executives: paged at level 3, one of them commands (manual 1.2).</summary>
    Executives,
}

public sealed class Team : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Key { get; set; }
    public required string NameJa { get; set; }
    public required string NameEn { get; set; }
    public TeamKind Kind { get; set; }
    /// <summary>Paged when no affected component has an owner.</summary>
    public bool IsDefault { get; set; }
    public Guid? ScheduleId { get; set; }
    public Schedule? Schedule { get; set; }
    public Guid? EscalationPolicyId { get; set; }
    public EscalationPolicy? EscalationPolicy { get; set; }
    public List<TeamMember> Members { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }

    public string Name(bool japanese) => japanese ? NameJa : NameEn;
}

public sealed class TeamMember
{
    public Guid TeamId { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
    /// <summary>Team leads are paged at level 3 and asked to command at level 2 (ERT).</summary>
    public bool Lead { get; set; }
}

/// <summary>A component's owning team: one per component.</summary>
public sealed class TeamComponent
{
    public Guid ComponentId { get; set; }
    public Component? Component { get; set; }
    public Guid TeamId { get; set; }
}

public enum RotationKind
{
    Daily,
    Weekly,
    /// <summary>Shifts of <see cref="ScheduleLayer.ShiftHours"/> hours.</summary>
    Custom,
}

/// <summary>Which days a layer covers: every day, only work days, or only holidays (weekends, public and company holidays).</summary>
public enum DayFilter
{
    Any,
    Workdays,
    Holidays,
}

/// <summary>An on-call schedule: layers of rotations (later layers win where they cover) and overrides on top.</summary>
public sealed class Schedule : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Key { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>IANA zone in which hand-offs and windows are given; Asia/Tokyo unless said otherwise.</summary>
    public string TimeZone { get; set; } = "Asia/Tokyo";
    public List<ScheduleLayer> Layers { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

public sealed class ScheduleLayer
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ScheduleId { get; set; }
    /// <summary>0 is the base layer; a higher layer overrides lower ones while it has someone on call.</summary>
    public int Position { get; set; }
    public required string Name { get; set; }
    public RotationKind Rotation { get; set; }
    public int ShiftHours { get; set; } = 24;
    /// <summary>The first hand-off, in the schedule's time zone: shifts start at this time of day.</summary>
    public DateOnly StartDate { get; set; }
    public TimeOnly HandoffTime { get; set; }
    /// <summary>The layer stops at this date's hand-off time (exclusive); null for no end.</summary>
    public DateOnly? EndDate { get; set; }
    public DayFilter Days { get; set; }
    /// <summary>Weekly windows the layer is restricted to, e.g. <c>mon-fri 18:00-09:00</c>; empty for all day.</summary>
    public List<string> Windows { get; set; } = [];
    public List<LayerMember> Members { get; set; } = [];
}

public sealed class LayerMember
{
    public Guid LayerId { get; set; }
    public int Position { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
}

/// <summary>Someone covers a schedule for a while, above every layer (a swap, sick cover, a holiday).</summary>
public sealed class ScheduleOverride
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ScheduleId { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public DateTime StartsAt { get; set; }
    public DateTime EndsAt { get; set; }
    public string? Reason { get; set; }
    public Guid? CreatedById { get; set; }
    public required string CreatedByName { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A company holiday (year-end closure, founding day) on top of Japan's public holidays.</summary>
public sealed class CompanyHoliday
{
    public DateOnly Date { get; set; }
    public required string NameJa { get; set; }
    public required string NameEn { get; set; }
}

public sealed class EscalationPolicy : IVersioned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Key { get; set; }
    public required string Name { get; set; }
    /// <summary>How many more times the whole chain runs when nobody acknowledges.</summary>
    public int Repeat { get; set; }
    public List<EscalationStep> Steps { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

public sealed class EscalationStep
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PolicyId { get; set; }
    public int Position { get; set; }
    /// <summary>Minutes to wait for an acknowledgement before the next step.</summary>
    public int DelayMinutes { get; set; }
    public List<EscalationTarget> Targets { get; set; } = [];
}

public enum TargetKind
{
    User,
    /// <summary>Whoever is on call on the schedule when the step fires.</summary>
    Schedule,
    /// <summary>The team's on-call (its schedule), or all its members when it has none.</summary>
    Team,
}

public sealed class EscalationTarget
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid StepId { get; set; }
    public int Position { get; set; }
    public TargetKind Kind { get; set; }
    public Guid TargetId { get; set; }
}

/// <summary>A personal iCal feed: a secret URL, stored hashed like an API key.</summary>
public sealed class CalendarFeed
{
    public Guid UserId { get; set; }
    public required string TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
}

public static class OnCallLimits
{
    public const int Key = 100;
    public const int Name = 200;
    public const int Address = 2000;
    public const int Members = 200;
    public const int Layers = 20;
    public const int Windows = 14;
    public const int Steps = 20;
    public const int Targets = 50;
    public const int MaxRepeat = 9;
    public const int MaxDelayMinutes = 24 * 60;
    public const int MaxContactMethods = 20;
}

public static class OnCallModel
{
    public static void ConfigureOnCall(this ModelBuilder b)
    {
        b.Entity<ContactMethod>(e =>
        {
            e.ToTable("contact_methods");
            e.HasIndex(c => c.UserId);
            e.Property(c => c.Label).HasMaxLength(OnCallLimits.Name);
            e.Property(c => c.Address).HasMaxLength(OnCallLimits.Address);
            e.Property(c => c.ProtectedSecret).HasMaxLength(4000);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.HasOne(c => c.User).WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Team>(e =>
        {
            e.ToTable("teams");
            e.HasIndex(t => t.Key).IsUnique();
            e.Property(t => t.Key).HasMaxLength(OnCallLimits.Key);
            e.Property(t => t.NameJa).HasMaxLength(OnCallLimits.Name);
            e.Property(t => t.NameEn).HasMaxLength(OnCallLimits.Name);
            e.Property(t => t.Version).IsConcurrencyToken();
            e.HasOne(t => t.Schedule).WithMany().HasForeignKey(t => t.ScheduleId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(t => t.EscalationPolicy).WithMany().HasForeignKey(t => t.EscalationPolicyId).OnDelete(DeleteBehavior.SetNull);
            e.HasMany(t => t.Members).WithOne().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<TeamMember>(e =>
        {
            e.ToTable("team_members");
            e.HasKey(m => new { m.TeamId, m.UserId });
            e.HasIndex(m => m.UserId);
            e.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<TeamComponent>(e =>
        {
            e.ToTable("team_components");
            e.HasKey(c => c.ComponentId);
            e.HasIndex(c => c.TeamId);
            e.HasOne(c => c.Component).WithMany().HasForeignKey(c => c.ComponentId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Team>().WithMany().HasForeignKey(c => c.TeamId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Schedule>(e =>
        {
            e.ToTable("schedules");
            e.HasIndex(s => s.Key).IsUnique();
            e.Property(s => s.Key).HasMaxLength(OnCallLimits.Key);
            e.Property(s => s.Name).HasMaxLength(OnCallLimits.Name);
            e.Property(s => s.Description).HasMaxLength(2000);
            e.Property(s => s.TimeZone).HasMaxLength(64);
            e.Property(s => s.Version).IsConcurrencyToken();
            e.HasMany(s => s.Layers).WithOne().HasForeignKey(l => l.ScheduleId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ScheduleLayer>(e =>
        {
            e.ToTable("schedule_layers");
            e.HasIndex(l => l.ScheduleId);
            e.Property(l => l.Name).HasMaxLength(OnCallLimits.Name);
            e.HasMany(l => l.Members).WithOne().HasForeignKey(m => m.LayerId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<LayerMember>(e =>
        {
            e.ToTable("schedule_layer_members");
            e.HasKey(m => new { m.LayerId, m.Position });
            e.HasIndex(m => m.UserId);
            e.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ScheduleOverride>(e =>
        {
            e.ToTable("schedule_overrides");
            e.HasIndex(o => new { o.ScheduleId, o.EndsAt });
            e.Property(o => o.Reason).HasMaxLength(500);
            e.Property(o => o.CreatedByName).HasMaxLength(OnCallLimits.Name);
            e.HasOne<Schedule>().WithMany().HasForeignKey(o => o.ScheduleId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(o => o.User).WithMany().HasForeignKey(o => o.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<CompanyHoliday>(e =>
        {
            e.ToTable("company_holidays");
            e.HasKey(h => h.Date);
            e.Property(h => h.NameJa).HasMaxLength(OnCallLimits.Name);
            e.Property(h => h.NameEn).HasMaxLength(OnCallLimits.Name);
        });
        b.Entity<EscalationPolicy>(e =>
        {
            e.ToTable("escalation_policies");
            e.HasIndex(p => p.Key).IsUnique();
            e.Property(p => p.Key).HasMaxLength(OnCallLimits.Key);
            e.Property(p => p.Name).HasMaxLength(OnCallLimits.Name);
            e.Property(p => p.Version).IsConcurrencyToken();
            e.HasMany(p => p.Steps).WithOne().HasForeignKey(s => s.PolicyId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<EscalationStep>(e =>
        {
            e.ToTable("escalation_steps");
            e.HasIndex(s => s.PolicyId);
            e.HasMany(s => s.Targets).WithOne().HasForeignKey(t => t.StepId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<EscalationTarget>(e =>
        {
            e.ToTable("escalation_targets");
            e.HasIndex(t => t.StepId);
            e.HasIndex(t => new { t.Kind, t.TargetId });
        });
        b.Entity<CalendarFeed>(e =>
        {
            e.ToTable("calendar_feeds");
            e.HasKey(f => f.UserId);
            e.HasIndex(f => f.TokenHash).IsUnique();
            e.Property(f => f.TokenHash).HasMaxLength(64);
            e.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.ConfigurePaging();
    }
}
