using System.Net;
using System.Net.Sockets;

namespace Clarity.Gateway.Tests.Infrastructure;

/// <summary>
/// Free loopback ports for the servers a test process starts. Shared by the gateway, browser and
/// cluster tests (linked into the last two).
/// </summary>
public static class LoopbackPorts
{
    // Ports this test process already handed out. The OS can pick the same free port twice in a
    // row once the first listener closed, and a silo given the same silo and gateway port refuses
    // to start, so a port is never handed out twice.
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>A TCP port free right now on the loopback interface (the OS picks it), never one handed out before.</summary>
    public static int Next()
    {
        lock (HandedOut)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
