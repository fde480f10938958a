using OrderDapr.Command.EventStore;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Tests.Hosting;

public static class StoredStreams
{
    // A stream holding one OrderCreated, written straight to the event store.
    public static async Task CreateAsync(OrderStreamStore store, string orderId)
    {
        var created = new OrderCreated("c-1", [new OrderLine("p-1", 1, 5m)], "USD");
        var envelope = new EventEnvelope(Guid.NewGuid().ToString(), orderId, 1, EventSerializer.TypeNameOf(created), DateTimeOffset.UtcNow, EventSerializer.ToData(created));
        var empty = OrderStream.Empty(orderId);
        await store.AppendAsync(empty, null, envelope, empty with { Events = [envelope] }, default);
    }
}
