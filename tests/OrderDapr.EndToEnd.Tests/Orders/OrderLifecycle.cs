using System.Net;
using System.Text.Json;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

[Collection(nameof(RunningSystem))]
public sealed class OrderLifecycle(OrderSystem system)
{
    [Fact]
    public async Task An_order_is_paid_shipped_and_delivered_and_graphql_follows_each_step()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        Assert.Equal("CREATED", (await system.GraphQL.OrderAtVersionAsync(orderId, 1)).GetProperty("status").GetString());

        var paid = await system.Commands.PayAsync(orderId, 19.98m, "pay-42");
        Assert.Equal(HttpStatusCode.OK, paid.Status);
        Assert.Equal(2, paid.Version);
        var afterPay = await system.GraphQL.OrderAtVersionAsync(orderId, 2);
        Assert.Equal("PAID", afterPay.GetProperty("status").GetString());
        Assert.Equal("pay-42", afterPay.GetProperty("paymentId").GetString());

        var shipped = await system.Commands.ShipAsync(orderId, "1Z999");
        Assert.Equal(3, shipped.Version);
        var afterShip = await system.GraphQL.OrderAtVersionAsync(orderId, 3);
        Assert.Equal("SHIPPED", afterShip.GetProperty("status").GetString());
        Assert.Equal("1Z999", afterShip.GetProperty("trackingNumber").GetString());

        var delivered = await system.Commands.DeliverAsync(orderId);
        Assert.Equal(4, delivered.Version);
        var afterDelivery = await system.GraphQL.OrderAtVersionAsync(orderId, 4);
        Assert.Equal("DELIVERED", afterDelivery.GetProperty("status").GetString());
        Assert.True(afterDelivery.GetProperty("updatedAt").GetDateTimeOffset() > afterDelivery.GetProperty("createdAt").GetDateTimeOffset());

        var published = await system.EventuallyPublishedAsync(orderId, 4);
        var byVersion = published.ToDictionary(e => e.GetProperty("data").GetProperty("version").GetInt32(), e => e.GetProperty("type").GetString());
        Assert.Equal("OrderCreated.v2", byVersion[1]);
        Assert.Equal("OrderPaid.v1", byVersion[2]);
        Assert.Equal("OrderShipped.v1", byVersion[3]);
        Assert.Equal("OrderDelivered.v1", byVersion[4]);
    }

    [Fact]
    public async Task A_cancelled_order_shows_cancelled_with_its_reason()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");

        var cancelled = await system.Commands.CancelAsync(orderId, "found it cheaper");

        Assert.Equal(HttpStatusCode.OK, cancelled.Status);
        var order = await system.GraphQL.OrderAtVersionAsync(orderId, 2);
        Assert.Equal("CANCELLED", order.GetProperty("status").GetString());
        Assert.Equal("found it cheaper", order.GetProperty("cancellationReason").GetString());
    }

    [Fact]
    public async Task A_rule_the_command_breaks_is_a_409_with_its_code_and_changes_nothing()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        await system.EventuallyPublishedAsync(orderId, 1);

        var ship = await system.AssertChangesNothingAsync(() => system.Commands.ShipAsync(orderId));
        var underpay = await system.AssertChangesNothingAsync(() => system.Commands.PayAsync(orderId, 1m));
        var deliver = await system.AssertChangesNothingAsync(() => system.Commands.DeliverAsync(orderId));

        Assert.Equal((HttpStatusCode.Conflict, "order-not-paid"), (ship.Status, ship.ProblemCode));
        Assert.Equal((HttpStatusCode.Conflict, "payment-amount-mismatch"), (underpay.Status, underpay.ProblemCode));
        Assert.Equal((HttpStatusCode.Conflict, "order-not-shipped"), (deliver.Status, deliver.ProblemCode));
        Assert.Equal("application/problem+json", ship.Response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_shipped_order_cannot_be_cancelled()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        await system.Commands.PayAsync(orderId, 19.98m);
        await system.Commands.ShipAsync(orderId);
        await system.EventuallyPublishedAsync(orderId, 3);

        var cancel = await system.AssertChangesNothingAsync(() => system.Commands.CancelAsync(orderId));

        Assert.Equal((HttpStatusCode.Conflict, "order-already-shipped"), (cancel.Status, cancel.ProblemCode));
    }

    [Fact]
    public async Task A_command_on_an_unknown_order_is_a_404_problem_and_changes_nothing()
    {
        var answer = await system.AssertChangesNothingAsync(() => system.Commands.PayAsync(Guid.NewGuid().ToString(), 1m));

        Assert.Equal((HttpStatusCode.NotFound, "order-not-found"), (answer.Status, answer.ProblemCode));
    }

    [Fact]
    public async Task Orders_can_be_filtered_by_status()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var unpaid = await system.Commands.PlaceAsync(customer);
        var paid = await system.Commands.PlaceAsync(customer);
        await system.Commands.PayAsync(paid, 19.98m);
        await system.GraphQL.OrderAtVersionAsync(unpaid, 1);
        await system.GraphQL.OrderAtVersionAsync(paid, 2);

        var data = await system.GraphQL.QueryAsync(
            "query($c: String!) { paid: orders(customerId: $c, status: PAID) { totalCount edges { node { id status } } } created: orders(customerId: $c, status: CREATED) { totalCount edges { node { id } } } }",
            new { c = customer });

        var paidEdge = Assert.Single(data.GetProperty("paid").GetProperty("edges").EnumerateArray());
        Assert.Equal(paid, paidEdge.GetProperty("node").GetProperty("id").GetString());
        Assert.Equal(1, data.GetProperty("paid").GetProperty("totalCount").GetInt32());
        var createdEdge = Assert.Single(data.GetProperty("created").GetProperty("edges").EnumerateArray());
        Assert.Equal(unpaid, createdEdge.GetProperty("node").GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_order_as_it_was_at_a_past_version_is_rebuilt_from_the_stream()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        await system.Commands.PayAsync(orderId, 19.98m);
        await system.Commands.ShipAsync(orderId, "T-1");

        var v1 = await system.Commands.GetAsync($"/orders/{orderId}?version=1");
        var v2 = await system.Commands.GetAsync($"/orders/{orderId}?version=2");
        var now = await system.Commands.GetAsync($"/orders/{orderId}");
        var tooFar = await system.Commands.GetAsync($"/orders/{orderId}?version=9");
        var nonsense = await system.Commands.GetAsync($"/orders/{orderId}?version=zero");

        Assert.Equal(("CREATED", 1), (v1.Body.GetProperty("status").GetString(), v1.Body.GetProperty("version").GetInt32()));
        Assert.Equal(JsonValueKind.Null, v1.Body.GetProperty("paymentId").ValueKind);
        Assert.Equal(("PAID", 2), (v2.Body.GetProperty("status").GetString(), v2.Body.GetProperty("version").GetInt32()));
        Assert.Equal(("SHIPPED", 3), (now.Body.GetProperty("status").GetString(), now.Body.GetProperty("version").GetInt32()));
        Assert.Equal((HttpStatusCode.NotFound, "version-not-found"), (tooFar.Status, tooFar.ProblemCode));
        Assert.Equal((HttpStatusCode.BadRequest, "version-invalid"), (nonsense.Status, nonsense.ProblemCode));
    }
}
