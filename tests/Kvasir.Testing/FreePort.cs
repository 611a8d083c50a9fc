using System.Net;
using System.Net.Sockets;

namespace Kvasir.Testing;

/// <summary>Free TCP ports on loopback, handed out once each within a test run.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    /// <summary>A port the kernel considers free on 127.0.0.1, not handed out before in this process.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Gate)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("no free loopback port after 100 attempts");
    }
}
