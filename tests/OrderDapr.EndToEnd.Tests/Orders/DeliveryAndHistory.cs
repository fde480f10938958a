using System.Net;
using System.Text.Json;
using Dapr.Client;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

[Collection(nameof(RunningSystem))]
public sealed class DeliveryAndHistory(OrderSystem system)
{
    [Fact]
    public async Task A_redelivered_event_is_applied_once()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var orderId = await system.Commands.PlaceAsync(customer);
        await system.Commands.PayAsync(orderId, 19.98m);
        await system.GraphQL.OrderAtVersionAsync(orderId, 2);
        var published = await system.EventuallyPublishedAsync(orderId, 2);

        // Both again, the older one last: a duplicate arriving after a newer event.
        foreach (var cloudEvent in published.OrderByDescending(e => e.GetProperty("data").GetProperty("version").GetInt32()))
        {
            await system.RedeliverAsync(cloudEvent);
        }

        // A later order of the same customer, published after both copies reached the broker:
        // order-query receives the topic in the broker's order, so once it shows this order it has
        // been handed the copies too.
        var later = await system.Commands.PlaceAsync(customer);
        await system.GraphQL.OrderAtVersionAsync(later, 1);

        var order = await system.GraphQL.OrderAtVersionAsync(orderId, 2);
        Assert.Equal(("PAID", 2), (order.GetProperty("status").GetString(), order.GetProperty("version").GetInt32()));
        var orders = await system.GraphQL.QueryAsync(
            "query($c: String!) { orders(customerId: $c) { totalCount edges { node { id } } } }", new { c = customer });
        Assert.Equal(2, orders.GetProperty("orders").GetProperty("totalCount").GetInt32());
        Assert.Equal(
            new[] { orderId, later }.Order(StringComparer.Ordinal),
            orders.GetProperty("orders").GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_stream_written_with_an_older_event_shape_still_replays_and_accepts_commands()
    {
        var orderId = Guid.NewGuid().ToString();
        // What an earlier release stored: OrderCreated.v1 had no currency.
        var v1Stream = JsonSerializer.SerializeToElement(new
        {
            orderId,
            events = new[]
            {
                new
                {
                    eventId = Guid.NewGuid().ToString(),
                    orderId,
                    version = 1,
                    type = "OrderCreated.v1",
                    occurredAt = DateTimeOffset.UtcNow.AddDays(-30),
                    data = new { customerId = "c-legacy", items = new[] { new { productId = "p-1", quantity = 4, unitPrice = 2.5m } } },
                },
            },
            idempotency = new { },
        });
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(system.CommandSidecarGrpcEndpoint).UseDaprApiToken(system.Tokens["order-command"].DaprApiToken).Build();
        await dapr.SaveStateAsync("eventstore", $"order-{orderId}", v1Stream);

        var state = await system.Commands.GetAsync($"/orders/{orderId}");
        var paid = await system.Commands.PayAsync(orderId, 10m);

        Assert.Equal(HttpStatusCode.OK, state.Status);
        Assert.Equal("USD", state.Body.GetProperty("currency").GetString());
        Assert.Equal(10m, state.Body.GetProperty("total").GetDecimal());
        Assert.Equal("c-legacy", state.Body.GetProperty("customerId").GetString());
        Assert.Equal((HttpStatusCode.OK, 2), (paid.Status, paid.Version));
        var events = (await system.Commands.GetAsync($"/orders/{orderId}/events")).Body.GetProperty("events");
        Assert.Equal("OrderCreated.v1", events[0].GetProperty("type").GetString());
    }
}
