namespace OrderDapr.Command.Http;

// The JSON bodies of the order commands, as clients send them. Every field is nullable so that a
// missing field is reported by name instead of surfacing as a deserializer error.
public sealed record PlaceOrderBody(string? CustomerId, IReadOnlyList<OrderLineBody?>? Items, string? Currency);

public sealed record OrderLineBody(string? ProductId, int? Quantity, decimal? UnitPrice);

public sealed record PayOrderBody(decimal? Amount, string? PaymentId);

public sealed record ShipOrderBody(string? TrackingNumber);

public sealed record DeliverOrderBody;

public sealed record CancelOrderBody(string? Reason);
