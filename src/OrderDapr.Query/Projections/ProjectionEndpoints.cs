using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderDapr.Contracts;

namespace OrderDapr.Query.Projections;

public static class ProjectionEndpoints
{
    public const string DeadLetterTopic = "orders-deadletter";
    public const string ProjectRoute = "/events/orders";
    public const string UnknownTypeRoute = "/events/orders/unknown-type";

    // Bulk subscribe (daprd's default bulk subscriber for Redis Streams): up to MaxMessagesCount
    // events per call, sent MaxAwaitDurationMs after the first one arrived, one batch at a time.
    // A batch of hundreds costs one HTTP call and one read-model transaction instead of hundreds;
    // the short wait keeps an idle system's lag in milliseconds (daprd's default is 1 s). A batch
    // cannot hold more events than the component's `concurrency` (each of its workers blocks on
    // its message until the batch is handled), so components/pubsub.yaml sets that higher.
    public static readonly BulkSubscribeTopicOptions Batching = new()
    {
        TopicName = Messaging.OrdersTopic,
        MaxMessagesCount = 250,
        MaxAwaitDurationMs = 5,
    };

    // One routing rule per known CloudEvent type (CEL on `event.type`) to the projection; the
    // default route takes every other type and drops it into the dead-letter topic. Dapr's
    // subscription takes deadLetterTopic and bulkSubscribe from whichever entry sorts first, so
    // all carry them.
    public static IEndpointRouteBuilder MapOrderEventSubscription(this IEndpointRouteBuilder app)
    {
        var project = app.MapPost(ProjectRoute, ProjectAsync).WithBulkSubscribe(Batching);
        var priority = 0;
        // Retired names (e.g. OrderCreated.v1) are routed too: the contracts upcast them.
        foreach (var type in EventSerializer.KnownTypeNames)
        {
            project.WithTopic(Topic(match: $"event.type == \"{type}\"", priority++));
        }

        app.MapPost(UnknownTypeRoute, DropUnknownTypeAsync).WithTopic(Topic(match: null, priority)).WithBulkSubscribe(Batching);
        return app;
    }

    public static async Task<Results<Ok<BulkSubscribeAppResponse>, ProblemHttpResult>> ProjectAsync(
        HttpRequest request, OrderProjector projector, ILogger<OrderProjector> logger, CancellationToken cancellationToken)
    {
        if (await ReadBatchAsync(request, cancellationToken) is not { } batch)
        {
            return TypedResults.Problem("The body is not a Dapr bulk delivery.", statusCode: StatusCodes.Status400BadRequest);
        }

        var statuses = new BulkSubscribeAppResponseEntry?[batch.Entries.Count];
        var envelopes = new List<EventEnvelope>();
        var positions = new List<int>();
        for (var i = 0; i < batch.Entries.Count; i++)
        {
            var entry = batch.Entries[i];
            if (ReadEnvelope(entry.Event) is { } envelope)
            {
                envelopes.Add(envelope);
                positions.Add(i);
            }
            else
            {
                logger.LogError("Dropping bulk entry {EntryId}: its CloudEvent carries no event envelope", entry.EntryId);
                statuses[i] = new BulkSubscribeAppResponseEntry(entry.EntryId, BulkSubscribeAppResponseStatus.DROP);
            }
        }

        var projected = await projector.ProjectAsync(envelopes, cancellationToken);
        for (var j = 0; j < positions.Count; j++)
        {
            var status = projected.Outcomes[j] switch
            {
                ProjectionOutcome.Poison => BulkSubscribeAppResponseStatus.DROP,
                ProjectionOutcome.PendingFull or ProjectionOutcome.NotCommitted => BulkSubscribeAppResponseStatus.RETRY,
                _ => BulkSubscribeAppResponseStatus.SUCCESS,
            };
            if (projected.Outcomes[j] == ProjectionOutcome.PendingFull)
            {
                logger.LogWarning("Order {OrderId} has too many events waiting for an earlier one; {EventType} v{Version} will be redelivered",
                    envelopes[j].OrderId, envelopes[j].Type, envelopes[j].Version);
            }

            statuses[positions[j]] = new BulkSubscribeAppResponseEntry(batch.Entries[positions[j]].EntryId, status);
        }

        return TypedResults.Ok(new BulkSubscribeAppResponse([.. statuses.Select(s => s!)]));
    }

    public static async Task<Results<Ok<BulkSubscribeAppResponse>, ProblemHttpResult>> DropUnknownTypeAsync(
        HttpRequest request, ILogger<OrderProjector> logger, CancellationToken cancellationToken)
    {
        if (await ReadBatchAsync(request, cancellationToken) is not { } batch)
        {
            return TypedResults.Problem("The body is not a Dapr bulk delivery.", statusCode: StatusCodes.Status400BadRequest);
        }

        foreach (var entry in batch.Entries)
        {
            logger.LogWarning("Dropping CloudEvent {EntryId} of unknown type {CloudEventType} to {DeadLetterTopic}",
                entry.EntryId, TypeOf(entry.Event), DeadLetterTopic);
        }

        return TypedResults.Ok(new BulkSubscribeAppResponse(
            [.. batch.Entries.Select(e => new BulkSubscribeAppResponseEntry(e.EntryId, BulkSubscribeAppResponseStatus.DROP))]));
    }

    private static async Task<BulkSubscribeMessage<JsonElement>?> ReadBatchAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var batch = await JsonSerializer.DeserializeAsync<BulkSubscribeMessage<JsonElement>>(request.Body, EventSerializer.Options, cancellationToken);
            return batch?.Entries is { } entries && entries.All(e => e is { EntryId.Length: > 0 }) ? batch : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The CloudEvent's `data`: the envelope order-command published (null when it is not one).
    private static EventEnvelope? ReadEnvelope(JsonElement cloudEvent)
    {
        if (cloudEvent.ValueKind != JsonValueKind.Object || !cloudEvent.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return data.Deserialize<EventEnvelope>(EventSerializer.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? TypeOf(JsonElement cloudEvent) =>
        cloudEvent.ValueKind == JsonValueKind.Object && cloudEvent.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()
            : null;

    private static TopicOptions Topic(string? match, int priority) => new()
    {
        PubsubName = Messaging.PubSub,
        Name = Messaging.OrdersTopic,
        DeadLetterTopic = DeadLetterTopic,
        Match = match!,
        Priority = priority,
    };
}
