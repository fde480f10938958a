using System.Text.Json;
using OrderDapr.Query.Access;

namespace OrderDapr.Query.Changes;

// The change feed: the projection publishes what it committed (OrderChangePublisher), every
// replica's sidecar delivers it to the route below, which hands it to the replica's hub.
public static class ChangeFeedEndpoints
{
    public const string Route = "/events/order-changes";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddChangeFeed(this IServiceCollection services) => services
        .AddSingleton<IChangeFeedBroker, DaprChangeFeedBroker>()
        .AddSingleton<OrderChangePublisher>()
        .AddHostedService(sp => sp.GetRequiredService<OrderChangePublisher>())
        .AddSingleton<OrderChangeHub>();

    // Only the sidecar may deliver (AccessPolicies.Sidecar). One message at a time, not in bulk:
    // each message is a whole projected batch already.
    public static IEndpointRouteBuilder MapChangeFeed(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, ReceiveAsync)
            .RequireAuthorization(AccessPolicies.Sidecar)
            .WithTopic(DaprChangeFeedBroker.PubSub, DaprChangeFeedBroker.Topic);
        return app;
    }

    public static async Task<IResult> ReceiveAsync(HttpRequest request, OrderChangeHub hub, ILogger<OrderChangeHub> logger, CancellationToken cancellationToken)
    {
        OrderChanges? changes;
        try
        {
            var cloudEvent = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, Json, cancellationToken);
            changes = cloudEvent.ValueKind == JsonValueKind.Object && cloudEvent.TryGetProperty("data", out var data)
                ? data.Deserialize<OrderChanges>(Json)
                : null;
        }
        catch (JsonException)
        {
            changes = null;
        }

        if (changes?.Generations is not { } generations || generations.Any(g => g?.Orders is null || !g.Orders.All(o => o is { Id: not null, CustomerId: not null, IsCreated: true })))
        {
            // No delivery can make it readable: DROP (Dapr's answer for "do not redeliver").
            logger.LogWarning("A message of topic {Topic} is not a batch of order changes; dropped", DaprChangeFeedBroker.Topic);
            return TypedResults.Ok(new { status = "DROP" });
        }

        await hub.ReceiveAsync(changes, cancellationToken);
        return TypedResults.Ok();
    }
}
