using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using HdrHistogram;

namespace OrderDapr.Bench;

// Push latency of GraphQL subscriptions: from the moment a command was answered until a client
// subscribed to orderChanged over graphql-transport-ws receives the new version. It includes the
// whole projection (delivery, projection, commit, change feed), so it bounds how long after its
// projection a change reaches a subscriber. One WebSocket, one order at a time: subscribe, take
// the first message (the order as it is: the subscription is live), pay, wait for version 2.
public sealed class SubscriptionProbe(SystemClient client, Endpoints endpoints) : IAsyncDisposable
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _operation;

    public LongHistogram Push { get; } = new(TimeSpan.FromMinutes(1).Ticks / 10, 3);

    public int Lost { get; private set; }

    public long Count => Push.TotalCount;

    public double PercentileMs(double percentile) => Count == 0 ? 0 : Push.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxMs => Count == 0 ? 0 : Push.GetMaxValue() / 1000.0;

    public async Task ConnectAsync(CancellationToken ct)
    {
        _socket.Options.AddSubProtocol("graphql-transport-ws");
        var url = new UriBuilder(new Uri(endpoints.Query, "/graphql")) { Scheme = endpoints.Query.Scheme == "https" ? "wss" : "ws" }.Uri;
        await _socket.ConnectAsync(url, ct);
        await SendAsync("""{"type":"connection_init"}""", ct);
        await ReceiveAsync(m => m.GetProperty("type").GetString() == "connection_ack", ct);
    }

    public async Task MeasureAsync(Placed placed, Stopwatch clock, CancellationToken ct)
    {
        var id = (++_operation).ToString(CultureInfo.InvariantCulture);
        var subscribe = JsonSerializer.Serialize(new
        {
            id,
            type = "subscribe",
            payload = new { query = "subscription($id: ID!) { orderChanged(id: $id) { version status } }", variables = new { id = placed.OrderId } },
        });
        await SendAsync(subscribe, ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(GiveUpAfter);
        try
        {
            await ReceiveAsync(m => IsVersion(m, id, placed.Version), timeout.Token);
            var amount = placed.Total.ToString(CultureInfo.InvariantCulture);
            var paid = await client.CommandAsync(placed.OrderId, "pay", $$"""{"amount":{{amount}},"paymentId":"push-{{id}}"}""", ct);
            var answeredAt = clock.Elapsed;
            if (paid is { } version)
            {
                await ReceiveAsync(m => IsVersion(m, id, version), timeout.Token);
                Push.RecordValue((clock.Elapsed - answeredAt).Ticks / 10);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Lost++;
        }

        await SendAsync($$"""{"id":"{{id}}","type":"complete"}""", ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }

        _socket.Dispose();
    }

    private static bool IsVersion(JsonElement message, string id, int version) =>
        message.GetProperty("type").GetString() == "next" && message.GetProperty("id").GetString() == id
        && message.GetProperty("payload").GetProperty("data").GetProperty("orderChanged").GetProperty("version").GetInt32() >= version;

    private Task SendAsync(string message, CancellationToken ct) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, ct);

    // Reads messages until one matches; answers the server's keep-alive pings on the way.
    private async Task ReceiveAsync(Func<JsonElement, bool> wanted, CancellationToken ct)
    {
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(_buffer.AsMemory(length), ct);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"order-query closed the subscription socket: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
            }

            var message = JsonDocument.Parse(_buffer.AsMemory(0, length)).RootElement;
            var type = message.GetProperty("type").GetString();
            if (type == "ping")
            {
                await SendAsync("""{"type":"pong"}""", ct);
            }
            else if (type is "error")
            {
                throw new InvalidOperationException($"The subscription failed: {message}");
            }
            else if (wanted(message))
            {
                return;
            }
        }
    }
}
