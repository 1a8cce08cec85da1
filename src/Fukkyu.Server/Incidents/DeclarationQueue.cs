using Fukkyu.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace Fukkyu.Server.Incidents;

public sealed class DeclarationOptions
{
    public const string Section = "Fukkyu:Incidents";

    /// <summary>
    /// Declarations worked on at once by this node; the rest wait their turn in arrival order.
    /// Defaults to the number of processors, for a database on the same machine; raise it when
    /// PostgreSQL is on another host and declarations wait on round trips (docs/decisions/046-declaration-queue.md).
    /// </summary>
    public int MaxConcurrentDeclarations { get; set; } = Environment.ProcessorCount;
}

/// <summary>
/// Declarations in arrival order, a few at a time. A declaration is CPU-bound work (the level,
/// the team to page, runbooks, the regulatory track, one transaction); a hundred started at once
/// share the processors and all finish together — every first page then waits for the last
/// declaration. Taken in turn, the first incidents are paged while later ones are still queued.
/// While any declaration waits or runs, the node's <see cref="UrgentWork"/> is busy and background
/// work that can wait holds back (docs/decisions/048-pages-first.md).
/// </summary>
public sealed class DeclarationQueue(IOptions<DeclarationOptions> options, UrgentWork urgent)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrentDeclarations));

    /// <summary>Other declarations wait or run besides the caller's (see <see cref="UrgentWork.Crowded"/>).</summary>
    public bool Crowded => urgent.Crowded;

    public async Task<Turn> EnterAsync(CancellationToken ct)
    {
        var mark = urgent.Enter();
        try
        {
            await _slots.WaitAsync(ct);
        }
        catch
        {
            mark.Dispose();
            throw;
        }
        return new Turn(_slots, mark);
    }

    public readonly struct Turn(SemaphoreSlim slots, UrgentWork.Mark mark) : IDisposable
    {
        public void Dispose()
        {
            slots.Release();
            mark.Dispose();
        }
    }
}
