using OrderDapr.Command.Domain;
using OrderDapr.Contracts;
using static OrderDapr.Command.Tests.OrderSpecification;

namespace OrderDapr.Command.Tests;

public sealed class PlacingAnOrder
{
    [Fact]
    public void A_new_order_is_created_with_its_lines_and_currency() =>
        Given().When(new PlaceOrder("c-1", Sample.Lines, "USD")).Then(Sample.Created);

    [Fact]
    public void An_existing_order_cannot_be_placed_again() =>
        Given(Sample.Created).When(new PlaceOrder("c-1", Sample.Lines, "USD")).ThenRefused("order-already-exists");

    [Fact]
    public void The_total_is_the_sum_of_quantity_times_unit_price() =>
        Assert.Equal(Sample.Total, Sample.Created.Total);
}

public sealed class PayingAnOrder
{
    [Fact]
    public void A_created_order_paid_its_total_is_paid() =>
        Given(Sample.Created).When(new PayOrder(Sample.Total, "pay-1")).Then(new OrderPaid(Sample.Total, "pay-1"));

    [Fact]
    public void A_payment_that_differs_from_the_total_is_refused() =>
        Given(Sample.Created).When(new PayOrder(Sample.Total - 0.01m, "pay-1")).ThenRefused("payment-amount-mismatch");

    [Fact]
    public void A_paid_order_cannot_be_paid_twice() =>
        Given(Sample.Created, Sample.Paid).When(new PayOrder(Sample.Total, "pay-2")).ThenRefused("order-already-paid");

    [Fact]
    public void A_cancelled_order_cannot_be_paid() =>
        Given(Sample.Created, new OrderCancelled("changed my mind")).When(new PayOrder(Sample.Total, "pay-1")).ThenRefused("order-cancelled");

    [Fact]
    public void An_order_that_does_not_exist_cannot_be_paid() =>
        Given().When(new PayOrder(1m, "pay-1")).ThenRefused("order-not-found");
}

public sealed class ShippingAnOrder
{
    [Fact]
    public void A_paid_order_is_shipped() =>
        Given(Sample.Created, Sample.Paid).When(new ShipOrder("track-1")).Then(new OrderShipped("track-1"));

    [Fact]
    public void Shipping_an_unpaid_order_is_refused() =>
        Given(Sample.Created).When(new ShipOrder("track-1")).ThenRefused("order-not-paid");

    [Fact]
    public void Shipping_a_cancelled_order_is_refused() =>
        Given(Sample.Created, Sample.Paid, new OrderCancelled("x")).When(new ShipOrder("t")).ThenRefused("order-cancelled");

    [Fact]
    public void Shipping_twice_is_refused() =>
        Given(Sample.Created, Sample.Paid, Sample.Shipped).When(new ShipOrder("t")).ThenRefused("order-already-shipped");
}

public sealed class DeliveringAnOrder
{
    [Fact]
    public void A_shipped_order_is_delivered() =>
        Given(Sample.Created, Sample.Paid, Sample.Shipped).When(new DeliverOrder()).Then(new OrderDelivered());

    [Fact]
    public void Delivering_an_unshipped_order_is_refused() =>
        Given(Sample.Created, Sample.Paid).When(new DeliverOrder()).ThenRefused("order-not-shipped");

    [Fact]
    public void Delivering_twice_is_refused() =>
        Given(Sample.Created, Sample.Paid, Sample.Shipped, new OrderDelivered()).When(new DeliverOrder()).ThenRefused("order-already-delivered");

    [Fact]
    public void Delivering_a_cancelled_order_is_refused() =>
        Given(Sample.Created, new OrderCancelled("x")).When(new DeliverOrder()).ThenRefused("order-cancelled");
}

public sealed class CancellingAnOrder
{
    [Fact]
    public void A_created_order_is_cancelled_with_its_reason() =>
        Given(Sample.Created).When(new CancelOrder("changed my mind")).Then(new OrderCancelled("changed my mind"));

    [Fact]
    public void A_paid_order_can_still_be_cancelled() =>
        Given(Sample.Created, Sample.Paid).When(new CancelOrder("out of stock")).Then(new OrderCancelled("out of stock"));

    [Fact]
    public void A_shipped_order_cannot_be_cancelled() =>
        Given(Sample.Created, Sample.Paid, Sample.Shipped).When(new CancelOrder("late")).ThenRefused("order-already-shipped");

    [Fact]
    public void A_delivered_order_cannot_be_cancelled() =>
        Given(Sample.Created, Sample.Paid, Sample.Shipped, new OrderDelivered()).When(new CancelOrder("late")).ThenRefused("order-already-shipped");

    [Fact]
    public void Cancelling_twice_is_refused() =>
        Given(Sample.Created, new OrderCancelled("x")).When(new CancelOrder("y")).ThenRefused("order-already-cancelled");
}

public sealed class ThePaymentDeadline
{
    [Fact]
    public void An_unpaid_order_is_cancelled_for_payment_timeout() =>
        Given(Sample.Created).When(new ExpireUnpaidOrder()).Then(new OrderCancelled(CancelOrder.PaymentTimeout));

    [Fact]
    public void A_paid_order_does_not_expire() =>
        Given(Sample.Created, Sample.Paid).When(new ExpireUnpaidOrder()).ThenRefused("order-not-awaiting-payment");

    [Fact]
    public void A_cancelled_order_does_not_expire_again() =>
        Given(Sample.Created, new OrderCancelled("x")).When(new ExpireUnpaidOrder()).ThenRefused("order-not-awaiting-payment");
}

public sealed class ReplayingAnOrder
{
    [Fact]
    public void Replay_gives_the_status_version_and_details_of_the_events()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var state = OrderDecider.Replay([(Sample.Created, t0), (Sample.Paid, t0.AddHours(1)), (Sample.Shipped, t0.AddHours(2))]);

        Assert.Equal(OrderStatus.Shipped, state.Status);
        Assert.Equal(3, state.Version);
        Assert.Equal("c-1", state.CustomerId);
        Assert.Equal(Sample.Total, state.Total);
        Assert.Equal("pay-1", state.PaymentId);
        Assert.Equal("track-1", state.TrackingNumber);
        Assert.Equal(t0, state.CreatedAt);
        Assert.Equal(t0.AddHours(2), state.UpdatedAt);
    }
}

// OrderDecider.Refusals is what the HTTP API documents per operation: it must be exactly what
// Decide answers, found by trying every command in every state an order can be in.
public sealed class TheDeclaredRefusals
{
    private static readonly OrderEvent[][] Histories =
    [
        [],
        [Sample.Created],
        [Sample.Created, Sample.Paid],
        [Sample.Created, Sample.Paid, Sample.Shipped],
        [Sample.Created, Sample.Paid, Sample.Shipped, new OrderDelivered()],
        [Sample.Created, new OrderCancelled("x")],
        [Sample.Created, Sample.Paid, new OrderCancelled("x")],
    ];

    [Fact]
    public void The_histories_reach_every_status() =>
        Assert.Equal(
            Enum.GetValues<OrderStatus>().Order(),
            Histories.Select(h => OrderDecider.Replay(h.Select(e => (e, DateTimeOffset.UnixEpoch))).Status).Distinct().Order());

    [Fact]
    public void Every_command_is_declared()
    {
        var commands = typeof(OrderCommand).GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonDerivedTypeAttribute), false)
            .Cast<System.Text.Json.Serialization.JsonDerivedTypeAttribute>()
            .Select(a => a.DerivedType.Name)
            .Order();

        Assert.Equal(commands, OrderDecider.Refusals.Keys.Select(t => t.Name).Order());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_command_is_refused_with_exactly_its_declared_codes(string command)
    {
        var type = OrderDecider.Refusals.Keys.Single(t => t.Name == command);
        var given = Histories
            .SelectMany(history => VariantsOf(type).Select(c => OrderDecider.Decide(c, OrderDecider.Replay(history.Select(e => (e, DateTimeOffset.UnixEpoch))))))
            .OfType<Decision.Reject>()
            .Select(r => r.Why.Code)
            .Distinct()
            .Order();

        Assert.Equal(OrderDecider.Refusals[type].Order(), given);
    }

    public static TheoryData<string> Commands() => [.. OrderDecider.Refusals.Keys.Select(t => t.Name)];

    // Every way a command of this type can differ in what Decide makes of it.
    private static OrderCommand[] VariantsOf(Type type) => type.Name switch
    {
        nameof(PlaceOrder) => [new PlaceOrder("c-1", Sample.Lines, "USD")],
        nameof(PayOrder) => [new PayOrder(Sample.Total, "pay-1"), new PayOrder(Sample.Total + 1m, "pay-1")],
        nameof(ShipOrder) => [new ShipOrder("track-1")],
        nameof(DeliverOrder) => [new DeliverOrder()],
        nameof(CancelOrder) => [new CancelOrder("x")],
        nameof(ExpireUnpaidOrder) => [new ExpireUnpaidOrder()],
        _ => throw new InvalidOperationException($"No variants of {type.Name}: add them here."),
    };
}
