using System.Net;
using System.Text.Json;
using OrderDapr.Contracts;
using OrderDapr.Query.GraphQL;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// orders(customerId, status, placedAfter, placedBefore, first, after) over HTTP, as a frontend
// lists a customer's orders: newest first, filtered, paged with the cursors it is given, and
// the limits that refuse a request before it reads anything.
public sealed class OrdersQueryTests
{
    private const string Orders = """
        query ($customerId: String!, $status: OrderStatus, $placedAfter: DateTime, $placedBefore: DateTime, $first: Int, $after: String) {
          orders(customerId: $customerId, status: $status, placedAfter: $placedAfter, placedBefore: $placedBefore, first: $first, after: $after) {
            totalCount
            edges { cursor node { id status createdAt } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          }
        }
        """;

    // Order n of customer-1 is placed n minutes after T0; its events arrive in another order.
    private static EventEnvelope Placed(int n, string customerId = "customer-1") =>
        Event($"order-{n}", 1, Created(customerId), at: T0.AddMinutes(n));

    private static EventEnvelope PaidOf(int n) => Event($"order-{n}", 2, new OrderPaid(25.25m, $"payment-{n}"), at: T0.AddMinutes(n).AddSeconds(30));

    private static async Task ProjectAsync(QueryHost host, IEnumerable<EventEnvelope> events)
    {
        // Bulk deliveries of at most 250 entries, as the sidecar makes them.
        foreach (var batch in events.Chunk(250))
        {
            await host.ProjectAsync(batch);
        }
    }

    private static IEnumerable<EventEnvelope> Shuffled(IEnumerable<EventEnvelope> events) =>
        events.OrderBy(e => e.EventId.GetHashCode(StringComparison.Ordinal)); // stable within a run, not by time

    private static string Id(int n) => $"order-{n}";

    private sealed record Page(int TotalCount, IReadOnlyList<string> Ids, IReadOnlyList<string> Cursors, bool HasNextPage, bool HasPreviousPage, string? StartCursor, string? EndCursor);

    private static async Task<Page> PageAsync(QueryHost host, object variables)
    {
        var (status, body) = await host.GraphQLAsync(Orders, variables);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.TryGetProperty("errors", out var errors), errors.ToString());
        var orders = body.GetProperty("data").GetProperty("orders");
        var edges = orders.GetProperty("edges").EnumerateArray().ToList();
        var pageInfo = orders.GetProperty("pageInfo");
        return new Page(
            orders.GetProperty("totalCount").GetInt32(),
            [.. edges.Select(e => e.GetProperty("node").GetProperty("id").GetString()!)],
            [.. edges.Select(e => e.GetProperty("cursor").GetString()!)],
            pageInfo.GetProperty("hasNextPage").GetBoolean(),
            pageInfo.GetProperty("hasPreviousPage").GetBoolean(),
            pageInfo.GetProperty("startCursor").GetString(),
            pageInfo.GetProperty("endCursor").GetString());
    }

    // Follows endCursor until hasNextPage is false; the ids in the order they came, and the page sizes.
    private static async Task<(List<string> Ids, List<int> Sizes)> AllPagesAsync(QueryHost host, int first, string? status = null, DateTimeOffset? placedAfter = null, DateTimeOffset? placedBefore = null)
    {
        var ids = new List<string>();
        var sizes = new List<int>();
        string? after = null;
        for (var requests = 0; ; requests++)
        {
            Assert.True(requests < 1_000, "The pages never end");
            var page = await PageAsync(host, new { customerId = "customer-1", status, placedAfter, placedBefore, first, after });
            Assert.True(page.Ids.Count <= first, $"A page of {page.Ids.Count} orders for first: {first}");
            Assert.False(page.HasPreviousPage);
            Assert.Equal(page.Cursors.FirstOrDefault(), page.StartCursor);
            ids.AddRange(page.Ids);
            sizes.Add(page.Ids.Count);
            if (!page.HasNextPage)
            {
                return (ids, sizes);
            }

            Assert.NotNull(page.EndCursor);
            after = page.EndCursor;
        }
    }

    [Fact]
    public async Task Orders_come_newest_first_whatever_the_order_their_events_arrived_in()
    {
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, Shuffled(Enumerable.Range(1, 8).Select(n => Placed(n))));

        var page = await PageAsync(host, new { customerId = "customer-1", first = 5 });

        Assert.Equal(8, page.TotalCount);
        Assert.Equal([Id(8), Id(7), Id(6), Id(5), Id(4)], page.Ids);
        Assert.True(page.HasNextPage);
        Assert.Equal(page.Cursors[^1], page.EndCursor);
    }

    [Fact]
    public async Task Only_the_customers_own_orders_are_listed()
    {
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, [Placed(1), Placed(2, "customer-2"), Placed(3)]);

        var page = await PageAsync(host, new { customerId = "customer-1" });

        Assert.Equal([Id(3), Id(1)], page.Ids);
        Assert.Equal(2, page.TotalCount);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(50)]
    [InlineData(100)]
    public async Task Paging_through_several_index_pages_lists_every_order_once_in_order(int first)
    {
        const int Count = 2 * CustomerOrderIndex.PageSize + 23;
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, Shuffled(Enumerable.Range(1, Count).Select(n => Placed(n))));

        var (ids, sizes) = await AllPagesAsync(host, first);

        Assert.Equal(Enumerable.Range(1, Count).Reverse().Select(Id), ids);
        Assert.All(sizes[..^1], size => Assert.Equal(first, size)); // without a filter every page is full but the last
    }

    [Fact]
    public async Task Paging_by_status_over_several_index_pages_lists_every_match_once_in_order()
    {
        const int Count = 3 * CustomerOrderIndex.PageSize;
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, Shuffled(Enumerable.Range(1, Count).Select(n => Placed(n))));
        await ProjectAsync(host, Enumerable.Range(1, Count).Where(n => n % 3 == 0).Select(PaidOf));

        var (paid, _) = await AllPagesAsync(host, first: 4, status: "PAID");
        var (created, _) = await AllPagesAsync(host, first: 30, status: "CREATED");

        Assert.Equal(Enumerable.Range(1, Count).Where(n => n % 3 == 0).Reverse().Select(Id), paid);
        Assert.Equal(Enumerable.Range(1, Count).Where(n => n % 3 != 0).Reverse().Select(Id), created);
        Assert.Equal(Count / 3, (await PageAsync(host, new { customerId = "customer-1", status = "PAID", first = 1 })).TotalCount);
    }

    [Fact]
    public async Task placedAfter_is_inclusive_placedBefore_exclusive_and_totalCount_ignores_them()
    {
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, Enumerable.Range(1, 10).Select(n => Placed(n)));

        var page = await PageAsync(host, new { customerId = "customer-1", placedAfter = T0.AddMinutes(3), placedBefore = T0.AddMinutes(7) });
        var after = await PageAsync(host, new { customerId = "customer-1", placedAfter = T0.AddMinutes(9) });
        var before = await PageAsync(host, new { customerId = "customer-1", placedBefore = T0.AddMinutes(3) });

        Assert.Equal([Id(6), Id(5), Id(4), Id(3)], page.Ids);
        Assert.False(page.HasNextPage);
        Assert.Equal(10, page.TotalCount);
        Assert.Equal([Id(10), Id(9)], after.Ids);
        Assert.Equal([Id(2), Id(1)], before.Ids);
    }

    [Fact]
    public async Task Times_with_an_offset_are_compared_as_the_instant_they_name()
    {
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, Enumerable.Range(1, 4).Select(n => Placed(n)));

        // 12:02+02:00 is 10:02Z, T0 + 2 minutes.
        var page = await PageAsync(host, new { customerId = "customer-1", placedAfter = "2025-03-01T12:02:00+02:00" });

        Assert.Equal([Id(4), Id(3), Id(2)], page.Ids);
    }

    [Fact]
    public async Task Consecutive_date_ranges_neither_overlap_nor_leave_gaps_and_page_across_index_pages()
    {
        const int Count = 2 * CustomerOrderIndex.PageSize + 10;
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, Shuffled(Enumerable.Range(1, Count).Select(n => Placed(n))));
        var split = T0.AddMinutes(61);

        var (older, _) = await AllPagesAsync(host, first: 9, placedBefore: split);
        var (newer, _) = await AllPagesAsync(host, first: 9, placedAfter: split);

        Assert.Equal(Enumerable.Range(61, Count - 60).Reverse().Select(Id), newer);
        Assert.Equal(Enumerable.Range(1, 60).Reverse().Select(Id), older);
    }

    [Fact]
    public async Task Status_and_dates_combine()
    {
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, Enumerable.Range(1, 10).Select(n => Placed(n)));
        await ProjectAsync(host, [PaidOf(2), PaidOf(4), PaidOf(6), PaidOf(8)]);

        var page = await PageAsync(host, new { customerId = "customer-1", status = "PAID", placedAfter = T0.AddMinutes(3), placedBefore = T0.AddMinutes(8) });

        Assert.Equal([Id(6), Id(4)], page.Ids);
        Assert.Equal(4, page.TotalCount);
    }

    [Fact]
    public async Task A_cursor_stays_valid_while_new_orders_arrive()
    {
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, Enumerable.Range(1, CustomerOrderIndex.PageSize + 5).Select(n => Placed(n)));
        var first = await PageAsync(host, new { customerId = "customer-1", first = 10 });

        // Newer orders, enough to close the newest index page and open another.
        await ProjectAsync(host, Enumerable.Range(1_000, CustomerOrderIndex.PageSize).Select(n => Placed(n)));
        var rest = new List<string>(first.Ids);
        string? after = first.EndCursor;
        Page page;
        do
        {
            page = await PageAsync(host, new { customerId = "customer-1", first = 10, after });
            rest.AddRange(page.Ids);
            after = page.EndCursor;
        }
        while (page.HasNextPage);

        Assert.Equal(Enumerable.Range(1, CustomerOrderIndex.PageSize + 5).Reverse().Select(Id), rest);
    }

    [Fact]
    public async Task first_0_lists_no_order_but_counts_them()
    {
        await using var host = await QueryHost.StartAsync();
        await ProjectAsync(host, [Placed(1), Placed(2)]);

        var page = await PageAsync(host, new { customerId = "customer-1", first = 0 });

        Assert.Empty(page.Ids);
        Assert.Equal(2, page.TotalCount);
    }

    [Fact]
    public async Task A_customer_without_orders_and_an_id_the_store_cannot_hold_have_empty_connections()
    {
        await using var host = await QueryHost.StartAsync();

        var nobody = await PageAsync(host, new { customerId = "nobody" });
        var invalid = await PageAsync(host, new { customerId = "a||b" });

        Assert.Equal((0, false, null), (nobody.TotalCount, nobody.HasNextPage, nobody.EndCursor));
        Assert.Equal((0, false, null), (invalid.TotalCount, invalid.HasNextPage, invalid.EndCursor));
    }

    [Theory]
    [InlineData(QueryType.MaxFirst + 1)]
    [InlineData(-1)]
    public async Task first_outside_0_to_100_is_refused_naming_the_bounds(int first)
    {
        await using var host = await QueryHost.StartAsync();

        var (status, body) = await host.GraphQLAsync(Orders, new { customerId = "customer-1", first });

        Assert.Equal(HttpStatusCode.OK, status); // a field error: the request ran
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal("first must be between 0 and 100.", error.GetProperty("message").GetString());
        Assert.Equal("BAD_USER_INPUT", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task A_cursor_of_something_else_is_refused()
    {
        await using var host = await QueryHost.StartAsync();

        var (_, body) = await host.GraphQLAsync(Orders, new { customerId = "customer-1", after = "not a cursor" });

        Assert.Equal("after is not a cursor of this connection.", Assert.Single(body.GetProperty("errors").EnumerateArray()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_query_nested_deeper_than_the_limit_is_refused_before_it_runs()
    {
        await using var host = await QueryHost.StartAsync();
        var deep = "{ __type(name: \"Order\") { " + string.Concat(Enumerable.Repeat("ofType { ", GraphQLExecution.MaxDepth)) + "name" + new string('}', GraphQLExecution.MaxDepth + 2);
        var reads = host.Store.ReadLog.Count;

        var (status, body) = await host.GraphQLAsync(deep);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(body.TryGetProperty("data", out _));
        var message = Assert.Single(body.GetProperty("errors").EnumerateArray()).GetProperty("message").GetString();
        Assert.Contains("too nested", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"{GraphQLExecution.MaxDepth}", message, StringComparison.Ordinal);
        Assert.Equal(reads, host.Store.ReadLog.Count);
    }

    [Fact]
    public async Task A_query_within_the_depth_limit_runs()
    {
        await using var host = await QueryHost.StartAsync();
        var deep = "{ __type(name: \"Order\") { " + string.Concat(Enumerable.Repeat("ofType { ", GraphQLExecution.MaxDepth - 2)) + "name" + new string('}', GraphQLExecution.MaxDepth);

        var (status, body) = await host.GraphQLAsync(deep);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.TryGetProperty("errors", out var errors), errors.ToString());
    }

    [Fact]
    public async Task A_query_over_the_complexity_limit_is_refused_before_it_reads_anything()
    {
        await using var host = await QueryHost.StartAsync();
        const string Connection = """orders(customerId: "customer-1", first: 100) { totalCount edges { cursor node { id customerId status total currency version createdAt updatedAt items { productId quantity unitPrice } } } }""";
        var reads = host.Store.ReadLog.Count;

        var (status, body) = await host.GraphQLAsync($"{{ a: {Connection} b: {Connection} }}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(body.TryGetProperty("data", out _));
        var message = Assert.Single(body.GetProperty("errors").EnumerateArray()).GetProperty("message").GetString();
        Assert.Contains("complexity", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("5000", message!.Replace(",", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(reads, host.Store.ReadLog.Count);
    }
}
