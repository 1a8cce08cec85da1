namespace Fukkyu.Server.Infrastructure;

/// <summary>
/// In-process "something changed" signal (after commit) for caches and long-polls on this node:
/// topics such as <c>components</c> and <c>incidents</c>. Correctness never depends on it; other
/// nodes catch up by their own refresh.
/// </summary>
public sealed class ChangeSignal
{
    public const string Components = "components";
    public const string Incidents = "incidents";

    private long _version;

    public event Action<string>? Changed;

    public long Version => Interlocked.Read(ref _version);

    public void Raise(string topic)
    {
        Interlocked.Increment(ref _version);
        Changed?.Invoke(topic);
    }
}
