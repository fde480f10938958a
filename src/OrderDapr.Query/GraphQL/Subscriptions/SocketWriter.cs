using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace OrderDapr.Query.GraphQL.Subscriptions;

// The one writer of a WebSocket (a socket takes one send at a time): messages in the order they
// were queued, then, once a close is asked for, the close frame instead of what is still queued.
public sealed class SocketWriter(WebSocket socket)
{
    // RFC 6455 §5.5: a control frame's payload is at most 125 bytes, 2 of them the status code.
    private const int MaxReasonBytes = 123;

    private readonly Channel<(byte[] Message, Action? Sent)> queue =
        Channel.CreateUnbounded<(byte[] Message, Action? Sent)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Lock gate = new();
    private (int Code, string Reason)? closing;

    public (int Code, string Reason)? Closing
    {
        get
        {
            lock (gate)
            {
                return closing;
            }
        }
    }

    // `sent` runs once the message is written.
    public void Send(byte[] message, Action? sent = null) => queue.Writer.TryWrite((message, sent));

    // The first close asked for wins; false when the socket was closing already.
    public bool Close(int code, string reason)
    {
        lock (gate)
        {
            if (closing is not null)
            {
                return false;
            }

            closing = (code, Truncate(reason));
        }

        queue.Writer.TryComplete();
        return true;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await queue.Reader.WaitToReadAsync(cancellationToken))
            {
                while (Closing is null && queue.Reader.TryRead(out var item))
                {
                    await socket.SendAsync(item.Message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                    item.Sent?.Invoke();
                }

                if (Closing is not null)
                {
                    break;
                }
            }

            if (Closing is { } close && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync((WebSocketCloseStatus)close.Code, close.Reason, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client went away or the connection ended: nothing more to write.
        }
    }

    private static string Truncate(string reason)
    {
        if (Encoding.UTF8.GetByteCount(reason) <= MaxReasonBytes)
        {
            return reason;
        }

        var length = reason.Length;
        while (Encoding.UTF8.GetByteCount(reason.AsSpan(0, length)) > MaxReasonBytes - 3)
        {
            length--;
        }

        return string.Concat(reason.AsSpan(0, length), "...");
    }
}
