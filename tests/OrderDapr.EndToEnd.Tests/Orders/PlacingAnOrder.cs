using System.Net;
using System.Text.Json;
using OrderDapr.EndToEnd.Tests.Fixtures;

namespace OrderDapr.EndToEnd.Tests.Orders;

[Collection(nameof(RunningSystem))]
public sealed class PlacingAnOrder(OrderSystem system)
{
    [Fact]
    public async Task A_placed_order_is_stored_published_and_readable_through_graphql()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var before = DateTimeOffset.UtcNow;

        var placed = await system.Commands.PlaceRawAsync(
            $$"""{"customerId":"{{customer}}","items":[{"productId":"p-1","quantity":2,"unitPrice":9.99},{"productId":"p-2","quantity":1,"unitPrice":5}]}""");

        Assert.Equal(HttpStatusCode.Created, placed.Status);
        Assert.Equal(1, placed.Version);
        Assert.Equal($"/orders/{placed.OrderId}", placed.Response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", placed.Header("ETag"));

        var order = await system.GraphQL.OrderAtVersionAsync(placed.OrderId, 1);
        Assert.Equal(placed.OrderId, order.GetProperty("id").GetString());
        Assert.Equal(customer, order.GetProperty("customerId").GetString());
        Assert.Equal("CREATED", order.GetProperty("status").GetString());
        Assert.Equal(24.98m, order.GetProperty("total").GetDecimal());
        Assert.Equal("USD", order.GetProperty("currency").GetString());
        Assert.Equal(1, order.GetProperty("version").GetInt32());
        var items = order.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("p-1", items[0].GetProperty("productId").GetString());
        Assert.Equal(2, items[0].GetProperty("quantity").GetInt32());
        Assert.Equal(9.99m, items[0].GetProperty("unitPrice").GetDecimal());
        Assert.Equal("p-2", items[1].GetProperty("productId").GetString());
        Assert.Equal(1, items[1].GetProperty("quantity").GetInt32());
        Assert.Equal(5m, items[1].GetProperty("unitPrice").GetDecimal());
        var createdAt = order.GetProperty("createdAt").GetDateTimeOffset();
        Assert.InRange(createdAt, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(createdAt, order.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, order.GetProperty("paymentId").ValueKind);
    }

    [Fact]
    public async Task The_event_is_published_once_as_a_cloudevent_typed_by_its_stable_name()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}");

        var published = await system.EventuallyPublishedAsync(orderId, 1);

        var only = Assert.Single(published);
        Assert.Equal("OrderCreated.v2", only.GetProperty("type").GetString());
        Assert.Equal("order-command", only.GetProperty("source").GetString());
        Assert.Equal("orders", only.GetProperty("topic").GetString());
        Assert.Equal("orderpubsub", only.GetProperty("pubsubname").GetString());
        var data = only.GetProperty("data");
        Assert.Equal(orderId, data.GetProperty("orderId").GetString());
        Assert.Equal(1, data.GetProperty("version").GetInt32());
        Assert.Equal("OrderCreated.v2", data.GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_stream_and_the_replayed_state_are_served_by_the_command_side()
    {
        var orderId = await system.Commands.PlaceAsync($"c-{Guid.NewGuid():N}", unitPrice: 10m, quantity: 3);

        var events = await system.Commands.GetAsync($"/orders/{orderId}/events");
        var state = await system.Commands.GetAsync($"/orders/{orderId}");

        Assert.Equal(HttpStatusCode.OK, events.Status);
        var created = Assert.Single(events.Body.GetProperty("events").EnumerateArray());
        Assert.Equal("OrderCreated.v2", created.GetProperty("type").GetString());
        Assert.Equal(1, created.GetProperty("version").GetInt32());
        Assert.Equal(3, created.GetProperty("data").GetProperty("items")[0].GetProperty("quantity").GetInt32());
        Assert.Equal(HttpStatusCode.OK, state.Status);
        Assert.Equal("CREATED", state.Body.GetProperty("status").GetString());
        Assert.Equal(30m, state.Body.GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task An_unknown_order_is_a_404_problem_on_both_sides()
    {
        var unknown = Guid.NewGuid().ToString();

        var state = await system.Commands.GetAsync($"/orders/{unknown}");
        var events = await system.Commands.GetAsync($"/orders/{unknown}/events");
        var notAGuid = await system.Commands.GetAsync("/orders/not-an-order");

        foreach (var answer in new[] { state, events, notAGuid })
        {
            Assert.Equal(HttpStatusCode.NotFound, answer.Status);
            Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("order-not-found", answer.ProblemCode);
        }

        Assert.Null(await system.GraphQL.OrderAsync(unknown));
    }

    [Fact]
    public async Task Orders_of_a_customer_page_newest_first_with_cursors()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await system.Commands.PlaceAsync(customer));
        }

        foreach (var id in ids)
        {
            await system.GraphQL.OrderAtVersionAsync(id, 1);
        }

        const string page = "query($c: String!, $after: String) { orders(customerId: $c, first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }";
        var first = (await system.GraphQL.QueryAsync(page, new { c = customer })).GetProperty("orders");
        var firstIds = first.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()).ToList();
        Assert.Equal(3, first.GetProperty("totalCount").GetInt32());
        Assert.Equal([ids[2], ids[1]], firstIds);
        Assert.True(first.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());

        var after = first.GetProperty("pageInfo").GetProperty("endCursor").GetString();
        var second = (await system.GraphQL.QueryAsync(page, new { c = customer, after })).GetProperty("orders");
        var secondIds = second.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()).ToList();
        Assert.Equal([ids[0]], secondIds);
        Assert.False(second.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
    }
}
