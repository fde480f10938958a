using Microsoft.Extensions.Logging.Abstractions;
using OrderDapr.Contracts;
using OrderDapr.Query.Changes;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;

namespace OrderDapr.Query.Tests.Fixtures;

// Envelopes as order-command publishes them: version n occurred n minutes after T0.
public static class Given
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public static OrderCreated Created(string customerId = "customer-1", string currency = "EUR") =>
        new(customerId, [new OrderLine("product-1", 2, 10.50m), new OrderLine("product-2", 1, 4.25m)], currency);

    public static EventEnvelope Event(string orderId, int version, OrderEvent @event, DateTimeOffset? at = null) =>
        new($"{orderId}-v{version}", orderId, version, EventSerializer.TypeNameOf(@event), at ?? T0.AddMinutes(version), EventSerializer.ToData(@event));

    public static EventEnvelope[] DeliveredOrder(string orderId, string customerId = "customer-1") =>
    [
        Event(orderId, 1, Created(customerId)),
        Event(orderId, 2, new OrderPaid(25.25m, "payment-1")),
        Event(orderId, 3, new OrderShipped("tracking-1")),
        Event(orderId, 4, new OrderDelivered()),
    ];

    // The projector of one replica over `store`, with its own view of the generations. Its changes
    // go to `publisher`, by default one that is never started (they are queued, then dropped).
    public static OrderProjector Projector(IReadModelStore store, Generations? generations = null, OrderChangePublisher? publisher = null, TimeProvider? time = null) =>
        new(store, generations ?? new Generations(store, time ?? TimeProvider.System), publisher ?? Publisher(new RecordingBroker()),
            time ?? TimeProvider.System, NullLogger<OrderProjector>.Instance);

    public static OrderChangePublisher Publisher(IChangeFeedBroker broker) => new(broker, NullLogger<OrderChangePublisher>.Instance);
}
