using System.Text.Json;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Infrastructure;

public enum JobState
{
    Pending,
    Claimed,
    Done,
    Failed,
    Cancelled,
}

/// <summary>
/// A durable timer: "run handler <see cref="Kind"/> with <see cref="Payload"/> at <see cref="DueAt"/>".
/// Escalation steps, reminders, deadlines and maintenance transitions are jobs, so they survive
/// restarts and run once across nodes.
/// </summary>
public sealed class Job
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public required string Kind { get; set; }
    /// <summary>Lets the owner find and cancel it, e.g. <c>escalation:{incident}:{step}</c>.</summary>
    public string? Key { get; set; }
    public string? Payload { get; set; }
    public Guid? IncidentId { get; set; }
    public JobState State { get; set; } = JobState.Pending;
    public DateTime DueAt { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimedUntil { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }

    public T? PayloadAs<T>() => Payload is null ? default : JsonSerializer.Deserialize<T>(Payload, Jobs.Json);
}

/// <summary>Runs the jobs of one kind. Must be idempotent: after a crash a job may run again.</summary>
public interface IJobHandler
{
    string Kind { get; }

    /// <summary>
    /// Runs on time even during a burst of declarations (an escalation step, a page). Other jobs
    /// wait while declarations are being worked on, at most <see cref="JobOptions.YieldToDeclarationsSeconds"/>.
    /// </summary>
    bool Urgent => false;

    /// <summary>Runs in a fresh scope; throwing schedules a retry with backoff.</summary>
    Task RunAsync(Job job, IServiceProvider services, CancellationToken ct);
}

public sealed class JobOptions
{
    public const string Section = "Fukkyu:Jobs";

    public bool Enabled { get; set; } = true;
    public int PollMilliseconds { get; set; } = 250;
    public int BatchSize { get; set; } = 50;
    public int MaxAttempts { get; set; } = 10;
    public int ClaimSeconds { get; set; } = 120;
    /// <summary>Finished and cancelled jobs are deleted after this many days; failed ones stay.</summary>
    public int KeepDays { get; set; } = 30;
    /// <summary>
    /// While declarations are waiting or being worked on, jobs that are not urgent (reminders,
    /// maintenance transitions) wait at most this long past their due time, so the first pages go
    /// out first; 0 runs every job when due (docs/decisions/048-pages-first.md).
    /// </summary>
    public double YieldToDeclarationsSeconds { get; set; } = 5;
}

public static class Jobs
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Schedules in the caller's unit of work: the job exists if and only if the change commits.</summary>
    public static Job Schedule(FukkyuDb db, string kind, DateTime dueAt, DateTime now, object? payload = null, string? key = null, Guid? incidentId = null)
    {
        var job = new Job
        {
            Kind = kind,
            Key = key,
            Payload = payload is null ? null : JsonSerializer.Serialize(payload, Json),
            IncidentId = incidentId,
            DueAt = dueAt,
            CreatedAt = now,
        };
        db.Set<Job>().Add(job);
        return job;
    }

    /// <summary>Cancels pending jobs of a kind whose key starts with <paramref name="keyPrefix"/>.</summary>
    public static Task<int> CancelAsync(FukkyuDb db, string kind, string keyPrefix, CancellationToken ct) =>
        db.Set<Job>()
            .Where(j => j.Kind == kind && j.State == JobState.Pending && j.Key != null && j.Key.StartsWith(keyPrefix))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Cancelled), ct);

    public static void ConfigureJobs(this ModelBuilder b) => b.Entity<Job>(e =>
    {
        e.ToTable("jobs");
        e.HasIndex(j => new { j.State, j.DueAt });
        e.HasIndex(j => new { j.Kind, j.Key });
        e.Property(j => j.Kind).HasMaxLength(100);
        e.Property(j => j.Key).HasMaxLength(300);
        e.Property(j => j.ClaimedBy).HasMaxLength(200);
        e.Property(j => j.LastError).HasMaxLength(2000);
    });
}

/// <summary>Claims due jobs (on any node) and runs their handlers.</summary>
public sealed class JobRunner(
    IServiceScopeFactory scopes,
    IEnumerable<IJobHandler> handlers,
    NodeIdentity node,
    UrgentWork urgent,
    TimeProvider time,
    IOptions<JobOptions> options,
    ILogger<JobRunner> log)
{
    private readonly Dictionary<string, IJobHandler> _handlers = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
    private readonly string[] _urgentKinds = [.. handlers.Where(h => h.Urgent).Select(h => h.Kind)];

    /// <summary>Runs every job that is due now (during a burst of declarations: every urgent one); returns how many ran.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var first = urgent.Busy && o.YieldToDeclarationsSeconds > 0
            ? new ClaimFirst(_urgentKinds, now - TimeSpan.FromSeconds(o.YieldToDeclarationsSeconds))
            : null;
        List<Guid> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
            ids = await RowClaimer.ClaimAsync(db, "jobs", node.Id, now, TimeSpan.FromSeconds(o.ClaimSeconds), o.BatchSize, ct, first);
        }
        foreach (var id in ids)
        {
            await RunOneAsync(id, ct);
        }
        return ids.Count;
    }

    private async Task RunOneAsync(Guid id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FukkyuDb>();
        var job = await db.Set<Job>().FirstOrDefaultAsync(j => j.Id == id && j.ClaimedBy == node.Id, ct);
        if (job is null)
        {
            return;
        }
        job.Attempts++;
        string? error = null;
        if (!_handlers.TryGetValue(job.Kind, out var handler))
        {
            error = $"No handler for job kind '{job.Kind}'.";
        }
        else
        {
            try
            {
                // The handler gets its own scope so that its failure leaves this bookkeeping intact.
                await using var work = scopes.CreateAsyncScope();
                await handler.RunAsync(job, work.ServiceProvider, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                error = e.Message;
                log.LogWarning(e, "Job {Kind} {Id} failed (attempt {Attempt}).", job.Kind, job.Id, job.Attempts);
            }
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (error is null)
        {
            job.State = JobState.Done;
            job.CompletedAt = now;
        }
        else if (handler is null || job.Attempts >= options.Value.MaxAttempts)
        {
            job.State = JobState.Failed;
            job.LastError = Truncate(error);
            job.CompletedAt = now;
        }
        else
        {
            job.State = JobState.Pending;
            job.LastError = Truncate(error);
            job.DueAt = now + Backoff.Delay(job.Attempts, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10));
        }
        job.ClaimedBy = null;
        job.ClaimedUntil = null;
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static string Truncate(string s) => s.Length > 2000 ? s[..2000] : s;
}

public sealed class JobWorker(JobRunner runner, WorkSignals signals, TimeProvider time, IOptions<JobOptions> options, ILogger<JobWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.PollMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await runner.RunDueAsync(stoppingToken) > 0)
                {
                    continue;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Job sweep failed; retrying.");
            }
            await signals.Jobs.WaitAsync(poll, time, stoppingToken);
        }
    }
}

public static class Backoff
{
    /// <summary>Exponential with ±20 % jitter, so retries from many messages do not arrive in step.</summary>
    public static TimeSpan Delay(int attempt, TimeSpan first, TimeSpan max)
    {
        var seconds = first.TotalSeconds * Math.Pow(2, Math.Max(0, attempt - 1));
        seconds = Math.Min(seconds, max.TotalSeconds);
        seconds *= 0.8 + Random.Shared.NextDouble() * 0.4;
        return TimeSpan.FromSeconds(seconds);
    }
}
