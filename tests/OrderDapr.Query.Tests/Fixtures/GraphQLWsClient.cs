using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace OrderDapr.Query.Tests.Fixtures;

// One frame from the server: a message, or the close frame.
public sealed record WsFrame(JsonElement? Message, int? CloseCode, string? CloseReason)
{
    public string? Type => Message?.GetProperty("type").GetString();

    public override string ToString() => Message?.GetRawText() ?? $"close {CloseCode}: {CloseReason}";
}

// A graphql-transport-ws client over a real WebSocket, as browsers' graphql-ws speaks it, with
// bounded waits so that a broken server fails a test instead of hanging it.
public sealed class GraphQLWsClient : IAsyncDisposable
{
    public const string Subprotocol = "graphql-transport-ws";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private GraphQLWsClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    // `receiveBuffer` shrinks the client's TCP receive buffer: a client that stops reading then
    // holds the server's writes back after a few kilobytes.
    public static async Task<GraphQLWsClient> ConnectAsync(QueryHost host, string? subprotocol = Subprotocol, string? origin = null, int? receiveBuffer = null)
    {
        var socket = new ClientWebSocket();
        if (subprotocol is not null)
        {
            socket.Options.AddSubProtocol(subprotocol);
        }

        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        socket.Options.CollectHttpResponseDetails = true;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                if (receiveBuffer is { } bytes)
                {
                    tcp.ReceiveBufferSize = bytes;
                }

                await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(tcp, ownsSocket: true);
            },
        };
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bounded.CancelAfter(Bound);
        await socket.ConnectAsync(host.WebSocketAddress, invoker, bounded.Token);
        return new GraphQLWsClient(socket);
    }

    // The status of a refused handshake.
    public static async Task<HttpStatusCode> RefusedAsync(QueryHost host, string? origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(Subprotocol);
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(host.WebSocketAddress, TestContext.Current.CancellationToken));
        return socket.HttpStatusCode;
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message, Json));

    public async Task SendTextAsync(string text)
    {
        using var bounded = Bounded();
        await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, bounded.Token);
    }

    public async Task<WsFrame> ReceiveAsync()
    {
        using var bounded = Bounded();
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, bounded.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (Socket.State == WebSocketState.CloseReceived)
                {
                    await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", bounded.Token);
                }

                return new WsFrame(null, (int?)result.CloseStatus, result.CloseStatusDescription);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return new WsFrame(JsonDocument.Parse(message.ToArray()).RootElement.Clone(), null, null);
            }
        }
    }

    public async Task<JsonElement> ExpectAsync(string type)
    {
        var frame = await ReceiveAsync();
        Assert.True(frame.Type == type, $"Expected a {type} message, got {frame}");
        return frame.Message!.Value;
    }

    public async Task<(int? Code, string? Reason)> ExpectCloseAsync()
    {
        var frame = await ReceiveAsync();
        Assert.True(frame.CloseCode is not null, $"Expected the socket to be closed, got {frame}");
        return (frame.CloseCode, frame.CloseReason);
    }

    // connection_init (with `payload` when given) answered by connection_ack.
    public async Task InitAsync(object? payload = null)
    {
        await SendAsync(payload is null ? new { type = "connection_init" } : new { type = "connection_init", payload });
        await ExpectAsync("connection_ack");
    }

    public Task SubscribeAsync(string id, string query, object? variables = null) =>
        SendAsync(new { id, type = "subscribe", payload = new { query, variables } });

    // A ping answered by a pong: every message the server queued before reading the ping came first.
    public async Task<IReadOnlyList<WsFrame>> RoundTripAsync()
    {
        await SendAsync(new { type = "ping" });
        var before = new List<WsFrame>();
        while (true)
        {
            var frame = await ReceiveAsync();
            if (frame.Type == "pong")
            {
                return before;
            }

            Assert.True(frame.CloseCode is null, $"Closed while waiting for a pong: {frame}");
            before.Add(frame);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var bounded = Bounded();
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", bounded.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server went first.
            }
        }

        Socket.Dispose();
    }

    private static CancellationTokenSource Bounded()
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bounded.CancelAfter(Bound);
        return bounded;
    }
}
