using System.Net.Sockets;

namespace DaprEmulator.Faults;

// In front of an app channel (a sidecar's, or the actor runtime's): a drawn call fails before it
// leaves, with the exception a refused connection gives. The start-up reads of the app's
// configuration (GET /dapr/subscribe, GET /dapr/config) are spared: a chaos run wants its apps up.
internal sealed class AppChannelFaults(FaultInjector faults, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsStartupRead(request) && faults.FailAppCall(request))
        {
            var target = request.RequestUri is { } uri ? $"{uri.Host}:{uri.Port}" : "app";
            throw new HttpRequestException(
                HttpRequestError.ConnectionError, $"Connection refused ({target})", new SocketException((int)SocketError.ConnectionRefused));
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static bool IsStartupRead(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get && request.RequestUri?.AbsolutePath is "/dapr/subscribe" or "/dapr/config";
}
