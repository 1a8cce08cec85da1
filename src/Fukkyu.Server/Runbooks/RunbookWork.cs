using System.Globalization;
using System.Text.Json;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Catalog;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Runbooks;

/// <summary>
/// Attaches checklists when an incident opens and when its level rises. A declaration made while
/// others queue behind it leaves the attaching to a job, so that the pages go out first.
/// </summary>
internal sealed class RunbookAttacher : IIncidentListener
{
    public async Task OnChangingAsync(IncidentChange change, CancellationToken ct)
    {
        if (change.Kind == IncidentChangeKind.Declared && change.Crowded)
        {
            Jobs.Schedule(change.Db, RunbookAttachJobHandler.JobKind, change.At, change.At,
                new AttachJobPayload(change.Incident.Id, change.At), $"runbook-attach:{change.Incident.Id}", change.Incident.Id);
        }
        else if (change.Kind == IncidentChangeKind.Declared
            || (change.Kind == IncidentChangeKind.LevelChanged && change.FromLevel is { } from && change.Incident.Level > from && change.Incident.IsOpen))
        {
            await RunbookService.AttachAsync(change.Db, change.Incident, change.At, ct);
        }
    }
}

internal sealed record AttachJobPayload(Guid IncidentId, DateTime At);

/// <summary>Attaches the checklists of a declaration that left them to a job (see <see cref="RunbookAttacher"/>).</summary>
internal sealed class RunbookAttachJobHandler : IJobHandler
{
    public const string JobKind = "runbook-attach";

    public string Kind => JobKind;

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var p = job.PayloadAs<AttachJobPayload>()!;
        var db = services.GetRequiredService<FukkyuDb>();
        var incident = await db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == p.IncidentId, ct);
        if (incident is null)
        {
            return;
        }
        // Runbooks already attached (by a level change meanwhile, or by a run before a crash) are skipped.
        if (await RunbookService.AttachAsync(db, incident, p.At, ct) > 0)
        {
            await db.SaveChangesAsync(ct);
        }
    }
}

/// <summary>Reminds the owner (or, without one, the admins) that a runbook's review is due; weekly while overdue.</summary>
internal sealed class RunbookReviewJobHandler : IJobHandler
{
    public string Kind => RunbookService.ReviewJob;

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var p = job.PayloadAs<ReviewJobPayload>()!;
        var db = services.GetRequiredService<FukkyuDb>();
        var runbook = await db.Set<Runbook>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == p.RunbookId, ct);
        if (runbook is null || runbook.Archived || runbook.ReviewBy != p.ReviewBy)
        {
            return; // reviewed, rescheduled or archived since
        }
        var baseKey = $"runbook-review:{runbook.Id}:{p.ReviewBy:yyyyMMdd}:{p.Reminder}";
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        // After a crash the job may run again: what it already queued stays queued once.
        if (!await db.Set<OutboxMessage>().AnyAsync(m => m.IdempotencyKey.StartsWith(baseKey + ":"), ct))
        {
            var recipients = runbook.OwnerId is { } owner && await db.Users.AnyAsync(u => u.Id == owner && u.Active, ct)
                ? [owner]
                : await db.Users.Where(u => u.Active && u.Roles.Contains(Roles.Admin)).Select(u => u.Id).ToListAsync(ct);
            var notifier = services.GetRequiredService<IPersonNotifier>();
            var url = services.GetRequiredService<IOptions<OnCall.PagingOptions>>().Value.Link($"/ops/runbooks/{runbook.Key}");
            var overdue = p.Reminder > 0;
            var date = p.ReviewBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var uid in recipients)
            {
                await notifier.NotifyAsync(db, new PersonMessage(uid, "runbook_review", baseKey,
                    RunbookStrings.In("ja", overdue ? "ReviewDueSubject" : "ReviewSoonSubject", runbook.TitleJa, date),
                    RunbookStrings.In("en", overdue ? "ReviewDueSubject" : "ReviewSoonSubject", runbook.TitleEn, date),
                    RunbookStrings.In("ja", "ReviewBody", runbook.TitleJa, runbook.CurrentVersion, date, url),
                    RunbookStrings.In("en", "ReviewBody", runbook.TitleEn, runbook.CurrentVersion, date, url),
                    Reference: runbook.Key), now, ct);
            }
        }
        if (p.Reminder > 0 && !await db.Set<Job>().AnyAsync(j => j.Key == $"runbook-review:{runbook.Id}:overdue:{p.Reminder + 1}", ct))
        {
            Jobs.Schedule(db, Kind, now.AddDays(7), now, p with { Reminder = p.Reminder + 1 }, $"runbook-review:{runbook.Id}:overdue:{p.Reminder + 1}");
        }
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>Runbooks in the review dashboard (manual 4.3).</summary>
internal sealed class RunbookReviewItems(FukkyuDb db) : IReviewItemSource
{
    public async Task<IReadOnlyList<ReviewItem>> DueAsync(DateOnly until, CancellationToken ct)
    {
        var rows = await db.Set<Runbook>().AsNoTracking().Include(r => r.Owner)
            .Where(r => !r.Archived && r.ReviewBy <= until).OrderBy(r => r.ReviewBy).ToListAsync(ct);
        return [.. rows.Select(r => new ReviewItem("runbook", r.Title(Texts.Japanese), r.OwnerId, r.Owner?.DisplayName, r.ReviewBy, $"/ops/runbooks/{r.Key}"))];
    }
}

internal sealed class RunbookTimelineDescriber : ITimelineDescriber
{
    public string? Describe(TimelineEntry e, JsonElement d)
    {
        if (e.Kind != RunbookTimeline.Step || d.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var text = d.TryGetProperty(Texts.Japanese ? "textJa" : "textEn", out var t) ? t.GetString() : "";
        var done = d.TryGetProperty("done", out var dn) && dn.ValueKind == JsonValueKind.True;
        var phase = d.TryGetProperty("phase", out var ph) ? ph.GetString() : "";
        return RunbookStrings.T(done ? "TlStepDone" : "TlStepUndone", text, RunbookStrings.T("Phase_" + phase));
    }
}

public sealed record SampleStep(RunbookPhase? Phase, string? TextJa, string? TextEn, bool? Required);

public sealed record SampleRunbook(string? Key, ComponentCategory? Category, int? MinLevel, string? TitleJa, string? TitleEn, SampleStep[]? Steps);

public static class RunbookSamples
{
    /// <summary>Loads the sample runbooks (ja and en, every category) into an empty database, with the sample catalog.</summary>
    public static async Task LoadSampleRunbooksWhenEmptyAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var options = sp.GetRequiredService<IOptions<RunbookOptions>>().Value;
        var db = sp.GetRequiredService<FukkyuDb>();
        if (!options.LoadSamplesWhenEmpty || await db.Set<Runbook>().AnyAsync(ct))
        {
            return;
        }
        var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Fukkyu.Runbooks");
        var path = new[] { AppContext.BaseDirectory, sp.GetRequiredService<IHostEnvironment>().ContentRootPath }
            .Select(root => Path.IsPathRooted(options.SamplesFile) ? options.SamplesFile : Path.Combine(root, options.SamplesFile))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            log.LogWarning("Sample runbooks {File} not found; starting without runbooks.", options.SamplesFile);
            return;
        }
        await using var stream = File.OpenRead(path);
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpDefaults.ConfigureJson(json);
        var samples = await JsonSerializer.DeserializeAsync<SampleRunbook[]>(stream, json, ct) ?? [];
        var service = sp.GetRequiredService<RunbookService>();
        foreach (var s in samples)
        {
            if (s.Key is null || s.TitleJa is null || s.TitleEn is null || s.Steps is null)
            {
                throw new InvalidOperationException($"Sample runbook in {path} lacks key, titles or steps.");
            }
            await service.SaveAsync(s.Key, new RunbookInput(s.Category, s.MinLevel ?? 1, s.TitleJa, s.TitleEn, null, null, null, false,
                "sample", [.. s.Steps.Select(x => new StepInput(x.Phase ?? RunbookPhase.InitialResponse, x.TextJa ?? "", x.TextEn ?? "", x.Required ?? true))]),
                Actor.System("samples"), ct);
        }
        log.LogInformation("Loaded {Count} sample runbooks from {File}.", samples.Length, path);
    }
}
