using System.Text.Json;
using Dapr;
using Dapr.Client;
using OrderDapr.Contracts;

namespace OrderDapr.Command.EventStore;

// Reads and appends order streams through the Dapr state API.
// An append is one ExecuteStateTransaction on the outbox-enabled `eventstore` component:
//   1. upsert `order-{id}` = the whole stream, guarded by the ETag read with it (or, for a new
//      stream, first-write without ETag = insert only), carrying metadata `type`, which Dapr's
//      outbox copies into the published CloudEvent (dapr/dapr pkg/runtime/pubsub/outbox.go);
//   2. an `outbox.projection` of the same key = the new event's envelope: not stored, but what
//      Dapr publishes on `orders` instead of the whole stream.
// So the event is stored and published together or not at all.
//
// The outbox alone is too slow for a read model that must follow within milliseconds: daprd's
// outbox handler sleeps 1 s before it publishes each message (pkg/runtime/pubsub/outbox.go,
// defaultStateScanDelay; users report it in dapr/dapr#8233). So once the transaction has
// committed, the event is also published right away (the fast path), under the same CloudEvent
// type. Subscribers get most events twice, first from the fast path; the outbox copy stays the
// guarantee for a crash or a failed publish between the commit and the fast path, and the
// projection, which applies each (order, version) once, absorbs the duplicate.
public sealed class OrderStreamStore(DaprClient dapr, ILogger<OrderStreamStore> logger)
{
    public static string KeyOf(string orderId) => $"order-{orderId}";

    public async Task<(OrderStream Stream, string? ETag)> LoadAsync(string orderId, CancellationToken ct)
    {
        var (stream, etag) = await dapr.GetStateAndETagAsync<OrderStream?>(
            Messaging.EventStore, KeyOf(orderId), ConsistencyMode.Strong, cancellationToken: ct);
        // A missing key comes back as no value and an empty ETag.
        return (stream ?? OrderStream.Empty(orderId), string.IsNullOrEmpty(etag) ? null : etag);
    }

    // The streams of these orders that exist, in one bulk read. A missing key comes back as an item
    // without a value.
    public async Task<IReadOnlyDictionary<string, OrderStream>> LoadManyAsync(IReadOnlyList<string> orderIds, CancellationToken ct)
    {
        if (orderIds.Count == 0)
        {
            return new Dictionary<string, OrderStream>();
        }

        var items = await dapr.GetBulkStateAsync<OrderStream?>(
            Messaging.EventStore, [.. orderIds.Select(KeyOf)], parallelism: null, cancellationToken: ct);
        var found = new Dictionary<string, OrderStream>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Value is { Version: > 0 } stream)
            {
                found.TryAdd(stream.OrderId, stream);
            }
        }

        return found;
    }

    public async Task AppendAsync(OrderStream current, string? etag, EventEnvelope appended, OrderStream next, CancellationToken ct)
    {
        var key = KeyOf(current.OrderId);
        var streamWrite = new StateTransactionRequest(
            key,
            JsonSerializer.SerializeToUtf8Bytes(next, EventSerializer.Options),
            StateOperationType.Upsert,
            etag,
            new Dictionary<string, string>
            {
                // Copied by the outbox into the CloudEvent: subscribers route on `type`.
                ["type"] = appended.Type,
                ["subject"] = appended.OrderId,
            },
            new StateOptions { Concurrency = ConcurrencyMode.FirstWrite, Consistency = ConsistencyMode.Strong });
        var publishedMessage = new StateTransactionRequest(
            key,
            JsonSerializer.SerializeToUtf8Bytes(appended, EventSerializer.Options),
            StateOperationType.Upsert,
            metadata: new Dictionary<string, string>
            {
                ["outbox.projection"] = "true",
                ["contentType"] = "application/json",
            });

        try
        {
            await dapr.ExecuteStateTransactionAsync(Messaging.EventStore, [streamWrite, publishedMessage], cancellationToken: ct);
        }
        catch (DaprException ex)
        {
            // Inside a transaction Dapr reports an ETag mismatch as Internal like any other store
            // error, so look: if the stream moved on, it was a concurrent append.
            var (reloaded, _) = await LoadAsync(current.OrderId, ct);
            if (reloaded.Version != current.Version)
            {
                logger.LogInformation("Append to order {OrderId} at version {Version} lost a race", current.OrderId, current.Version);
                throw new StreamConcurrencyException(current.OrderId, current.Version, reloaded.Version);
            }

            throw new InvalidOperationException($"Appending to the stream of order {current.OrderId} failed.", ex);
        }

        await PublishCommittedAsync(appended, ct);
    }

    private async Task PublishCommittedAsync(EventEnvelope appended, CancellationToken ct)
    {
        try
        {
            await dapr.PublishEventAsync(Messaging.PubSub, Messaging.OrdersTopic, appended, new Dictionary<string, string>
            {
                ["cloudevent.id"] = appended.EventId,
                ["cloudevent.type"] = appended.Type,
                ["cloudevent.subject"] = appended.OrderId,
            }, ct);
        }
        catch (DaprException ex)
        {
            // Committed already: the outbox publishes it within seconds.
            logger.LogWarning(ex, "Publishing {EventType} v{Version} of order {OrderId} right after the commit failed; the outbox delivers it",
                appended.Type, appended.Version, appended.OrderId);
        }
    }
}
