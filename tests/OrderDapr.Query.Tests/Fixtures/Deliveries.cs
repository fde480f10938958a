using System.Text.Json;
using OrderDapr.Contracts;

namespace OrderDapr.Query.Tests.Fixtures;

// What the sidecar POSTs to order-query: CloudEvents, alone (dead-letter topic) or in a bulk delivery.
public static class Deliveries
{
    public static string Json(EventEnvelope envelope) => JsonSerializer.Serialize(envelope, EventSerializer.Options);

    public static JsonElement CloudEvent(string id, string data, string type = "OrderCreated.v2") =>
        JsonDocument.Parse($$"""{"id":"{{id}}","type":"{{type}}","source":"order-command","specversion":"1.0","datacontenttype":"application/json","data":{{data}}}""").RootElement.Clone();

    // As order-command's fast path publishes it: the event's id and type are the CloudEvent's.
    public static JsonElement CloudEvent(EventEnvelope envelope) => CloudEvent(envelope.EventId, Json(envelope), envelope.Type);

    // A bulk delivery whose entry i carries a CloudEvent `ce-{i}` of type OrderCreated.v2 with `data`.
    public static string Bulk(params string[] data) => Bulk([.. data.Select((d, i) => CloudEvent($"ce-{i}", d))]);

    public static string Bulk(params JsonElement[] cloudEvents) => JsonSerializer.Serialize(new
    {
        id = "bulk-1",
        type = "com.dapr.event.sent.bulk",
        topic = "orders",
        pubsubname = "orderpubsub",
        metadata = new Dictionary<string, string>(),
        entries = cloudEvents.Select((e, i) => new
        {
            entryId = $"entry-{i}",
            @event = e,
            metadata = new Dictionary<string, string>(),
            contentType = "application/cloudevents+json",
        }),
    });
}
