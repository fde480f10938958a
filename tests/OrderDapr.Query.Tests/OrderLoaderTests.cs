using System.Text.Json;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// What a request costs the `readmodel` store, counted on the store (calls, not time): the `order`
// fields of a request are read together, a page of orders is read in one bulk read however many
// it holds, and what the change feed delivered is served from the read cache.
public sealed class OrderLoaderTests
{
    // No read cache: every order is read from the store.
    private static Task<QueryHost> StartUncachedAsync() =>
        QueryHost.StartAsync(settings: new Dictionary<string, string?> { ["ReadCache:MaxAge"] = "00:00:00" });

    private static string Ids(int count) => string.Concat(Enumerable.Range(1, count).Select(i => $"o{i}: order(id: \"order-{i}\") {{ id version }} "));

    // The store calls that read order documents, from `since` (an index in the read log) on.
    private static IReadOnlyList<(bool Bulk, IReadOnlyList<string> Keys)> OrderReads(QueryHost host, int since) =>
        [.. host.Store.ReadLog.Skip(since).Where(r => r.Keys.Any(k => k.StartsWith("order-", StringComparison.Ordinal)))];

    private static async Task<JsonElement> DataAsync(QueryHost host, string query)
    {
        var (_, body) = await host.GraphQLAsync(query);
        Assert.False(body.TryGetProperty("errors", out var errors), errors.ToString());
        return body.GetProperty("data");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public async Task The_orders_of_one_request_are_read_in_one_bulk_read(int count)
    {
        await using var host = await StartUncachedAsync();
        await host.ProjectAsync([.. Enumerable.Range(1, count).Select(i => Event($"order-{i}", 1, Created()))]);
        var since = host.Store.ReadLog.Count;

        var data = await DataAsync(host, $"{{ {Ids(count)} }}");

        var read = Assert.Single(OrderReads(host, since));
        Assert.True(read.Bulk);
        Assert.Equal(count, read.Keys.Count);
        Assert.All(Enumerable.Range(1, count), i => Assert.Equal($"order-{i}", data.GetProperty($"o{i}").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task An_order_asked_for_twice_is_read_once()
    {
        await using var host = await StartUncachedAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()));
        var since = host.Store.ReadLog.Count;

        var data = await DataAsync(host, """{ a: order(id: "order-1") { id } b: order(id: "order-1") { version } c: order(id: "order-1", atLeastVersion: 1) { status } }""");

        var read = Assert.Single(OrderReads(host, since));
        Assert.Equal(["order-order-1"], read.Keys);
        Assert.Equal("CREATED", data.GetProperty("c").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Orders_that_do_not_exist_cost_no_more_and_are_null()
    {
        await using var host = await StartUncachedAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()));
        var since = host.Store.ReadLog.Count;

        var data = await DataAsync(host, """{ a: order(id: "order-1") { id } b: order(id: "missing") { id } c: order(id: "a||b") { id } }""");

        Assert.Single(OrderReads(host, since)); // an id the store cannot hold is not even asked for
        Assert.Equal(JsonValueKind.Null, data.GetProperty("b").ValueKind);
        Assert.Equal(JsonValueKind.Null, data.GetProperty("c").ValueKind);
    }

    // 120 orders: index pages of 50, 50 and 20 entries, the newest page first.
    [Theory]
    [InlineData(10, 1)]
    [InlineData(100, 3)]
    public async Task A_page_of_orders_is_read_in_one_bulk_read_however_many_it_holds(int first, int indexPages)
    {
        await using var host = await StartUncachedAsync();
        await host.ProjectAsync([.. Enumerable.Range(1, 120).Select(i => Event($"order-{i}", 1, Created(), at: T0.AddSeconds(i)))]);
        var since = host.Store.ReadLog.Count;

        var data = await DataAsync(host, $$"""{ orders(customerId: "customer-1", first: {{first}}) { edges { node { id status total } } } }""");

        Assert.Equal(first, data.GetProperty("orders").GetProperty("edges").GetArrayLength());
        var reads = host.Store.ReadLog.Skip(since).ToList();
        var orderReads = OrderReads(host, since);
        var read = Assert.Single(orderReads);
        Assert.True(read.Bulk);
        Assert.Equal(first, read.Keys.Count);

        // Besides: the customer's head, and each index page the page spans, once.
        var indexReads = reads.Where(r => r.Keys.Any(k => k.StartsWith("customer-", StringComparison.Ordinal))).ToList();
        Assert.Equal(1 + indexPages, indexReads.Count);
    }

    [Fact]
    public async Task A_page_filtered_by_status_reads_the_orders_of_each_index_page_in_one_bulk_read()
    {
        await using var host = await StartUncachedAsync();
        await host.ProjectAsync([.. Enumerable.Range(1, 120).Select(i => Event($"order-{i}", 1, Created(), at: T0.AddSeconds(i)))]);
        var since = host.Store.ReadLog.Count;

        // No order is paid: every index page is searched, each with one read of its orders.
        var data = await DataAsync(host, """{ orders(customerId: "customer-1", status: PAID, first: 10) { edges { node { id } } pageInfo { hasNextPage } } }""");

        Assert.Equal(0, data.GetProperty("orders").GetProperty("edges").GetArrayLength());
        var reads = OrderReads(host, since);
        Assert.Equal(3, reads.Count); // pages of 50, 50 and 20 entries
        Assert.All(reads, r => Assert.True(r.Bulk));
        Assert.Equal([20, 50, 50], reads.Select(r => r.Keys.Count).Order());
    }

    [Fact]
    public async Task Orders_the_change_feed_delivered_are_served_from_the_read_cache_until_it_ages()
    {
        await using var host = await QueryHost.StartAsync(); // read cache on (ReadCache:MaxAge 10 s)
        await host.ProjectAsync([.. Enumerable.Range(1, 5).Select(i => Event($"order-{i}", 1, Created()))]);
        await host.Broker.PublishedAsync(1);
        var since = host.Store.ReadLog.Count;

        await DataAsync(host, $"{{ {Ids(5)} }}");
        var cached = OrderReads(host, since).Count;
        host.Time.Advance(TimeSpan.FromSeconds(10));
        await DataAsync(host, $"{{ {Ids(5)} }}");

        Assert.Equal(0, cached);
        Assert.Single(OrderReads(host, since));
    }

    [Fact]
    public async Task A_read_that_asks_for_a_newer_version_than_the_cache_holds_goes_to_the_store()
    {
        await using var host = await QueryHost.StartAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()));
        await host.Broker.PublishedAsync(1);
        host.Broker.Failure = new InvalidOperationException("pub/sub unreachable");
        await host.ProjectAsync(Event("order-1", 2, new OrderDapr.Contracts.OrderPaid(25.25m, "payment-1")));

        var cached = await DataAsync(host, """{ order(id: "order-1") { version } }""");
        var fresh = await DataAsync(host, """{ order(id: "order-1", atLeastVersion: 2) { version } }""");

        Assert.Equal(1, cached.GetProperty("order").GetProperty("version").GetInt32()); // the feed missed version 2
        Assert.Equal(2, fresh.GetProperty("order").GetProperty("version").GetInt32());
    }
}
