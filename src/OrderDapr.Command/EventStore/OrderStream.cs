using OrderDapr.Command.Domain;
using OrderDapr.Contracts;

namespace OrderDapr.Command.EventStore;

// The stored document of one order: its events in order, and the answers given to idempotent
// requests. Both live in one key so that an append and its idempotency record commit together,
// and so that the outbox publishes exactly one message per append (Dapr publishes one message per
// upserted key). An order's lifecycle is at most four events long, so the document stays small.
public sealed record OrderStream(
    string OrderId,
    IReadOnlyList<EventEnvelope> Events,
    IReadOnlyDictionary<string, IdempotencyRecord> Idempotency)
{
    public int Version => Events.Count;

    public static OrderStream Empty(string orderId) =>
        new(orderId, [], new Dictionary<string, IdempotencyRecord>());

    public Order Replay(int? upToVersion = null) =>
        OrderDecider.Replay(Events
            .Take(upToVersion ?? Events.Count)
            .Select(e => (EventSerializer.FromEnvelope(e), e.OccurredAt)));
}

// What a request carrying an Idempotency-Key was, and the version its event got: enough to
// answer a retry the way the first request was answered.
public sealed record IdempotencyRecord(string Fingerprint, int Version);
