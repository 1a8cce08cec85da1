using System.Globalization;
using System.Security.Claims;
using Fukkyu.Server.Auth;
using Fukkyu.Server.Data;
using Fukkyu.Server.Incidents;
using Fukkyu.Server.Infrastructure;
using Fukkyu.Server.Notifications;
using Fukkyu.Server.PostIncident;
using Fukkyu.Server.Ui;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Reviews;

public sealed class ReviewOptions
{
    public const string Section = "Fukkyu:Reviews";

    /// <summary>The dashboard lists what is due within this many days (and everything overdue).</summary>
    public int DashboardDays { get; set; } = 30;
    /// <summary>Owners are reminded this many days before a document's review date, and on it.</summary>
    public int RemindDaysBefore { get; set; } = 14;
}

public sealed record DocumentDto(
    Guid Id, string Title, string? Description, string? Location, PersonDto Owner, int ReviewIntervalMonths, DateOnly ReviewBy, bool Overdue,
    DateOnly? LastReviewedOn, string? LastReviewedBy, string? LastReviewNote, int Version)
{
    public static DocumentDto From(ManagedDocument d, DateOnly today) => new(d.Id, d.Title, d.Description, d.Location,
        new PersonDto(d.OwnerId, d.Owner?.UserName ?? "", d.Owner?.DisplayName ?? ""), d.ReviewIntervalMonths, d.ReviewBy, d.ReviewBy < today,
        d.LastReviewedOn, d.LastReviewedByName, d.LastReviewNote, d.Version);
}

public sealed record DocumentRequest(string? Title, string? Description, string? Location, string? Owner, int? ReviewIntervalMonths, DateOnly? ReviewBy);

public sealed record ReviewedRequest(string? Note, DateOnly? ReviewedOn);

public sealed record ReviewItemDto(string Kind, string Title, Guid? OwnerId, string? OwnerName, DateOnly ReviewBy, bool Overdue, string Url);

public sealed record DocumentReminder(Guid DocumentId, DateOnly ReviewBy, string Slot);

/// <summary>The manual's 4.3: documents with review dates and owners, and the review dashboard over every source.</summary>
public sealed class ReviewService(FukkyuDb db, TimeProvider time, IOptions<ReviewOptions> options, IEnumerable<IReviewItemSource> sources)
{
    public const string ReminderKind = "document.review_reminder";

    public DateOnly Today => DateOnly.FromDateTime(Tokyo.FromUtc(time.GetUtcNow().UtcDateTime));

    /// <summary>Everything due within <paramref name="days"/> days (overdue included), from every feature.</summary>
    public async Task<List<ReviewItemDto>> DueAsync(int days, CancellationToken ct)
    {
        var today = Today;
        var items = new List<ReviewItem>();
        foreach (var source in sources)
        {
            items.AddRange(await source.DueAsync(today.AddDays(days), ct));
        }
        return [.. items.OrderBy(i => i.ReviewBy).ThenBy(i => i.Title, StringComparer.Ordinal)
            .Select(i => new ReviewItemDto(i.Kind, i.Title, i.OwnerId, i.OwnerName, i.ReviewBy, i.ReviewBy < today, i.Url))];
    }

    public Task<List<ManagedDocument>> ListAsync(CancellationToken ct) =>
        db.Set<ManagedDocument>().AsNoTracking().Include(d => d.Owner).OrderBy(d => d.ReviewBy).ThenBy(d => d.Title).Take(1000).ToListAsync(ct);

    public Task<ManagedDocument?> FindAsync(Guid id, CancellationToken ct) =>
        db.Set<ManagedDocument>().AsNoTracking().Include(d => d.Owner).FirstOrDefaultAsync(d => d.Id == id, ct);

    public async Task<ManagedDocument> CreateAsync(string title, string? description, string? location, Guid ownerId, int interval, DateOnly? reviewBy, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var doc = new ManagedDocument
        {
            Title = title.Trim(), Description = description, Location = location, OwnerId = ownerId, ReviewIntervalMonths = interval,
            ReviewBy = reviewBy ?? Today.AddMonths(interval), CreatedAt = now, UpdatedAt = now,
        };
        db.Add(doc);
        Schedule(doc, now);
        await db.SaveChangesAsync(ct);
        return (await FindAsync(doc.Id, ct))!;
    }

    public async Task<OpResult<ManagedDocument>> UpdateAsync(Guid id, DocumentRequest req, Guid? ownerId, CancellationToken ct)
    {
        var doc = await db.Set<ManagedDocument>().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (doc is null)
        {
            return NotFoundError.Instance;
        }
        var before = (doc.ReviewBy, doc.OwnerId);
        doc.Title = req.Title?.Trim() ?? doc.Title;
        doc.Description = req.Description ?? doc.Description;
        doc.Location = req.Location ?? doc.Location;
        doc.OwnerId = ownerId ?? doc.OwnerId;
        doc.ReviewIntervalMonths = req.ReviewIntervalMonths ?? doc.ReviewIntervalMonths;
        doc.ReviewBy = req.ReviewBy ?? doc.ReviewBy;
        return await SaveAsync(doc, before != (doc.ReviewBy, doc.OwnerId), ct);
    }

    /// <summary>Marks a review done: the next one is due one interval later.</summary>
    public async Task<OpResult<ManagedDocument>> ReviewedAsync(Guid id, string? note, DateOnly? on, Actor actor, CancellationToken ct)
    {
        var doc = await db.Set<ManagedDocument>().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (doc is null)
        {
            return NotFoundError.Instance;
        }
        var day = on ?? Today;
        doc.LastReviewedOn = day;
        doc.LastReviewedByName = actor.Name;
        doc.LastReviewNote = note;
        doc.ReviewBy = day.AddMonths(doc.ReviewIntervalMonths);
        return await SaveAsync(doc, true, ct);
    }

    private async Task<OpResult<ManagedDocument>> SaveAsync(ManagedDocument doc, bool reschedule, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        doc.UpdatedAt = now;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            if (reschedule)
            {
                await Jobs.CancelAsync(db, ReminderKind, $"document:{doc.Id}:", ct);
                Schedule(doc, now);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            await tx.RollbackAsync(ct);
            return new ConflictError("concurrency", Validation.Text("Conflict"));
        }
        return (await FindAsync(doc.Id, ct))!;
    }

    private void Schedule(ManagedDocument doc, DateTime now)
    {
        foreach (var (slot, day) in new[] { ("before", doc.ReviewBy.AddDays(-Math.Max(1, options.Value.RemindDaysBefore))), ("due", doc.ReviewBy) })
        {
            var at = Tokyo.ToUtc(day.ToDateTime(new TimeOnly(9, 0)));
            Jobs.Schedule(db, ReminderKind, at > now ? at : now, now, new DocumentReminder(doc.Id, doc.ReviewBy, slot), $"document:{doc.Id}:{doc.ReviewBy:yyyyMMdd}:{slot}");
        }
    }
}

/// <summary>Reminds a document's owner before its review date and on it, unless it was reviewed meanwhile.</summary>
public sealed class DocumentReminderHandler : IJobHandler
{
    public string Kind => ReviewService.ReminderKind;

    public async Task RunAsync(Job job, IServiceProvider services, CancellationToken ct)
    {
        var p = job.PayloadAs<DocumentReminder>();
        var db = services.GetRequiredService<FukkyuDb>();
        var doc = p is null ? null : await db.Set<ManagedDocument>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == p.DocumentId, ct);
        if (doc is null || doc.ReviewBy != p!.ReviewBy)
        {
            return;
        }
        var key = $"document-reminder:{doc.Id}:{doc.ReviewBy:yyyyMMdd}:{p.Slot}:{doc.OwnerId}";
        if (await Reminders.AlreadySentAsync(db, key, ct))
        {
            return;
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var by = doc.ReviewBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var link = Reminders.Link(services.GetRequiredService<IConfiguration>(), $"/ops/reviews#doc-{doc.Id}");
        await services.GetRequiredService<IPersonNotifier>().NotifyAsync(db, new PersonMessage(doc.OwnerId, "document_review", key,
            ReviewStrings.In(Lang.Ja, "ReminderSubject", doc.Title, by), ReviewStrings.In(Lang.En, "ReminderSubject", doc.Title, by),
            ReviewStrings.In(Lang.Ja, "ReminderBody", doc.Title, by, doc.Location ?? "—", link), ReviewStrings.In(Lang.En, "ReminderBody", doc.Title, by, doc.Location ?? "—", link),
            null, doc.Id.ToString()), now, ct);
        await db.SaveChangesAsync(ct);
    }
}

public static class ReviewsApi
{
    public static IHostApplicationBuilder AddReviews(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ReviewOptions>().BindConfiguration(ReviewOptions.Section)
            .Validate(o => o.DashboardDays is >= 0 and <= 3660 && o.RemindDaysBefore is > 0 and <= 365, "Fukkyu:Reviews: DashboardDays 0–3660, RemindDaysBefore 1–365.")
            .ValidateOnStart();
        services.AddScoped<ReviewService>();
        services.AddScoped<IReviewItemSource, DocumentReviewSource>();
        services.AddSingleton<IJobHandler, DocumentReminderHandler>();
        services.AddNavItem(new NavItem(85, "/ops/reviews", () => ReviewStrings.T("ReviewsTitle")));
        services.AddUiPanel<Pages.ReviewsDuePanel>(UiPanels.Dashboard, 50);
        return builder;
    }

    public static IEndpointRouteBuilder MapReviews(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/reviews", Due).RequireAuthorization(Policies.Read).WithTags("Manual review").WithName("ListReviewsDue")
            .WithSummary("Runbooks, procedures and documents due for review within `days` (overdue included), with owners.");
        var docs = app.MapGroup("/api/v1/documents").WithTags("Manual review");
        docs.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListDocuments");
        docs.MapPost("/", Create).RequireAuthorization(Policies.Command).WithName("CreateDocument");
        docs.MapGet("/{id:guid}", Get).RequireAuthorization(Policies.Read).WithName("GetDocument");
        docs.MapPatch("/{id:guid}", Update).RequireAuthorization(Policies.Command).WithName("UpdateDocument");
        docs.MapPost("/{id:guid}/reviewed", Reviewed).RequireAuthorization(Policies.Respond).WithName("MarkDocumentReviewed")
            .WithSummary("Record a review; the next is due one interval later.");
        return app;
    }

    private static async Task<Results<Ok<ReviewItemDto[]>, ValidationProblem>> Due(ReviewService reviews, IOptions<ReviewOptions> options, int? days, CancellationToken ct)
    {
        var v = new Validation().Range("days", days, 0, 3660);
        return v.IsValid ? TypedResults.Ok((await reviews.DueAsync(days ?? options.Value.DashboardDays, ct)).ToArray()) : TypedResults.ValidationProblem(v.Errors);
    }

    private static async Task<Ok<DocumentDto[]>> List(ReviewService reviews, CancellationToken ct)
    {
        var today = reviews.Today;
        return TypedResults.Ok((await reviews.ListAsync(ct)).Select(d => DocumentDto.From(d, today)).ToArray());
    }

    private static async Task<Results<Ok<DocumentDto>, ProblemHttpResult>> Get(Guid id, ReviewService reviews, CancellationToken ct) =>
        await reviews.FindAsync(id, ct) is { } d ? TypedResults.Ok(DocumentDto.From(d, reviews.Today)) : AuthApi.NotFoundProblem();

    private static async Task<Guid?> OwnerAsync(FukkyuDb db, Validation v, string? owner, CancellationToken ct)
    {
        if (owner is null || !v.IsValid)
        {
            return null;
        }
        var user = Guid.TryParse(owner, out var id)
            ? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id && u.Active, ct)
            : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserName == owner.ToLowerInvariant() && u.Active, ct);
        if (user is null)
        {
            v.Add("owner", Validation.Text("UnknownId", owner));
        }
        return user?.Id;
    }

    internal static Validation Validate(DocumentRequest req, bool creating)
    {
        var v = new Validation();
        v.Text("title", req.Title, ManagedDocumentModel.Title, required: creating).Text("description", req.Description, ManagedDocumentModel.Text)
         .Text("location", req.Location, ManagedDocumentModel.Location).Text("owner", req.Owner, 100, required: creating)
         .Range("reviewIntervalMonths", req.ReviewIntervalMonths, 1, 60);
        if (!creating && req.Title is not null && string.IsNullOrWhiteSpace(req.Title))
        {
            v.Add("title", Validation.Text("Required"));
        }
        return v;
    }

    internal static async Task<(Validation, Guid?)> ValidateCreateAsync(DocumentRequest req, FukkyuDb db, CancellationToken ct)
    {
        var v = Validate(req, creating: true);
        var owner = await OwnerAsync(db, v, req.Owner, ct);
        return (v, owner);
    }

    private static async Task<Results<Created<DocumentDto>, ValidationProblem>> Create(DocumentRequest req, ReviewService reviews, FukkyuDb db, CancellationToken ct)
    {
        var (v, owner) = await ValidateCreateAsync(req, db, ct);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var d = await reviews.CreateAsync(req.Title!, Blank(req.Description), Blank(req.Location), owner!.Value, req.ReviewIntervalMonths ?? 12, req.ReviewBy, ct);
        return TypedResults.Created($"/api/v1/documents/{d.Id}", DocumentDto.From(d, reviews.Today));
    }

    private static async Task<Results<Ok<DocumentDto>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, DocumentRequest req, ReviewService reviews, FukkyuDb db, CancellationToken ct)
    {
        var v = Validate(req, creating: false);
        var owner = await OwnerAsync(db, v, req.Owner, ct);
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await reviews.UpdateAsync(id, req, owner, ct);
        return result.Error switch
        {
            null => TypedResults.Ok(DocumentDto.From(result.Value!, reviews.Today)),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static async Task<Results<Ok<DocumentDto>, ValidationProblem, ProblemHttpResult>> Reviewed(
        Guid id, ReviewedRequest? req, ClaimsPrincipal user, ReviewService reviews, CancellationToken ct)
    {
        var v = new Validation().Text("note", req?.Note, ManagedDocumentModel.Text);
        if (req?.ReviewedOn > reviews.Today)
        {
            v.Add("reviewedOn", ReviewStrings.T("NotInFuture"));
        }
        if (!v.IsValid)
        {
            return TypedResults.ValidationProblem(v.Errors);
        }
        var result = await reviews.ReviewedAsync(id, Blank(req?.Note), req?.ReviewedOn, Actor.From(user), ct);
        return result.Error switch
        {
            null => TypedResults.Ok(DocumentDto.From(result.Value!, reviews.Today)),
            ConflictError c => OpResults.Conflict(c),
            _ => AuthApi.NotFoundProblem(),
        };
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
