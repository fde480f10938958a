using Microsoft.Extensions.Options;
using OrderDapr.Contracts;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// Paging a customer's orders through the append-only index pages of 50.
public class CustomerOrderIndexTests
{
    private readonly InMemoryReadModelStore store = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // order-1 .. order-{count} of customer-1, created i minutes after T0 and projected in that
    // order; every third is paid, order-7 cancelled.
    private async Task GivenOrders(int count, string customerId = "customer-1")
    {
        var projector = Projector(store);
        for (var i = 1; i <= count; i++)
        {
            await projector.ProjectAsync([Event($"order-{i}", 1, Created(customerId), at: T0.AddMinutes(i))], Ct);
            if (i % 3 == 0)
            {
                await projector.ProjectAsync([Event($"order-{i}", 2, new OrderPaid(1m, $"payment-{i}"))], Ct);
            }
            else if (i == 7)
            {
                await projector.ProjectAsync([Event($"order-{i}", 2, new OrderCancelled("duplicate order"))], Ct);
            }
        }
    }

    private Task<OrderConnection> Read(int first, string? after = null, OrderStatus? status = null, int maxPages = OrderQueries.DefaultMaxPagesPerRequest) =>
        Queries(maxPages).GetCustomerOrdersAsync("customer-1", new OrderFilter(status), first, after is null ? null : Decode(after), Ct);

    private OrderQueries Queries(int maxPages = OrderQueries.DefaultMaxPagesPerRequest) =>
        new(store, new Generations(store, TimeProvider.System), new OrderViewCache(Options.Create(new ReadCacheOptions()), TimeProvider.System), maxPages);

    private static OrderCursor Decode(string cursor) => OrderCursor.TryDecode(cursor, out var decoded) ? decoded : throw new FormatException(cursor);

    private static string[] Ids(OrderConnection connection) => connection.Edges.Select(e => e.Node.Id).ToArray();

    private static string[] OrderIds(params int[] numbers) => numbers.Select(n => $"order-{n}").ToArray();

    [Fact]
    public async Task Orders_come_newest_first_with_a_cursor_per_edge()
    {
        await GivenOrders(120);

        var connection = await Read(first: 5);

        Assert.Equal(OrderIds(120, 119, 118, 117, 116), Ids(connection));
        Assert.Equal(120, connection.TotalCount);
        Assert.True(connection.PageInfo.HasNextPage);
        Assert.False(connection.PageInfo.HasPreviousPage);
        Assert.Equal(connection.Edges[0].Cursor, connection.PageInfo.StartCursor);
        Assert.Equal(connection.Edges[^1].Cursor, connection.PageInfo.EndCursor);
    }

    [Fact]
    public async Task Following_endCursor_visits_every_order_once_across_index_pages()
    {
        await GivenOrders(120);

        var seen = new List<string>();
        string? after = null;
        var requests = 0;
        while (true)
        {
            var connection = await Read(first: 7, after);
            requests++;
            seen.AddRange(Ids(connection));
            if (!connection.PageInfo.HasNextPage)
            {
                break;
            }

            after = connection.PageInfo.EndCursor;
        }

        Assert.Equal(Enumerable.Range(1, 120).Reverse().Select(n => $"order-{n}"), seen);
        Assert.Equal(18, requests);
    }

    [Fact]
    public async Task A_page_that_ends_exactly_at_an_index_page_boundary_has_no_next_page()
    {
        await GivenOrders(50);

        var all = await Read(first: 50);
        var allButOne = await Read(first: 49);

        Assert.Equal(50, all.Edges.Count);
        Assert.False(all.PageInfo.HasNextPage);
        Assert.True(allButOne.PageInfo.HasNextPage);
        Assert.Equal(OrderIds(1), Ids(await Read(first: 10, allButOne.PageInfo.EndCursor)));
    }

    [Fact]
    public async Task A_status_filter_returns_and_counts_only_orders_in_that_status()
    {
        await GivenOrders(120);

        var paid = await Read(first: 100, status: OrderStatus.Paid);

        Assert.Equal(40, paid.TotalCount);
        Assert.Equal(Enumerable.Range(1, 40).Reverse().Select(n => $"order-{n * 3}"), Ids(paid));
        Assert.False(paid.PageInfo.HasNextPage);
        Assert.All(paid.Edges, e => Assert.Equal(OrderStatus.Paid, e.Node.Status));
    }

    [Fact]
    public async Task A_rare_status_is_searched_a_bounded_number_of_pages_per_request()
    {
        await GivenOrders(120);

        // Only order-7 is cancelled: it lies on the oldest of three index pages.
        var first = await Read(first: 5, status: OrderStatus.Cancelled, maxPages: 1);
        Assert.Empty(first.Edges);
        Assert.True(first.PageInfo.HasNextPage);
        Assert.Equal(1, first.TotalCount);

        var second = await Read(first: 5, first.PageInfo.EndCursor, OrderStatus.Cancelled, maxPages: 1);
        Assert.Empty(second.Edges);
        Assert.True(second.PageInfo.HasNextPage);

        var third = await Read(first: 5, second.PageInfo.EndCursor, OrderStatus.Cancelled, maxPages: 1);
        Assert.Equal(OrderIds(7), Ids(third));
        Assert.False(third.PageInfo.HasNextPage);
    }

    [Fact]
    public async Task A_cursor_stays_valid_while_new_orders_arrive()
    {
        await GivenOrders(20);
        var firstPage = await Read(first: 5);

        await GivenOrdersFrom(21, 25);
        var secondPage = await Read(first: 5, firstPage.PageInfo.EndCursor);

        Assert.Equal(OrderIds(15, 14, 13, 12, 11), Ids(secondPage));
        Assert.Equal(25, secondPage.TotalCount);
    }

    private async Task GivenOrdersFrom(int from, int to)
    {
        var projector = Projector(store);
        for (var i = from; i <= to; i++)
        {
            await projector.ProjectAsync([Event($"order-{i}", 1, Created(), at: T0.AddMinutes(i))], Ct);
        }
    }

    [Fact]
    public async Task Asking_for_no_edges_still_tells_whether_orders_exist()
    {
        await GivenOrders(3);

        var connection = await Read(first: 0);

        Assert.Empty(connection.Edges);
        Assert.True(connection.PageInfo.HasNextPage);
        Assert.Equal(3, connection.TotalCount);
    }

    [Fact]
    public async Task A_customer_without_orders_has_an_empty_connection()
    {
        var connection = await Read(first: 20);

        Assert.Empty(connection.Edges);
        Assert.False(connection.PageInfo.HasNextPage);
        Assert.Null(connection.PageInfo.EndCursor);
        Assert.Equal(0, connection.TotalCount);
    }

    [Fact]
    public async Task Orders_placed_a_moment_apart_are_listed_by_creation_time_whatever_order_they_are_projected_in()
    {
        var projector = Projector(store);
        await projector.ProjectAsync([Event("order-b", 1, Created(), at: T0.AddMilliseconds(20))], Ct);
        await projector.ProjectAsync([Event("order-c", 1, Created(), at: T0.AddMilliseconds(30))], Ct);
        await projector.ProjectAsync([Event("order-a", 1, Created(), at: T0.AddMilliseconds(10))], Ct);

        Assert.Equal(["order-c", "order-b", "order-a"], Ids(await Read(first: 10)));
    }

    [Fact]
    public async Task A_late_order_appears_in_its_place_below_a_cursor_taken_before_it_arrived()
    {
        var projector = Projector(store);
        foreach (var i in new[] { 1, 2, 3, 4, 6, 7, 8, 9, 10 })
        {
            await projector.ProjectAsync([Event($"order-{i}", 1, Created(), at: T0.AddMinutes(i))], Ct);
        }

        var firstPage = await Read(first: 3);
        await projector.ProjectAsync([Event("order-5", 1, Created(), at: T0.AddMinutes(5))], Ct);
        var rest = await Read(first: 10, firstPage.PageInfo.EndCursor);

        Assert.Equal(OrderIds(10, 9, 8), Ids(firstPage));
        Assert.Equal(OrderIds(7, 6, 5, 4, 3, 2, 1), Ids(rest));
    }

    private static CustomerOrdersPage FullPage() => new("customer-1", 0)
    {
        Entries = Enumerable.Range(10, 50).Select(n => new IndexEntry($"order-{n}", T0.AddMinutes(n), T0.AddMinutes(n))).ToList(),
    };

    [Fact]
    public void The_51st_order_opens_a_page_whose_floor_is_the_newest_entry_before_it()
    {
        var head = new CustomerOrdersHead("customer-1") { PageCount = 1, TotalCount = 50 };

        var (newHead, page) = CustomerOrderIndex.Append(head, FullPage(),
            new IndexChange.Added("customer-1", "order-60", T0.AddMinutes(60), OrderStatus.Created));

        Assert.Equal(1, page.Page);
        Assert.Equal(new IndexKey(T0.AddMinutes(59), "order-59"), page.Floor);
        Assert.Equal([new IndexEntry("order-60", T0.AddMinutes(60), T0.AddMinutes(60))], page.Entries);
        Assert.Equal(2, newHead.PageCount);
        Assert.Equal(51, newHead.TotalCount);
        Assert.Equal(1, newHead.CountOf(OrderStatus.Created));
    }

    [Fact]
    public void An_order_older_than_a_closed_page_sorts_at_the_bottom_of_the_newest_page()
    {
        var head = new CustomerOrdersHead("customer-1") { PageCount = 1, TotalCount = 50 };

        var (_, page) = CustomerOrderIndex.Append(head, FullPage(),
            new IndexChange.Added("customer-1", "order-late", T0, OrderStatus.Created));

        var entry = Assert.Single(page.Entries);
        Assert.Equal(T0, entry.CreatedAt);
        Assert.True(entry.Key > page.Floor!);
        Assert.Equal(T0.AddMinutes(59).AddTicks(1), entry.SortedAt);
    }

    [Fact]
    public void A_cursor_round_trips_and_is_opaque()
    {
        var atEntry = new OrderCursor(3, new IndexKey(T0, "order:with:colons"));
        var atPage = new OrderCursor(2, null);

        Assert.True(OrderCursor.TryDecode(atEntry.Encode(), out var decodedEntry));
        Assert.True(OrderCursor.TryDecode(atPage.Encode(), out var decodedPage));
        Assert.Equal(atEntry, decodedEntry);
        Assert.Equal(atPage, decodedPage);
        Assert.DoesNotContain("order", atEntry.Encode(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("NDI=")] // "42"
    [InlineData("b3JkZXItaW5kZXg6LTE=")] // "order-index:-1"
    [InlineData("b3JkZXItaW5kZXg6MTox")] // "order-index:1:1" (no order id)
    public void A_string_that_is_no_cursor_of_ours_is_refused(string cursor) =>
        Assert.False(OrderCursor.TryDecode(cursor, out _));

    [Fact]
    public async Task Keys_never_hold_the_separator_Dapr_refuses()
    {
        await GivenOrders(3);

        Assert.All(store.Keys, key => Assert.DoesNotContain("||", key, StringComparison.Ordinal));
        Assert.Contains(ReadModelKeys.Initial.CustomerHead("customer-1"), store.Keys);
        Assert.Equal(OrderConnection.Empty, await Queries().GetCustomerOrdersAsync("a||b", OrderFilter.None, 5, null, Ct));
    }

    [Fact]
    public void A_customer_id_cannot_make_its_head_collide_with_another_customers_page()
    {
        Assert.NotEqual(ReadModelKeys.Initial.CustomerHead("x-orders-0"), ReadModelKeys.Initial.CustomerPage("x", 0));
        Assert.NotEqual(ReadModelKeys.Initial.CustomerHead("page-0-x"), ReadModelKeys.Initial.CustomerPage("x", 0));
        Assert.NotEqual(ReadModelKeys.Initial.CustomerPage("0-x", 1), ReadModelKeys.Initial.CustomerPage("x", 10));
    }
}
