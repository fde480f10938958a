using System.Text.Json;

namespace OrderDapr.Contracts;

// One stored event of an order's stream, and the `data` of the CloudEvent published for it.
// `Version` is the event's position in the stream (1 = OrderCreated): subscribers use
// (OrderId, Version) to apply each event once and in order, whatever the broker does.
public sealed record EventEnvelope(
    string EventId,
    string OrderId,
    int Version,
    string Type,
    DateTimeOffset OccurredAt,
    JsonElement Data);
