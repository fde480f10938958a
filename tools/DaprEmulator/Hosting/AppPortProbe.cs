using System.Net;
using System.Net.Sockets;

namespace DaprEmulator.Hosting;

// daprd waits for the app port to accept TCP connections before it reads subscriptions and
// registers actors (runtime.go blockUntilAppIsReady).
internal static class AppPortProbe
{
    public static async Task<bool> IsOpenAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public static async Task WaitAsync(int port, CancellationToken ct)
    {
        while (!await IsOpenAsync(port, ct))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }
}
