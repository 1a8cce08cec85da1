namespace Fukkyu.Server.Infrastructure;

/// <summary>
/// Counts work on this node that leads to a page — declarations, waiting for their turn or being
/// worked on. Background work that can wait a few seconds (reminders, maintenance transitions, the
/// status page's rebuild) holds back while it is <see cref="Busy"/>, so that in a burst of
/// declarations the processors go to the first pages (docs/decisions/048-pages-first.md).
/// </summary>
public sealed class UrgentWork
{
    private int _count;

    public bool Busy => Volatile.Read(ref _count) > 0;

    /// <summary>
    /// More than one declaration is waiting or being worked on: the caller's is not alone, and what
    /// a declaration can leave to a job (checklists, the regulatory track) is better left to one.
    /// </summary>
    public bool Crowded => Volatile.Read(ref _count) > 1;

    /// <summary>Marks urgent work until the returned mark is disposed.</summary>
    public Mark Enter()
    {
        Interlocked.Increment(ref _count);
        return new Mark(this);
    }

    public sealed class Mark(UrgentWork owner) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref owner._count);
            }
        }
    }
}
