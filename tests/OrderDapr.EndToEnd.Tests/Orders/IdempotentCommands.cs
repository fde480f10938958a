using System.Net;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

[Collection(nameof(RunningSystem))]
public sealed class IdempotentCommands(OrderSystem system)
{
    [Fact]
    public async Task Placing_twice_with_one_key_answers_the_same_order_and_stores_one()
    {
        var key = Guid.NewGuid().ToString();

        var first = await system.Commands.PlaceRawAsync(OrderApi.SampleOrder, key);
        var again = await system.Commands.PlaceRawAsync(OrderApi.SampleOrder.Replace(":2,", ": 2 ,"), key);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal((HttpStatusCode.Created, first.OrderId, 1), (again.Status, again.OrderId, again.Version));
        Assert.Equal("true", again.Header("Idempotent-Replayed"));
        Assert.Single((await system.Commands.GetAsync($"/orders/{first.OrderId}/events")).Body.GetProperty("events").EnumerateArray());
        await system.EventuallyPublishedAsync(first.OrderId, 1);
        Assert.Single(await system.PublishedOnceQuietAsync(first.OrderId));
    }

    [Fact]
    public async Task Paying_twice_with_one_key_appends_one_payment()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        var key = Guid.NewGuid().ToString();

        var first = await system.Commands.PayAsync(orderId, 19.98m, "pay-1", idempotencyKey: key);
        var again = await system.Commands.PayAsync(orderId, 19.98m, "pay-1", idempotencyKey: key);

        Assert.Equal((HttpStatusCode.OK, 2), (first.Status, first.Version));
        Assert.Equal((HttpStatusCode.OK, 2), (again.Status, again.Version));
        Assert.Equal(2, (await system.Commands.GetAsync($"/orders/{orderId}")).Body.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task One_key_with_another_body_is_a_422_and_changes_nothing()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");
        var key = Guid.NewGuid().ToString();
        await system.Commands.PayAsync(orderId, 19.98m, "pay-1", idempotencyKey: key);
        await system.EventuallyPublishedAsync(orderId, 2);

        var otherPayment = await system.AssertChangesNothingAsync(() => system.Commands.PayAsync(orderId, 19.98m, "pay-2", idempotencyKey: key));
        var otherCommand = await system.AssertChangesNothingAsync(() => system.Commands.CancelAsync(orderId, idempotencyKey: key));
        var placeKey = Guid.NewGuid().ToString();
        var placed = await system.Commands.PlaceRawAsync(OrderApi.SampleOrder, placeKey);
        await system.EventuallyPublishedAsync(placed.OrderId, 1);
        var placedOther = await system.AssertChangesNothingAsync(() => system.Commands.PlaceRawAsync(OrderApi.SampleOrder.Replace("c-1", "c-2"), placeKey));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "idempotency-key-reused"), (otherPayment.Status, otherPayment.ProblemCode));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "idempotency-key-reused"), (otherCommand.Status, otherCommand.ProblemCode));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "idempotency-key-reused"), (placedOther.Status, placedOther.ProblemCode));
    }

    [Fact]
    public async Task An_invalid_idempotency_key_is_a_400()
    {
        var answer = await system.AssertChangesNothingAsync(() => system.Commands.PlaceRawAsync(OrderApi.SampleOrder, new string('k', 300)));

        Assert.Equal((HttpStatusCode.BadRequest, "idempotency-key-invalid"), (answer.Status, answer.ProblemCode));
    }
}
