using OrderDapr.Contracts;

namespace OrderDapr.Command.Domain;

public enum OrderStatus
{
    None,
    Created,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

// An order as its events left it. `Version` is the number of events applied.
public sealed record Order(
    OrderStatus Status,
    int Version,
    string CustomerId,
    IReadOnlyList<OrderLine> Items,
    string Currency,
    decimal Total,
    string? PaymentId,
    string? TrackingNumber,
    string? CancellationReason,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt)
{
    public static readonly Order Initial = new(OrderStatus.None, 0, "", [], "", 0m, null, null, null, null, null);

    public bool Exists => Status != OrderStatus.None;
}

// A rule the command breaks, with a stable machine-readable code for clients.
public sealed record Rejection(string Code, string Detail)
{
    // The command names an order that does not exist.
    public const string OrderNotFound = "order-not-found";
    public const string OrderAlreadyExists = "order-already-exists";
    public const string PaymentAmountMismatch = "payment-amount-mismatch";
    public const string OrderAlreadyPaid = "order-already-paid";
    public const string OrderNotPaid = "order-not-paid";
    public const string OrderAlreadyShipped = "order-already-shipped";
    public const string OrderNotShipped = "order-not-shipped";
    public const string OrderAlreadyDelivered = "order-already-delivered";
    public const string OrderCancelled = "order-cancelled";
    public const string OrderAlreadyCancelled = "order-already-cancelled";
    public const string OrderNotAwaitingPayment = "order-not-awaiting-payment";
}

public abstract record Decision
{
    public sealed record Accept(OrderEvent Event) : Decision;

    public sealed record Reject(Rejection Why) : Decision;
}

// The order aggregate as two pure functions: Decide (command, state) → event or refusal,
// Evolve (state, event) → state. No I/O and no clock: the time of an event comes from the caller.
public static class OrderDecider
{
    // Every refusal Decide can give each command, so that the HTTP API can document them per
    // operation; the decider's tests hold this to what Decide answers in every state.
    public static readonly IReadOnlyDictionary<Type, IReadOnlyList<string>> Refusals = new Dictionary<Type, IReadOnlyList<string>>
    {
        [typeof(PlaceOrder)] = [Rejection.OrderAlreadyExists],
        [typeof(PayOrder)] = [Rejection.OrderNotFound, Rejection.PaymentAmountMismatch, Rejection.OrderCancelled, Rejection.OrderAlreadyPaid],
        [typeof(ShipOrder)] = [Rejection.OrderNotFound, Rejection.OrderNotPaid, Rejection.OrderCancelled, Rejection.OrderAlreadyShipped],
        [typeof(DeliverOrder)] = [Rejection.OrderNotFound, Rejection.OrderNotShipped, Rejection.OrderCancelled, Rejection.OrderAlreadyDelivered],
        [typeof(CancelOrder)] = [Rejection.OrderNotFound, Rejection.OrderAlreadyCancelled, Rejection.OrderAlreadyShipped],
        [typeof(ExpireUnpaidOrder)] = [Rejection.OrderNotFound, Rejection.OrderNotAwaitingPayment],
    };

    public static Decision Decide(OrderCommand command, Order state) => command switch
    {
        PlaceOrder place => state.Exists
            ? Refuse(Rejection.OrderAlreadyExists, "An order with this id already exists.")
            : Accept(new OrderCreated(place.CustomerId, place.Items, place.Currency)),

        _ when !state.Exists => Refuse(Rejection.OrderNotFound, "The order does not exist."),

        PayOrder pay => state.Status switch
        {
            OrderStatus.Created when pay.Amount != state.Total =>
                Refuse(Rejection.PaymentAmountMismatch, $"The payment of {pay.Amount} does not equal the order total of {state.Total}."),
            OrderStatus.Created => Accept(new OrderPaid(pay.Amount, pay.PaymentId)),
            OrderStatus.Cancelled => Refuse(Rejection.OrderCancelled, "A cancelled order cannot be paid."),
            _ => Refuse(Rejection.OrderAlreadyPaid, "The order has already been paid."),
        },

        ShipOrder ship => state.Status switch
        {
            OrderStatus.Paid => Accept(new OrderShipped(ship.TrackingNumber)),
            OrderStatus.Created => Refuse(Rejection.OrderNotPaid, "Only a paid order can be shipped."),
            OrderStatus.Cancelled => Refuse(Rejection.OrderCancelled, "A cancelled order cannot be shipped."),
            _ => Refuse(Rejection.OrderAlreadyShipped, "The order has already been shipped."),
        },

        DeliverOrder => state.Status switch
        {
            OrderStatus.Shipped => Accept(new OrderDelivered()),
            OrderStatus.Delivered => Refuse(Rejection.OrderAlreadyDelivered, "The order has already been delivered."),
            OrderStatus.Cancelled => Refuse(Rejection.OrderCancelled, "A cancelled order cannot be delivered."),
            _ => Refuse(Rejection.OrderNotShipped, "Only a shipped order can be delivered."),
        },

        CancelOrder cancel => state.Status switch
        {
            OrderStatus.Created or OrderStatus.Paid => Accept(new OrderCancelled(cancel.Reason)),
            OrderStatus.Cancelled => Refuse(Rejection.OrderAlreadyCancelled, "The order has already been cancelled."),
            _ => Refuse(Rejection.OrderAlreadyShipped, "An order cannot be cancelled once it has been shipped."),
        },

        ExpireUnpaidOrder => state.Status == OrderStatus.Created
            ? Accept(new OrderCancelled(CancelOrder.PaymentTimeout))
            : Refuse(Rejection.OrderNotAwaitingPayment, "Only an unpaid order expires."),

        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown command."),
    };

    public static Order Evolve(Order state, OrderEvent @event, DateTimeOffset occurredAt)
    {
        var next = @event switch
        {
            OrderCreated created => state with
            {
                Status = OrderStatus.Created,
                CustomerId = created.CustomerId,
                Items = created.Items,
                Currency = created.Currency,
                Total = created.Total,
                CreatedAt = occurredAt,
            },
            OrderPaid paid => state with { Status = OrderStatus.Paid, PaymentId = paid.PaymentId },
            OrderShipped shipped => state with { Status = OrderStatus.Shipped, TrackingNumber = shipped.TrackingNumber },
            OrderDelivered => state with { Status = OrderStatus.Delivered },
            OrderCancelled cancelled => state with { Status = OrderStatus.Cancelled, CancellationReason = cancelled.Reason },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown event."),
        };
        return next with { Version = state.Version + 1, UpdatedAt = occurredAt };
    }

    public static Order Replay(IEnumerable<(OrderEvent Event, DateTimeOffset OccurredAt)> events) =>
        events.Aggregate(Order.Initial, (state, e) => Evolve(state, e.Event, e.OccurredAt));

    private static Decision.Accept Accept(OrderEvent @event) => new(@event);

    private static Decision.Reject Refuse(string code, string detail) => new(new Rejection(code, detail));
}
