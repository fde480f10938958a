using System.Text.Json.Serialization;

namespace OrderDapr.Contracts;

// The closed set of things that can happen to an order. The CLR names may change;
// the persisted names in EventTypeAttribute may not.
public abstract record OrderEvent;

public sealed record OrderLine(string ProductId, int Quantity, decimal UnitPrice)
{
    // Derived, so never stored: a stored total could disagree with its lines.
    [JsonIgnore]
    public decimal Subtotal => Quantity * UnitPrice;
}

[EventType("OrderCreated.v2")]
public sealed record OrderCreated(string CustomerId, IReadOnlyList<OrderLine> Items, string Currency) : OrderEvent
{
    [JsonIgnore]
    public decimal Total => Items.Sum(i => i.Subtotal);
}

[EventType("OrderPaid.v1")]
public sealed record OrderPaid(decimal Amount, string PaymentId) : OrderEvent;

[EventType("OrderShipped.v1")]
public sealed record OrderShipped(string TrackingNumber) : OrderEvent;

[EventType("OrderDelivered.v1")]
public sealed record OrderDelivered : OrderEvent;

[EventType("OrderCancelled.v1")]
public sealed record OrderCancelled(string Reason) : OrderEvent;

// The stable name an event is stored and published under (also the CloudEvent `type`).
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
