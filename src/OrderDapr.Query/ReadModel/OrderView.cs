using System.Text.Json;
using System.Text.Json.Serialization;
using OrderDapr.Contracts;

namespace OrderDapr.Query.ReadModel;

[JsonConverter(typeof(OrderStatusJsonConverter))]
public enum OrderStatus
{
    Created,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

// Stored as CREATED, PAID, ... — the same names the GraphQL enum shows.
public sealed class OrderStatusJsonConverter() : JsonStringEnumConverter<OrderStatus>(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false);

public sealed record OrderItemView(string ProductId, int Quantity, decimal UnitPrice);

// The document `order-{id}` of a read-model generation (see ReadModelKeys). It exists as soon as any event of the order
// arrived: events that overtook OrderCreated wait in Pending until the gap closes.
public sealed record OrderView(string Id)
{
    public string? CustomerId { get; init; }
    public OrderStatus? Status { get; init; }
    public decimal Total { get; init; }
    public string? Currency { get; init; }
    public IReadOnlyList<OrderItemView> Items { get; init; } = [];

    // Stream version of the last applied event: 0 until OrderCreated is applied.
    public int Version { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public string? PaymentId { get; init; }
    public string? TrackingNumber { get; init; }
    public string? CancellationReason { get; init; }

    // Envelopes with Version > this.Version + 1, ascending, each version once.
    public IReadOnlyList<EventEnvelope> Pending { get; init; } = [];

    // Only an order whose OrderCreated was applied is shown to readers.
    [JsonIgnore]
    public bool IsCreated => Status is not null;
}
