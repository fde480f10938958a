using OrderDapr.Contracts;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// The projector over a store with Dapr's ETag rules: what a batch of deliveries writes, and that
// concurrent, repeated and unordered deliveries end in the same documents.
public class OrderProjectorTests
{
    private readonly InMemoryReadModelStore store = new();
    private readonly OrderProjector projector;

    public OrderProjectorTests() => projector = Projector(store);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CustomerOrdersHead? Head(string customerId = "customer-1") => store.Peek<CustomerOrdersHead>(ReadModelKeys.Initial.CustomerHead(customerId));

    private async Task<ProjectionOutcome> ProjectAsync(EventEnvelope envelope) =>
        (await projector.ProjectAsync([envelope], Ct)).Outcomes.Single();

    [Fact]
    public async Task An_OrderCreated_writes_the_order_and_indexes_it_for_its_customer()
    {
        await ProjectAsync(Event("order-1", 1, Created()));

        Assert.Equal(OrderStatus.Created, store.Peek<OrderView>("order-order-1")?.Status);
        var head = Head();
        Assert.NotNull(head);
        Assert.Equal(1, head.TotalCount);
        Assert.Equal(1, head.PageCount);
        Assert.Equal(1, head.CountOf(OrderStatus.Created));
        var page = store.Peek<CustomerOrdersPage>(ReadModelKeys.Initial.CustomerPage("customer-1", 0));
        Assert.Equal([new IndexEntry("order-1", T0.AddMinutes(1), T0.AddMinutes(1))], page?.Entries);
        Assert.Contains("\"countsByStatus\":{\"CREATED\":1}", store.RawJson(ReadModelKeys.Initial.CustomerHead("customer-1")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_change_moves_the_order_between_the_customer_counts()
    {
        await ProjectAsync(Event("order-1", 1, Created()));
        await ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));

        var head = Head();
        Assert.Equal(0, head?.CountOf(OrderStatus.Created));
        Assert.Equal(1, head?.CountOf(OrderStatus.Paid));
        Assert.Equal(1, head?.TotalCount);
    }

    [Fact]
    public async Task A_redelivered_event_writes_nothing()
    {
        var created = Event("order-1", 1, Created());
        await ProjectAsync(created);
        var commits = store.Commits;

        var outcome = await ProjectAsync(created);

        Assert.Equal(ProjectionOutcome.Duplicate, outcome);
        Assert.Equal(commits, store.Commits);
        Assert.Equal(1, Head()?.TotalCount);
    }

    [Fact]
    public async Task Events_before_OrderCreated_are_kept_and_index_nothing_until_it_arrives()
    {
        var events = DeliveredOrder("order-1");
        await ProjectAsync(events[3]);
        await ProjectAsync(events[1]);

        Assert.False(store.Peek<OrderView>("order-order-1")?.IsCreated);
        Assert.Null(Head());

        await ProjectAsync(events[2]);
        await ProjectAsync(events[0]);

        Assert.Equal(OrderStatus.Delivered, store.Peek<OrderView>("order-order-1")?.Status);
        var head = Head();
        Assert.Equal(1, head?.TotalCount);
        Assert.Equal(1, head?.CountOf(OrderStatus.Delivered));
        Assert.Equal(0, head?.CountOf(OrderStatus.Created));
    }

    [Fact]
    public async Task Concurrent_batches_never_lose_an_update()
    {
        // Five orders of one customer, spread over batches that two replicas project at once:
        // every batch touches the customer's head.
        var batches = Enumerable.Range(1, 5)
            .SelectMany(i => DeliveredOrder($"order-{i}"))
            .OrderBy(e => e.EventId.GetHashCode(StringComparison.Ordinal))
            .Chunk(3)
            .ToList();
        var other = Projector(store);

        // Like the sidecars: a batch whose entries were not committed is delivered again.
        await Task.WhenAll(batches.Select(async (batch, i) =>
        {
            var replica = i % 2 == 0 ? projector : other;
            IReadOnlyList<EventEnvelope> pending = batch;
            while (pending.Count > 0)
            {
                var projected = await replica.ProjectAsync(pending, Ct);
                pending = [.. pending.Where((_, j) => projected.Outcomes[j] == ProjectionOutcome.NotCommitted)];
            }
        }));

        var head = Head();
        Assert.Equal(5, head?.TotalCount);
        Assert.Equal(5, head?.CountOf(OrderStatus.Delivered));
        Assert.Equal(5, head?.CountsByStatus.Values.Sum());
        var page = store.Peek<CustomerOrdersPage>(ReadModelKeys.Initial.CustomerPage("customer-1", 0));
        Assert.Equal(["order-1", "order-2", "order-3", "order-4", "order-5"], page?.Entries.Select(e => e.OrderId));
        Assert.All(Enumerable.Range(1, 5), i =>
        {
            var order = store.Peek<OrderView>($"order-order-{i}");
            Assert.Equal(OrderStatus.Delivered, order?.Status);
            Assert.Empty(order?.Pending ?? []);
        });
    }

    [Fact]
    public async Task A_batch_writes_a_busy_customers_head_once_in_one_transaction()
    {
        var batch = Enumerable.Range(1, 40).Select(i => Event($"order-{i}", 1, Created(), at: T0.AddSeconds(i))).ToList();

        var projected = await projector.ProjectAsync(batch, Ct);

        Assert.All(projected.Outcomes, o => Assert.Equal(ProjectionOutcome.Applied, o));
        Assert.Equal(1, store.Commits);
        Assert.Equal(40 + 2, store.DocumentsWritten); // 40 orders, the head, one index page
        Assert.Equal(40, Head()?.TotalCount);
    }

    [Fact]
    public async Task An_event_and_its_duplicate_in_one_batch_apply_once()
    {
        var created = Event("order-1", 1, Created());

        var projected = await projector.ProjectAsync([created, Event("order-1", 2, new OrderPaid(25.25m, "payment-1")), created], Ct);

        Assert.Equal([ProjectionOutcome.Applied, ProjectionOutcome.Applied, ProjectionOutcome.Duplicate], projected.Outcomes);
        Assert.Equal(1, Head()?.TotalCount);
        Assert.Equal(1, Head()?.CountOf(OrderStatus.Paid));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1_000)]
    public async Task Projecting_a_new_order_touches_the_same_documents_however_many_orders_its_customer_has(int existing)
    {
        for (var i = 0; i < existing; i += 250)
        {
            await projector.ProjectAsync(
                [.. Enumerable.Range(i, Math.Min(250, existing - i)).Select(n => Event($"order-{n}", 1, Created(), at: T0.AddSeconds(n)))], Ct);
        }

        var (read, written) = (store.DocumentsRead, store.DocumentsWritten);
        await ProjectAsync(Event("order-new", 1, Created(), at: T0.AddDays(1)));

        // The order, the customer's head and its newest index page: read once, written once.
        Assert.Equal(3, store.DocumentsRead - read);
        Assert.Equal(3, store.DocumentsWritten - written);
    }

    [Fact]
    public async Task The_51st_order_of_a_customer_opens_a_second_index_page()
    {
        for (var i = 1; i <= 51; i++)
        {
            await ProjectAsync(Event($"order-{i}", 1, Created(), at: T0.AddMinutes(i)));
        }

        Assert.Equal(2, Head()?.PageCount);
        Assert.Equal(50, store.Peek<CustomerOrdersPage>(ReadModelKeys.Initial.CustomerPage("customer-1", 0))?.Entries.Count);
        Assert.Equal(["order-51"], store.Peek<CustomerOrdersPage>(ReadModelKeys.Initial.CustomerPage("customer-1", 1))?.Entries.Select(e => e.OrderId));
    }
}
