using Fukkyu.Server.StatusPage;

namespace Fukkyu.Edge;

/// <summary>
/// <c>fukkyu-edge</c>: serves the public status page from the snapshot a Fukkyu server saves
/// (<c>Fukkyu:StatusPage:SnapshotDirectory</c>), and nothing else (docs/decisions/052-status-edge.md).
/// </summary>
public static class EdgeProgram
{
    public static void Main(string[] args) => StatusEdge.Build(args).Run();
}
