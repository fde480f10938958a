using System.Net;
using System.Net.Sockets;

namespace OrderDapr.Testing;

// A loopback port for a process the tests (or the chaos run) start. Compiled into each project that
// needs it (tests/Shared).
public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): the ports the system hands out for port 0 and
    // for outgoing connections — which parallel test runs use by the thousand — never come from
    // here, so a port found free stays free until the process it is meant for binds it.
    private const int First = 20000;
    private const int Last = 32767;

    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                var port = Random.Shared.Next(First, Last + 1);
                if (!Given.Add(port))
                {
                    continue;
                }

                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException)
                {
                    // In use: another one.
                }
            }
        }
    }
}
