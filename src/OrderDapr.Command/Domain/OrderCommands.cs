using System.Text.Json.Serialization;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Domain;

// What a caller asks of an order. Commands cross the actor boundary as JSON, hence the discriminator.
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(PlaceOrder), "place")]
[JsonDerivedType(typeof(PayOrder), "pay")]
[JsonDerivedType(typeof(ShipOrder), "ship")]
[JsonDerivedType(typeof(DeliverOrder), "deliver")]
[JsonDerivedType(typeof(CancelOrder), "cancel")]
[JsonDerivedType(typeof(ExpireUnpaidOrder), "expire-unpaid")]
public abstract record OrderCommand;

public sealed record PlaceOrder(string CustomerId, IReadOnlyList<OrderLine> Items, string Currency) : OrderCommand;

public sealed record PayOrder(decimal Amount, string PaymentId) : OrderCommand;

public sealed record ShipOrder(string TrackingNumber) : OrderCommand;

public sealed record DeliverOrder : OrderCommand;

public sealed record CancelOrder(string Reason) : OrderCommand
{
    public const string PaymentTimeout = "payment-timeout";
}

// Issued by the payment-deadline reminder, not by clients: cancels the order only if it is still unpaid.
public sealed record ExpireUnpaidOrder : OrderCommand;
