using System.Text.Json;
using OrderDapr.Contracts;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

public class OrderViewProjectionTests
{
    private static OrderView Empty => new("order-1");

    private static OrderView Project(params EventEnvelope[] envelopes) =>
        envelopes.Aggregate(Empty, (view, envelope) => Apply(view, envelope).View);

    private static ProjectionResult Apply(OrderView view, EventEnvelope envelope) =>
        OrderViewProjection.Apply(view, OrderViewProjection.Parse(envelope));

    private static string Json(OrderView view) => JsonSerializer.Serialize(view, EventSerializer.Options);

    [Fact]
    public void An_OrderCreated_creates_the_view_with_its_lines_and_total()
    {
        var result = Apply(Empty, Event("order-1", 1, Created()));

        Assert.Equal(ProjectionOutcome.Applied, result.Outcome);
        var view = result.View;
        Assert.True(view.IsCreated);
        Assert.Equal("customer-1", view.CustomerId);
        Assert.Equal(OrderStatus.Created, view.Status);
        Assert.Equal(25.25m, view.Total);
        Assert.Equal("EUR", view.Currency);
        Assert.Equal([new OrderItemView("product-1", 2, 10.50m), new OrderItemView("product-2", 1, 4.25m)], view.Items);
        Assert.Equal(1, view.Version);
        Assert.Equal(T0.AddMinutes(1), view.CreatedAt);
        Assert.Equal(T0.AddMinutes(1), view.UpdatedAt);
        Assert.Empty(view.Pending);
    }

    [Fact]
    public void A_retired_OrderCreated_v1_is_upcast_to_an_order_in_USD()
    {
        var v1 = new EventEnvelope("e-1", "order-1", 1, "OrderCreated.v1", T0,
            JsonSerializer.SerializeToElement(new { customerId = "customer-1", items = new[] { new { productId = "p", quantity = 3, unitPrice = 2m } } }));

        var view = Project(v1);

        Assert.Equal(OrderStatus.Created, view.Status);
        Assert.Equal("USD", view.Currency);
        Assert.Equal(6m, view.Total);
    }

    [Fact]
    public void A_payment_marks_the_order_paid_and_records_the_payment()
    {
        var view = Project(Event("order-1", 1, Created()), Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));

        Assert.Equal(OrderStatus.Paid, view.Status);
        Assert.Equal("payment-1", view.PaymentId);
        Assert.Equal(2, view.Version);
        Assert.Equal(T0.AddMinutes(1), view.CreatedAt);
        Assert.Equal(T0.AddMinutes(2), view.UpdatedAt);
    }

    [Fact]
    public void A_shipment_records_the_tracking_number()
    {
        var view = Project(DeliveredOrder("order-1")[..3]);

        Assert.Equal(OrderStatus.Shipped, view.Status);
        Assert.Equal("tracking-1", view.TrackingNumber);
        Assert.Equal(3, view.Version);
    }

    [Fact]
    public void A_delivery_marks_the_order_delivered()
    {
        var view = Project(DeliveredOrder("order-1"));

        Assert.Equal(OrderStatus.Delivered, view.Status);
        Assert.Equal(4, view.Version);
        Assert.Equal(T0.AddMinutes(4), view.UpdatedAt);
    }

    [Fact]
    public void A_cancellation_records_the_reason()
    {
        var view = Project(Event("order-1", 1, Created()), Event("order-1", 2, new OrderCancelled("changed my mind")));

        Assert.Equal(OrderStatus.Cancelled, view.Status);
        Assert.Equal("changed my mind", view.CancellationReason);
    }

    [Fact]
    public void A_redelivered_payment_changes_nothing()
    {
        var paid = Project(Event("order-1", 1, Created()), Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));

        var result = Apply(paid, Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));

        Assert.Equal(ProjectionOutcome.Duplicate, result.Outcome);
        Assert.Same(paid, result.View);
    }

    [Fact]
    public void A_redelivered_OrderCreated_after_later_events_changes_nothing()
    {
        var delivered = Project(DeliveredOrder("order-1"));

        var result = Apply(delivered, DeliveredOrder("order-1")[0]);

        Assert.Equal(ProjectionOutcome.Duplicate, result.Outcome);
        Assert.Equal(OrderStatus.Delivered, result.View.Status);
    }

    [Fact]
    public void An_event_that_overtakes_its_predecessor_waits_in_pending()
    {
        var created = Project(Event("order-1", 1, Created()));

        var result = Apply(created, Event("order-1", 3, new OrderShipped("tracking-1")));

        Assert.Equal(ProjectionOutcome.Buffered, result.Outcome);
        Assert.Equal(OrderStatus.Created, result.View.Status);
        Assert.Equal(1, result.View.Version);
        Assert.Equal([3], result.View.Pending.Select(p => p.Version));
    }

    [Fact]
    public void The_missing_event_applies_itself_and_every_waiting_successor()
    {
        var waiting = Project(Event("order-1", 1, Created()), DeliveredOrder("order-1")[3], DeliveredOrder("order-1")[2]);
        Assert.Equal([3, 4], waiting.Pending.Select(p => p.Version));

        var result = Apply(waiting, DeliveredOrder("order-1")[1]);

        Assert.Equal(ProjectionOutcome.Applied, result.Outcome);
        Assert.Equal(OrderStatus.Delivered, result.View.Status);
        Assert.Equal(4, result.View.Version);
        Assert.Empty(result.View.Pending);
    }

    [Fact]
    public void A_redelivered_early_event_is_buffered_only_once()
    {
        var waiting = Project(DeliveredOrder("order-1")[2]);

        var result = Apply(waiting, DeliveredOrder("order-1")[2]);

        Assert.Equal(ProjectionOutcome.Duplicate, result.Outcome);
        Assert.Single(result.View.Pending);
    }

    [Fact]
    public void Events_before_OrderCreated_make_a_view_that_is_no_order_yet()
    {
        var view = Project(DeliveredOrder("order-1")[1], DeliveredOrder("order-1")[3]);

        Assert.False(view.IsCreated);
        Assert.Equal(0, view.Version);
        Assert.Equal([2, 4], view.Pending.Select(p => p.Version));
    }

    [Fact]
    public void Out_of_order_and_repeated_delivery_gives_the_view_of_in_order_delivery()
    {
        var events = DeliveredOrder("order-1");
        var expected = Json(Project(events));

        // Every order of the four events, each delivered twice (2520 distinct sequences).
        var deliveries = events.Concat(events).ToArray();
        var seen = new HashSet<string>();
        foreach (var sequence in Permutations(deliveries.Length))
        {
            var ordered = sequence.Select(i => deliveries[i]).ToArray();
            if (seen.Add(string.Join(',', ordered.Select(e => e.Version))))
            {
                Assert.Equal(expected, Json(Project(ordered)));
            }
        }

        Assert.Equal(2520, seen.Count);
    }

    [Fact]
    public void A_full_pending_buffer_asks_for_redelivery_instead_of_growing()
    {
        var waiting = Empty;
        for (var version = 2; version < 2 + OrderViewProjection.MaxPending; version++)
        {
            waiting = Apply(waiting, Event("order-1", version, new OrderShipped($"t-{version}"))).View;
        }

        var result = Apply(waiting, Event("order-1", 100, new OrderDelivered()));

        Assert.Equal(ProjectionOutcome.PendingFull, result.Outcome);
        Assert.Equal(OrderViewProjection.MaxPending, result.View.Pending.Count);
    }

    [Fact]
    public void The_missing_event_still_applies_when_pending_is_full()
    {
        var waiting = Empty;
        for (var version = 2; version < 2 + OrderViewProjection.MaxPending; version++)
        {
            waiting = Apply(waiting, Event("order-1", version, new OrderShipped($"t-{version}"))).View;
        }

        var result = Apply(waiting, Event("order-1", 1, Created()));

        Assert.Equal(ProjectionOutcome.Applied, result.Outcome);
        Assert.Equal(1 + OrderViewProjection.MaxPending, result.View.Version);
        Assert.Empty(result.View.Pending);
    }

    // Each case named for the rule it breaks.
    public static IEnumerable<TheoryDataRow<EventEnvelope>> PoisonEnvelopes =>
    [
        new(new EventEnvelope("e", "order-1", 1, "OrderTeleported.v1", T0, JsonSerializer.SerializeToElement(new { }))) { TestDisplayName = "poison: unknown type" },
        new(new EventEnvelope("e", "order-1", 1, "OrderPaid.v1", T0, JsonSerializer.SerializeToElement("garbage"))) { TestDisplayName = "poison: data is no object" },
        new(new EventEnvelope("e", "order-1", 1, "OrderCreated.v2", T0, JsonSerializer.SerializeToElement(new { items = "many" }))) { TestDisplayName = "poison: data of the wrong shape" },
        new(new EventEnvelope("e", "order-1", 1, "OrderCreated.v2", T0, JsonSerializer.SerializeToElement(new { items = Array.Empty<object>(), currency = "EUR" }))) { TestDisplayName = "poison: no customer" },
        new(Event("order-1", 1, Created(customerId: "a||b"))) { TestDisplayName = "poison: customer id Dapr rejects as key" },
        new(Event("a||b", 1, Created())) { TestDisplayName = "poison: order id Dapr rejects as key" },
        new(new EventEnvelope("e", null!, 1, "OrderDelivered.v1", T0, JsonSerializer.SerializeToElement(new { }))) { TestDisplayName = "poison: no order id" },
        new(Event("order-1", 0, new OrderDelivered())) { TestDisplayName = "poison: version 0" },
        new(new EventEnvelope("e", "order-1", 2, "OrderPaid.v1", T0, JsonSerializer.SerializeToElement(new { amount = 1 }))) { TestDisplayName = "poison: no payment id" },
    ];

    [Theory]
    [MemberData(nameof(PoisonEnvelopes))]
    public void An_envelope_that_can_never_apply_is_poison(EventEnvelope envelope) =>
        Assert.Throws<PoisonEventException>(() => Apply(Empty, envelope));

    [Fact]
    public void The_view_is_stored_with_the_status_names_of_the_schema()
    {
        var json = Json(Project(Event("order-1", 1, Created())));

        Assert.Contains("\"status\":\"CREATED\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("isCreated", json, StringComparison.Ordinal);
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        var indexes = Enumerable.Range(0, n).ToArray();
        return Permute(indexes, 0);

        static IEnumerable<int[]> Permute(int[] items, int k)
        {
            if (k == items.Length)
            {
                yield return (int[])items.Clone();
                yield break;
            }

            for (var i = k; i < items.Length; i++)
            {
                (items[k], items[i]) = (items[i], items[k]);
                foreach (var permutation in Permute(items, k + 1))
                {
                    yield return permutation;
                }

                (items[k], items[i]) = (items[i], items[k]);
            }
        }
    }
}
