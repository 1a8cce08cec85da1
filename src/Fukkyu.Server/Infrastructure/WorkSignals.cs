using System.Data.Common;
using System.Runtime.CompilerServices;
using Fukkyu.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Fukkyu.Server.Infrastructure;

/// <summary>An auto-reset signal a worker awaits with a timeout: set → one waiter wakes at once.</summary>
public sealed class AsyncSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    /// <summary>Set and not yet taken by a waiter.</summary>
    internal bool IsSet => _semaphore.CurrentCount > 0;

    public void Set()
    {
        // Already set is the common case during a fan-out (every commit signals): checked first
        // rather than paying for an exception each time; the catch covers the race between the two.
        if (IsSet)
        {
            return;
        }
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Set meanwhile.
        }
    }

    /// <summary>Waits until set or until <paramref name="timeout"/> passes on <paramref name="time"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(timeout, time, cts.Token);
        var signalled = _semaphore.WaitAsync(cts.Token);
        // Forced yield: on a test clock the wake-up runs inside Advance, and synchronous work there
        // (SQLite) would otherwise run once per elapsed period instead of once.
        await Task.WhenAny(delay, signalled).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        await cts.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }
}

/// <summary>Wakes the outbox and job dispatchers on this node as soon as new work commits.</summary>
public sealed class WorkSignals
{
    public AsyncSignal Outbox { get; } = new();
    public AsyncSignal Jobs { get; } = new();
}

/// <summary>
/// Notices outbox messages and jobs being saved and sets the dispatchers' signals after the
/// commit — not before it, or a dispatcher would look before the rows are visible.
/// </summary>
public sealed class WorkSignalInterceptor(WorkSignals signals) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private sealed class Pending
    {
        public bool Outbox;
        public bool Jobs;
    }

    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            Fire(eventData.Context);
        }
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            Fire(eventData.Context);
        }
        return result;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Fire(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Fire(eventData.Context);

    private void Note(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        var outbox = false;
        var jobs = false;
        foreach (var e in context.ChangeTracker.Entries())
        {
            if (e.State == EntityState.Added || e.State == EntityState.Modified)
            {
                outbox |= e.Entity is Notifications.OutboxMessage;
                jobs |= e.Entity is Job;
            }
        }
        if (outbox || jobs)
        {
            var p = _pending.GetOrCreateValue(context);
            p.Outbox |= outbox;
            p.Jobs |= jobs;
        }
    }

    private void Fire(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        var outbox = false;
        var jobs = false;
        if (context is FukkyuDb { OutboxWrittenDirectly: true } db)
        {
            db.OutboxWrittenDirectly = false;
            outbox = true;
        }
        if (_pending.TryGetValue(context, out var p))
        {
            _pending.Remove(context);
            outbox |= p.Outbox;
            jobs |= p.Jobs;
        }
        if (outbox)
        {
            signals.Outbox.Set();
        }
        if (jobs)
        {
            signals.Jobs.Set();
        }
    }
}
