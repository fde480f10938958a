using System.Net.WebSockets;
using Microsoft.Extensions.Options;

namespace OrderDapr.Query.GraphQL.Subscriptions;

// GraphQL over WebSocket at /graphql: subprotocol graphql-transport-ws only. A client asking for
// none or another one (the retired subscriptions-transport-ws is `graphql-ws`) is accepted and
// closed with 4406, as the graphql-ws server does, so that it learns why.
public static class GraphQLWebSocketEndpoint
{
    public const string Subprotocol = "graphql-transport-ws";

    public static IServiceCollection AddGraphQLWebSockets(this IServiceCollection services)
    {
        services.AddOptions<SubscriptionOptions>()
            .BindConfiguration(SubscriptionOptions.Section)
            .Validate(o => o.KeepAlive > TimeSpan.Zero && o.ConnectionInitWaitTimeout > TimeSpan.Zero
                           && o.MaxSubscriptionsPerConnection > 0 && o.MaxQueuedMessages > 0,
                $"{SubscriptionOptions.Section}: KeepAlive and ConnectionInitWaitTimeout must be positive, MaxSubscriptionsPerConnection and MaxQueuedMessages at least 1.")
            .ValidateOnStart();
        return services;
    }

    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GraphQLWebSocketEndpoint));
        var speaksProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains(Subprotocol, StringComparer.Ordinal);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(speaksProtocol ? Subprotocol : null);
        if (!speaksProtocol)
        {
            var writer = new SocketWriter(socket);
            writer.Close(CloseCodes.SubprotocolNotAcceptable, "Subprotocol not acceptable");
            await writer.RunAsync(context.RequestAborted);
            await DrainUntilClosedAsync(socket, context.RequestAborted);
            return;
        }

        var connection = new GraphQLWsConnection(
            socket, services, services.GetRequiredService<IOptions<SubscriptionOptions>>().Value, services.GetRequiredService<TimeProvider>(), logger);
        await connection.RunAsync(context.RequestAborted);
    }

    // Waits for the client's close frame, a few seconds at most.
    private static async Task DrainUntilClosedAsync(WebSocket socket, CancellationToken aborted)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        bounded.CancelAfter(TimeSpan.FromSeconds(5));
        var buffer = new byte[1024];
        try
        {
            while ((await socket.ReceiveAsync(buffer.AsMemory(), bounded.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // It went away without answering.
        }
    }
}
