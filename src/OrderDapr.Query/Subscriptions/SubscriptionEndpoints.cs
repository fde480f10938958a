using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderDapr.Contracts;
using OrderDapr.Query.Access;
using OrderDapr.Query.DeadLetters;
using OrderDapr.Query.Http;
using OrderDapr.Query.Projections;
using OrderDapr.Query.Telemetry;

namespace OrderDapr.Query.Subscriptions;

// The routes the Dapr sidecar calls: the subscription list, the deliveries of topic `orders`, and
// those of its dead-letter topic. Only the sidecar may call them (AccessPolicies.Sidecar).
public static class SubscriptionEndpoints
{
    public const string DeadLetterTopic = "orders-deadletter";
    public const string ProjectRoute = "/events/orders";
    public const string UnknownTypeRoute = "/events/orders/unknown-type";
    public const string DeadLetterRoute = "/events/orders-deadletter";
    private const string Retry = "retry";

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
    // all carry them. The dead-letter topic is delivered one event at a time: it is rare.
    public static IEndpointRouteBuilder MapSubscriptions(this IEndpointRouteBuilder app)
    {
        var sidecar = app.MapGroup("").RequireAuthorization(AccessPolicies.Sidecar);
        sidecar.MapSubscribeHandler();

        var project = sidecar.MapPost(ProjectRoute, ProjectAsync).WithBulkSubscribe(Batching);
        var priority = 0;
        // Retired names (e.g. OrderCreated.v1) are routed too: the contracts upcast them.
        foreach (var type in EventSerializer.KnownTypeNames)
        {
            project.WithTopic(OrdersTopic(match: $"event.type == \"{type}\"", priority++));
        }

        sidecar.MapPost(UnknownTypeRoute, DropUnknownTypeAsync).WithTopic(OrdersTopic(match: null, priority)).WithBulkSubscribe(Batching);
        sidecar.MapPost(DeadLetterRoute, ParkDeadLetterAsync).WithTopic(Messaging.PubSub, DeadLetterTopic);
        return app;
    }

    public static async Task<Results<Ok<BulkSubscribeAppResponse>, ProblemHttpResult>> ProjectAsync(
        HttpRequest request, OrderProjector projector, DeadLetterStore deadLetters, TimeProvider time, ILogger<OrderProjector> logger, CancellationToken cancellationToken)
    {
        if (await ReadBatchAsync(request, cancellationToken) is not { } batch)
        {
            return NotABulkDelivery();
        }

        var statuses = new BulkSubscribeAppResponseStatus[batch.Entries.Count];
        var cloudEvents = batch.Entries.Select(e => OrderCloudEvent.Read(e.Event)).ToList();
        using var spans = ProjectionSpans.Start(cloudEvents);
        var outcomes = new string?[batch.Entries.Count];
        var poison = new List<(int Entry, DeadLetter Letter)>();
        var envelopes = new List<EventEnvelope>();
        var positions = new List<int>();
        for (var i = 0; i < cloudEvents.Count; i++)
        {
            if (cloudEvents[i].Envelope is { } envelope)
            {
                envelopes.Add(envelope);
                positions.Add(i);
            }
            else
            {
                poison.Add((i, DeadLetter.Of(cloudEvents[i], cloudEvents[i].Unreadable!, time.GetUtcNow())));
            }
        }

        var projected = await projector.ProjectAsync(envelopes, cancellationToken);
        var committedAt = time.GetUtcNow();
        for (var j = 0; j < positions.Count; j++)
        {
            var i = positions[j];
            switch (projected.Outcomes[j])
            {
                case ProjectionOutcome.Poison:
                    poison.Add((i, DeadLetter.Of(cloudEvents[i], projected.PoisonReasons[j]!, time.GetUtcNow())));
                    break;
                case ProjectionOutcome.PendingFull:
                    logger.LogWarning("Order {OrderId} has too many events waiting for an earlier one; {EventType} v{Version} will be redelivered",
                        envelopes[j].OrderId, envelopes[j].Type, envelopes[j].Version);
                    statuses[i] = BulkSubscribeAppResponseStatus.RETRY;
                    outcomes[i] = Retry;
                    break;
                case ProjectionOutcome.NotCommitted:
                    statuses[i] = BulkSubscribeAppResponseStatus.RETRY;
                    outcomes[i] = Retry;
                    break;
                case var done:
                    statuses[i] = BulkSubscribeAppResponseStatus.SUCCESS;
                    outcomes[i] = done.ToString().ToLowerInvariant();
                    if (done is ProjectionOutcome.Applied or ProjectionOutcome.Buffered)
                    {
                        QueryTelemetry.Committed(envelopes[j].OccurredAt, committedAt);
                    }

                    break;
            }
        }

        await DropAsync(poison, statuses, deadLetters, "unprojectable", logger, cancellationToken);
        EndSpans(spans, outcomes, statuses);
        return Answer(batch, statuses);
    }

    public static async Task<Results<Ok<BulkSubscribeAppResponse>, ProblemHttpResult>> DropUnknownTypeAsync(
        HttpRequest request, DeadLetterStore deadLetters, TimeProvider time, ILogger<OrderProjector> logger, CancellationToken cancellationToken)
    {
        if (await ReadBatchAsync(request, cancellationToken) is not { } batch)
        {
            return NotABulkDelivery();
        }

        var cloudEvents = batch.Entries.Select(e => OrderCloudEvent.Read(e.Event)).ToList();
        using var spans = ProjectionSpans.Start(cloudEvents);
        var poison = cloudEvents
            .Select((cloudEvent, i) => (i, DeadLetter.Of(cloudEvent, $"No projection reads events of type '{cloudEvent.Type}'.", time.GetUtcNow())))
            .ToList();

        var statuses = new BulkSubscribeAppResponseStatus[batch.Entries.Count];
        await DropAsync(poison, statuses, deadLetters, "unknown-type", logger, cancellationToken);
        EndSpans(spans, new string?[batch.Entries.Count], statuses);
        return Answer(batch, statuses);
    }

    // An event on the dead-letter topic: one we dropped is parked already, with its reason, and
    // stays as it is; any other was dead-lettered by Dapr once its delivery retries ran out.
    public static async Task<Results<Ok, ProblemHttpResult>> ParkDeadLetterAsync(
        HttpRequest request, DeadLetterStore deadLetters, TimeProvider time, ILogger<DeadLetterStore> logger, CancellationToken cancellationToken)
    {
        JsonElement cloudEvent;
        try
        {
            cloudEvent = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, EventSerializer.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return Problems.Invalid("not-a-cloudevent", "The body is not a JSON CloudEvent.");
        }

        try
        {
            await deadLetters.ParkAsync([DeadLetter.Of(OrderCloudEvent.Read(cloudEvent), DeadLetter.DeliveryFailed, time.GetUtcNow())], cancellationToken);
            QueryTelemetry.DeadLetters.Add(1, new KeyValuePair<string, object?>("reason", "delivery-failed"));
            return TypedResults.Ok();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Any answer but 2xx and 404 makes the sidecar deliver it again.
            logger.LogWarning(ex, "Parking a dead letter failed; the sidecar will deliver it again");
            return Problems.StoreUnavailable("The dead letter could not be stored; deliver it again.");
        }
    }

    // Parks the poison entries before answering DROP: their reason is known only here. If they
    // cannot be parked, the sidecar delivers them again instead.
    private static async Task DropAsync(
        List<(int Entry, DeadLetter Letter)> poison, BulkSubscribeAppResponseStatus[] statuses, DeadLetterStore deadLetters, string reason, ILogger logger,
        CancellationToken cancellationToken)
    {
        if (poison.Count == 0)
        {
            return;
        }

        var status = BulkSubscribeAppResponseStatus.DROP;
        try
        {
            await deadLetters.ParkAsync([.. poison.OrderBy(p => p.Entry).Select(p => p.Letter)], cancellationToken);
            QueryTelemetry.DeadLetters.Add(poison.Count, new KeyValuePair<string, object?>("reason", reason));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Parking {Count} events that cannot be projected failed; they will be redelivered", poison.Count);
            status = BulkSubscribeAppResponseStatus.RETRY;
        }

        foreach (var (entry, _) in poison)
        {
            statuses[entry] = status;
        }
    }

    // An entry the projection decided on keeps that outcome; a poison one was dead-lettered
    // (DROP) unless parking it failed (RETRY).
    private static void EndSpans(ProjectionSpans spans, string?[] outcomes, BulkSubscribeAppResponseStatus[] statuses)
    {
        for (var i = 0; i < outcomes.Length; i++)
        {
            spans.End(i, outcomes[i] ?? (statuses[i] == BulkSubscribeAppResponseStatus.DROP ? "dead-lettered" : Retry));
        }
    }

    private static Ok<BulkSubscribeAppResponse> Answer(BulkSubscribeMessage<JsonElement> batch, BulkSubscribeAppResponseStatus[] statuses) =>
        TypedResults.Ok(new BulkSubscribeAppResponse([.. batch.Entries.Select((e, i) => new BulkSubscribeAppResponseEntry(e.EntryId, statuses[i]))]));

    private static ProblemHttpResult NotABulkDelivery() => Problems.Invalid("not-a-bulk-delivery", "The body is not a Dapr bulk delivery.");

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

    private static TopicOptions OrdersTopic(string? match, int priority) => new()
    {
        PubsubName = Messaging.PubSub,
        Name = Messaging.OrdersTopic,
        DeadLetterTopic = DeadLetterTopic,
        Match = match!,
        Priority = priority,
    };
}
