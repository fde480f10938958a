using System.Buffers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GraphQL;
using GraphQL.Transport;

namespace OrderDapr.Query.GraphQL.Subscriptions;

// One accepted WebSocket speaking graphql-transport-ws (enisdenjo/graphql-ws PROTOCOL.md), as the
// graphql-ws client and Apollo and urql over it speak it: `connection_init` within the wait
// timeout (else 4408), once (else 4429), with the token when one is configured (else 4403), then
// `connection_ack`; `ping` answered with `pong` at any time, and a `ping` of the server every
// KeepAlive once acknowledged; `subscribe` only after the ack (else 4401), with an id no running
// operation has (else 4409), answered with `next`s then `complete`, or `error` when the request
// is invalid; `complete` of the client stops its operation; any other message closes 4400.
public sealed class GraphQLWsConnection(WebSocket socket, IServiceProvider services, SubscriptionOptions options, TimeProvider time, ILogger logger)
{
    public const int MaxMessageBytes = 64 * 1024;

    // After the server's close frame, how long the client has to answer with its own.
    private static readonly TimeSpan CloseHandshake = TimeSpan.FromSeconds(5);

    private readonly SocketWriter writer = new(socket);
    private readonly IGraphQLTextSerializer serializer = services.GetRequiredService<IGraphQLTextSerializer>();
    private readonly CancellationTokenSource lifetime = new();

    // Cancelled CloseHandshake after the server's close frame, on the connection's clock (as its
    // other waits): a client that reads nothing any more is let go then, the socket aborted.
    private readonly CancellationTokenSource receiving = new(Timeout.InfiniteTimeSpan, time);
    private readonly Lock gate = new();
    private readonly Dictionary<string, Operation> operations = new(StringComparer.Ordinal);
    private bool initialised;
    private bool acknowledged;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var abort = aborted.Register(lifetime.Cancel);
        var writing = writer.RunAsync(lifetime.Token);
        var initialisation = CloseUnlessInitialisedAsync();
        try
        {
            await ReceiveAsync();
        }
        finally
        {
            Close(CloseCodes.NormalClosure, "");
            await writing;
            await lifetime.CancelAsync();
            await initialisation;
            Operation[] ended;
            lock (gate)
            {
                ended = [.. operations.Values];
                operations.Clear();
            }

            foreach (var operation in ended)
            {
                operation.Dispose();
            }

            lifetime.Dispose();
            receiving.Dispose();
        }
    }

    private async Task ReceiveAsync()
    {
        using var receive = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token, receiving.Token);
        var buffer = new byte[4096];
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), receive.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
                return; // the client went away, or did not answer our close
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            if (writer.Closing is not null)
            {
                continue; // closing: only the client's close frame matters now
            }

            if (message.WrittenCount + result.Count > MaxMessageBytes)
            {
                Close(CloseCodes.MessageTooBig, $"Messages are limited to {MaxMessageBytes} bytes");
                continue;
            }

            message.Write(buffer.AsSpan(0, result.Count));
            if (!result.EndOfMessage)
            {
                continue;
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                Close(CloseCodes.BadRequest, "Messages are JSON text, not binary");
            }
            else
            {
                Handle(message.WrittenMemory);
            }

            message.ResetWrittenCount();
        }
    }

    private void Handle(ReadOnlyMemory<byte> text)
    {
        var (message, invalid) = ClientMessage.Parse(text);
        if (message is null)
        {
            Close(CloseCodes.BadRequest, invalid!);
            return;
        }

        switch (message.Type)
        {
            case ClientMessage.ConnectionInit:
                Initialise(message.Payload);
                break;
            case ClientMessage.Ping:
                // The payload, if any, travels back (as graphql-ws servers do).
                Send(new OperationMessage { Type = "pong", Payload = message.Payload });
                break;
            case ClientMessage.Pong:
                break;
            case ClientMessage.Subscribe:
                Subscribe(message.Id!, message.Payload!.Value);
                break;
            case ClientMessage.Complete:
                Operation? completed;
                lock (gate)
                {
                    operations.Remove(message.Id!, out completed);
                }

                completed?.Dispose(); // no `complete` back: the client asked for it
                break;
        }
    }

    private void Initialise(JsonElement? payload)
    {
        lock (gate)
        {
            if (initialised)
            {
                Close(CloseCodes.TooManyInitialisationRequests, "Too many initialisation requests");
                return;
            }

            initialised = true;
            if (!Authorised(payload))
            {
                Close(CloseCodes.Forbidden, "Forbidden");
                return;
            }

            acknowledged = true;
        }

        Send(new OperationMessage { Type = "connection_ack" });
        _ = KeepAliveAsync();
    }

    // Without a configured token every client is welcome; with one, the payload must carry it.
    private bool Authorised(JsonElement? payload)
    {
        if (string.IsNullOrEmpty(options.Token))
        {
            return true;
        }

        return payload is { } p && p.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String
            && CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(token.GetString()!)),
                SHA256.HashData(Encoding.UTF8.GetBytes(options.Token)));
    }

    private void Subscribe(string id, JsonElement payload)
    {
        GraphQLRequest? request;
        try
        {
            request = serializer.Deserialize<GraphQLRequest>(payload.GetRawText());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            request = null;
        }

        Operation? operation = null;
        var refused = false;
        lock (gate)
        {
            if (!acknowledged)
            {
                Close(CloseCodes.Unauthorized, "Unauthorized");
                return;
            }

            if (request is null)
            {
                Close(CloseCodes.BadRequest, "\"subscribe\" message payload is not a GraphQL request");
                return;
            }

            if (operations.ContainsKey(id))
            {
                Close(CloseCodes.SubscriberAlreadyExists, $"Subscriber for {id} already exists");
                return;
            }

            if (operations.Count >= options.MaxSubscriptionsPerConnection)
            {
                refused = true;
            }
            else
            {
                operation = new Operation(id, lifetime.Token);
                operations[id] = operation;
            }
        }

        if (refused)
        {
            // The operation fails, the connection and its other operations go on.
            Send(new OperationMessage
            {
                Id = id,
                Type = "error",
                Payload = new[]
                {
                    new ExecutionError($"This connection runs {options.MaxSubscriptionsPerConnection} operations already; complete one first.")
                    {
                        Code = "TOO_MANY_SUBSCRIPTIONS",
                    },
                },
            });
            return;
        }

        _ = RunAsync(operation!, request!);
    }

    private async Task RunAsync(Operation operation, GraphQLRequest request)
    {
        try
        {
            var result = await GraphQLExecution.ExecuteAsync(services, request, operation.Cancellation);
            if (!result.Executed)
            {
                // Syntax, validation or variables: the request never ran.
                End(operation, new OperationMessage { Id = operation.Id, Type = "error", Payload = result.Errors });
            }
            else if (result.Streams?.Values.SingleOrDefault() is { } stream)
            {
                operation.Listen(stream, new StreamObserver(this, operation));
            }
            else
            {
                // A query or mutation, or a subscription whose source stream could not be made.
                Next(operation, result);
                End(operation, new OperationMessage { Id = operation.Id, Type = "complete" });
            }
        }
        catch (OperationCanceledException) when (operation.Cancellation.IsCancellationRequested)
        {
            // Completed by the client, or the connection ended.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "GraphQL operation {OperationId} failed", operation.Id);
            Close(CloseCodes.InternalServerError, "Internal server error");
        }
    }

    private void Next(Operation operation, ExecutionResult result)
    {
        if (!IsRunning(operation))
        {
            return;
        }

        if (operation.Enqueued() > options.MaxQueuedMessages)
        {
            logger.LogInformation("Subscriber {OperationId} fell {Count} results behind; closing its connection", operation.Id, options.MaxQueuedMessages);
            Close(CloseCodes.TryAgainLater, $"Subscriber {operation.Id} fell more than {options.MaxQueuedMessages} results behind");
            return;
        }

        writer.Send(Serialize(new OperationMessage { Id = operation.Id, Type = "next", Payload = result }), operation.Sent);
    }

    // The last message of an operation, unless the client completed it first.
    private void End(Operation operation, OperationMessage last)
    {
        bool running;
        lock (gate)
        {
            running = operations.TryGetValue(operation.Id, out var current) && current == operation && operations.Remove(operation.Id);
        }

        if (running)
        {
            Send(last);
            operation.Dispose();
        }
    }

    private bool IsRunning(Operation operation)
    {
        lock (gate)
        {
            return operations.TryGetValue(operation.Id, out var current) && current == operation;
        }
    }

    private async Task CloseUnlessInitialisedAsync()
    {
        try
        {
            await Task.Delay(options.ConnectionInitWaitTimeout, time, lifetime.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (gate)
        {
            if (initialised)
            {
                return;
            }
        }

        Close(CloseCodes.ConnectionInitialisationTimeout, "Connection initialisation timeout");
    }

    private async Task KeepAliveAsync()
    {
        var ending = lifetime.Token; // read while the connection runs: its source is disposed when it ends
        using var timer = new PeriodicTimer(options.KeepAlive, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ending))
            {
                Send(new OperationMessage { Type = "ping" });
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended.
        }
    }

    private void Send(OperationMessage message) => writer.Send(Serialize(message));

    private byte[] Serialize(OperationMessage message) => Encoding.UTF8.GetBytes(serializer.Serialize(message));

    private void Close(int code, string reason)
    {
        if (writer.Close(code, reason))
        {
            if (code != CloseCodes.NormalClosure)
            {
                logger.LogDebug("Closing a GraphQL WebSocket with {Code}: {Reason}", code, reason);
            }

            receiving.CancelAfter(CloseHandshake);
        }
    }

    // The source stream of a subscription, as GraphQL.NET executes each event into a result.
    private sealed class StreamObserver(GraphQLWsConnection connection, Operation operation) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => connection.Next(operation, value);

        public void OnError(Exception error) => connection.End(operation, new OperationMessage
        {
            Id = operation.Id,
            Type = "error",
            Payload = new[] { error as ExecutionError ?? new ExecutionError("The subscription's source stream failed.") },
        });

        public void OnCompleted() => connection.End(operation, new OperationMessage { Id = operation.Id, Type = "complete" });
    }
}
