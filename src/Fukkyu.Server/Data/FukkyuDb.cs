using Fukkyu.Server.ActionItems;
using Fukkyu.Server.Alerts;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Briefings;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Controls;
using Fukkyu.Server.Drills;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Maintenance;
using Fukkyu.Server.Monitoring;
using Fukkyu.Server.Notices;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.OnCall;
using Fukkyu.Server.PostIncident;
using Fukkyu.Server.Recovery;
using Fukkyu.Server.Register;
using Fukkyu.Server.Regulatory;
using Fukkyu.Server.Reports;
using Fukkyu.Server.Reviews;
using Fukkyu.Server.Runbooks;
using Fukkyu.Server.Subscribers;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Fukkyu.Server.Data;

/// <summary>
/// The one model of Fukkyu. Each feature configures its own entities through a
/// <c>ConfigureX(ModelBuilder)</c> extension; the provider-specific subclasses exist only so that
/// each provider keeps its own migrations.
/// </summary>
public abstract class FukkyuDb(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>Shared by all nodes, so cookies and anti-forgery tokens work behind a load balancer.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    private readonly HashSet<Guid> _declaring = [];

    /// <summary>
    /// The incident is being declared in this unit of work: not saved yet, so no stored row refers
    /// to it and looking for one (its pages, checklists, track) would only cost a query.
    /// </summary>
    public bool IsBeingDeclared(Guid incidentId) => _declaring.Contains(incidentId);

    /// <summary>Marks a new incident as being declared until <see cref="Declared"/>; see <see cref="IsBeingDeclared"/>.</summary>
    internal void Declaring(Guid incidentId) => _declaring.Add(incidentId);

    /// <summary>The incident's declaration is saved (or given up): its rows may now be stored.</summary>
    internal void Declared(Guid incidentId) => _declaring.Remove(incidentId);

    /// <summary>
    /// Set when outbox rows were written without change tracking (<see cref="Notifications.Outbox.InsertAsync"/>),
    /// so the outbox dispatcher is still woken when the transaction commits.
    /// </summary>
    internal bool OutboxWrittenDirectly { get; set; }
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Component> Components => Set<Component>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentComponent> IncidentComponents => Set<IncidentComponent>();
    public DbSet<IncidentMember> IncidentMembers => Set<IncidentMember>();
    public DbSet<IncidentCounter> IncidentCounters => Set<IncidentCounter>();
    public DbSet<TimelineEntry> TimelineEntries => Set<TimelineEntry>();
    public DbSet<Lease> Leases => Set<Lease>();
    public DbSet<Integration> Integrations => Set<Integration>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<AlertLogEntry> AlertLog => Set<AlertLogEntry>();
    public DbSet<AlertLogMark> AlertLogMarks => Set<AlertLogMark>();
    public DbSet<ChangeEvent> ChangeEvents => Set<ChangeEvent>();
    public DbSet<RoutingRule> RoutingRules => Set<RoutingRule>();
    public DbSet<HealthMonitor> Monitors => Set<HealthMonitor>();
    public DbSet<MonitorStateChange> MonitorStateChanges => Set<MonitorStateChange>();
    public DbSet<MonitorMinute> MonitorMinutes => Set<MonitorMinute>();
    public DbSet<MonitorHour> MonitorHours => Set<MonitorHour>();
    public DbSet<Report> Reports => Set<Report>();
    public DbSet<Notice> Notices => Set<Notice>();
    public DbSet<MaintenanceWindow> Maintenances => Set<MaintenanceWindow>();
    public DbSet<Subscriber> Subscribers => Set<Subscriber>();
    public DbSet<Briefing> Briefings => Set<Briefing>();
    public DbSet<IncidentReport> IncidentReports => Set<IncidentReport>();
    public DbSet<ActionItem> ActionItems => Set<ActionItem>();
    public DbSet<RegulatoryTrack> RegulatoryTracks => Set<RegulatoryTrack>();
    public DbSet<RegulatoryFiling> RegulatoryFilings => Set<RegulatoryFiling>();
    public DbSet<RegisterEntry> RegisterEntries => Set<RegisterEntry>();
    public DbSet<Drill> Drills => Set<Drill>();
    public DbSet<ManagedDocument> ManagedDocuments => Set<ManagedDocument>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC, and stays UTC when SQLite hands back text.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        // Enums are stored by name: readable in the database and safe against reordering.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(40);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ConfigureAuth();
        modelBuilder.ConfigureCatalog();
        modelBuilder.ConfigureIncidents();
        modelBuilder.ConfigureInfrastructure();
        modelBuilder.ConfigureJobs();
        modelBuilder.ConfigureNotifications();
        modelBuilder.ConfigureAlerts();
        modelBuilder.ConfigureAlertLog();
        modelBuilder.ConfigureMonitoring();
        modelBuilder.ConfigureReports();
        modelBuilder.ConfigureOnCall();
        modelBuilder.ConfigureControls();
        modelBuilder.ConfigureRunbooks();
        modelBuilder.ConfigureRecovery();
        modelBuilder.ConfigureNotices();
        modelBuilder.ConfigureMaintenance();
        modelBuilder.ConfigureSubscribers();
        modelBuilder.ConfigureBriefings();
        modelBuilder.ConfigurePostIncident();
        modelBuilder.ConfigureActionItems();
        modelBuilder.ConfigureRegulatory();
        modelBuilder.ConfigureRegister();
        modelBuilder.ConfigureDrills();
        modelBuilder.ConfigureReviews();
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        BeforeSave();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        BeforeSave();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void BeforeSave()
    {
        // The timeline is append-only; the hash chain catches anything done behind EF's back.
        foreach (var entry in ChangeTracker.Entries<TimelineEntry>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException("Timeline entries are append-only.");
            }
        }
        // Optimistic concurrency that works the same on SQLite and PostgreSQL: a version column
        // compared in the UPDATE's WHERE clause and incremented on every change.
        foreach (var entry in ChangeTracker.Entries<IVersioned>())
        {
            if (entry.State == EntityState.Modified)
            {
                entry.Entity.Version++;
            }
        }
    }
}

public sealed class SqliteFukkyuDb(DbContextOptions<SqliteFukkyuDb> options) : FukkyuDb(options);

public sealed class PostgresFukkyuDb(DbContextOptions<PostgresFukkyuDb> options) : FukkyuDb(options);

/// <summary>An entity whose <see cref="Version"/> guards against lost updates.</summary>
public interface IVersioned
{
    int Version { get; set; }
}
