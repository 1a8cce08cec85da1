using System.Net;
using System.Net.Sockets;

namespace Fukkyu.Tests.Detection;

/// <summary>
/// Hands out free loopback ports from the detection range (18150–18199) to servers the tests
/// start: the simulator, Fukkyu on Kestrel, Alertmanager.
/// </summary>
internal static class LoopbackPorts
{
    private const int First = 18150;
    private const int Last = 18199;
    private static int _next = First;

    public static int Next()
    {
        for (var tries = 0; tries <= Last - First; tries++)
        {
            var port = Interlocked.Increment(ref _next) - 1;
            if (port > Last)
            {
                Interlocked.Exchange(ref _next, First + 1);
                port = First;
            }
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port in {First}–{Last}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
