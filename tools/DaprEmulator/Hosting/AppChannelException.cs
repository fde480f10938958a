using System.Net.Sockets;

namespace DaprEmulator.Hosting;

// The app channel of a sidecar could not deliver a call: no channel yet, or the app refused it.
internal sealed class AppChannelException(string localMessage, string remoteMessage, Exception? inner = null) : Exception(localMessage, inner)
{
    // What invokeLocal returns.
    public string LocalMessage { get; } = localMessage;

    // What the target's CallLocal puts in its gRPC status (messages.ErrChannelInvoke, ErrChannelNotFound).
    public string RemoteMessage { get; } = remoteMessage;

    public static AppChannelException NotInitialized() =>
        new("cannot invoke local endpoint: app channel not initialized", "app channel is not initialized");

    // A Go net/http client error: `Post "http://127.0.0.1:5001/m": dial tcp 127.0.0.1:5001: connect: connection refused`.
    public static AppChannelException From(HttpRequestMessage request, Uri url, HttpRequestException e)
    {
        var verb = request.Method.Method;
        var cause = e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
            ? $"dial tcp {url.Host}:{url.Port}: connect: connection refused"
            : e.Message;
        var error = $"{verb[0]}{verb[1..].ToLowerInvariant()} \"{url}\": {cause}";
        return new AppChannelException(error, $"error invoking app channel: {error}", e);
    }
}
