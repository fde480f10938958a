using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging.Abstractions;
using OrderDapr.Contracts;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// The projector over a store with Dapr's ETag rules: what one delivery writes, and that
// concurrent, repeated and unordered deliveries end in the same documents.
public class OrderProjectorTests
{
    private readonly InMemoryReadModelStore store = new();
    private readonly OrderProjector projector;

    public OrderProjectorTests() => projector = new OrderProjector(store, NullLogger<OrderProjector>.Instance);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CustomerOrdersHead? Head(string customerId = "customer-1") => store.Peek<CustomerOrdersHead>(ReadModelKeys.CustomerHead(customerId));

    [Fact]
    public async Task An_OrderCreated_writes_the_order_and_indexes_it_for_its_customer()
    {
        await projector.ProjectAsync(Event("order-1", 1, Created()), Ct);

        Assert.Equal(OrderStatus.Created, store.Peek<OrderView>("order-order-1")?.Status);
        var head = Head();
        Assert.NotNull(head);
        Assert.Equal(1, head.TotalCount);
        Assert.Equal(1, head.PageCount);
        Assert.Equal(1, head.CountOf(OrderStatus.Created));
        var page = store.Peek<CustomerOrdersPage>(ReadModelKeys.CustomerPage("customer-1", 0));
        Assert.Equal([new IndexEntry("order-1", T0.AddMinutes(1), T0.AddMinutes(1))], page?.Entries);
        Assert.Contains("\"countsByStatus\":{\"CREATED\":1}", store.RawJson(ReadModelKeys.CustomerHead("customer-1")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_change_moves_the_order_between_the_customer_counts()
    {
        await projector.ProjectAsync(Event("order-1", 1, Created()), Ct);
        await projector.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")), Ct);

        var head = Head();
        Assert.Equal(0, head?.CountOf(OrderStatus.Created));
        Assert.Equal(1, head?.CountOf(OrderStatus.Paid));
        Assert.Equal(1, head?.TotalCount);
    }

    [Fact]
    public async Task A_redelivered_event_writes_nothing()
    {
        var created = Event("order-1", 1, Created());
        await projector.ProjectAsync(created, Ct);
        var commits = store.Commits;

        var result = await projector.ProjectAsync(created, Ct);

        Assert.Equal(ProjectionOutcome.Duplicate, result.Outcome);
        Assert.Equal(commits, store.Commits);
        Assert.Equal(1, Head()?.TotalCount);
    }

    [Fact]
    public async Task Events_before_OrderCreated_are_kept_and_index_nothing_until_it_arrives()
    {
        var events = DeliveredOrder("order-1");
        await projector.ProjectAsync(events[3], Ct);
        await projector.ProjectAsync(events[1], Ct);

        Assert.False(store.Peek<OrderView>("order-order-1")?.IsCreated);
        Assert.Null(Head());

        await projector.ProjectAsync(events[2], Ct);
        await projector.ProjectAsync(events[0], Ct);

        Assert.Equal(OrderStatus.Delivered, store.Peek<OrderView>("order-order-1")?.Status);
        var head = Head();
        Assert.Equal(1, head?.TotalCount);
        Assert.Equal(1, head?.CountOf(OrderStatus.Delivered));
        Assert.Equal(0, head?.CountOf(OrderStatus.Created));
    }

    [Fact]
    public async Task Ten_concurrent_deliveries_never_lose_an_update()
    {
        // Five orders of one customer: every delivery touches the customer's head.
        var deliveries = Enumerable.Range(1, 5)
            .SelectMany(i => DeliveredOrder($"order-{i}"))
            .OrderBy(e => e.EventId.GetHashCode(StringComparison.Ordinal))
            .ToList();

        // Like the sidecar: up to 10 in flight, a failed delivery is delivered again.
        using var inFlight = new SemaphoreSlim(10);
        await Task.WhenAll(deliveries.Select(async envelope =>
        {
            await inFlight.WaitAsync(Ct);
            try
            {
                while (true)
                {
                    try
                    {
                        await projector.ProjectAsync(envelope, Ct);
                        return;
                    }
                    catch (InvalidOperationException)
                    {
                        // redelivered
                    }
                }
            }
            finally
            {
                inFlight.Release();
            }
        }));

        var head = Head();
        Assert.Equal(5, head?.TotalCount);
        Assert.Equal(5, head?.CountOf(OrderStatus.Delivered));
        Assert.Equal(5, head?.CountsByStatus.Values.Sum());
        var page = store.Peek<CustomerOrdersPage>(ReadModelKeys.CustomerPage("customer-1", 0));
        Assert.Equal(["order-1", "order-2", "order-3", "order-4", "order-5"], page?.Entries.Select(e => e.OrderId));
        Assert.All(Enumerable.Range(1, 5), i =>
        {
            var order = store.Peek<OrderView>($"order-order-{i}");
            Assert.Equal(OrderStatus.Delivered, order?.Status);
            Assert.Empty(order?.Pending ?? []);
        });
    }

    [Fact]
    public async Task The_51st_order_of_a_customer_opens_a_second_index_page()
    {
        for (var i = 1; i <= 51; i++)
        {
            await projector.ProjectAsync(Event($"order-{i}", 1, Created(), at: T0.AddMinutes(i)), Ct);
        }

        Assert.Equal(2, Head()?.PageCount);
        Assert.Equal(50, store.Peek<CustomerOrdersPage>(ReadModelKeys.CustomerPage("customer-1", 0))?.Entries.Count);
        Assert.Equal(["order-51"], store.Peek<CustomerOrdersPage>(ReadModelKeys.CustomerPage("customer-1", 1))?.Entries.Select(e => e.OrderId));
    }

    // The topic endpoint: what the sidecar is told for each kind of delivery.

    private static DefaultHttpContext Delivery(string body) => new()
    {
        Request = { Body = new MemoryStream(Encoding.UTF8.GetBytes(body)), ContentType = "application/json" },
    };

    private static string Json(EventEnvelope envelope) => JsonSerializer.Serialize(envelope, EventSerializer.Options);

    private async Task<object?> Deliver(string body) =>
        (await ProjectionEndpoints.ProjectAsync(Delivery(body).Request, projector, NullLogger<OrderProjector>.Instance, Ct)).Result;

    [Fact]
    public async Task A_projected_event_is_acknowledged()
    {
        var answer = Assert.IsType<Ok<TopicResponse>>(await Deliver(Json(Event("order-1", 1, Created()))));

        Assert.Equal("SUCCESS", answer.Value?.Status);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("\"a string\"")]
    [InlineData("{\"orderId\":\"order-1\",\"version\":\"two\"}")]
    [InlineData("{\"orderId\":\"order-1\",\"version\":1,\"type\":\"OrderCreated.v2\",\"data\":{\"items\":7}}")]
    public async Task Unreadable_data_is_dropped_to_the_dead_letter_topic_not_retried(string body)
    {
        var answer = Assert.IsType<Ok<TopicResponse>>(await Deliver(body));

        Assert.Equal("DROP", answer.Value?.Status);
    }

    [Fact]
    public async Task A_store_failure_answers_500_so_the_event_is_redelivered()
    {
        store.CommitFailure = new Dapr.DaprException("sidecar unreachable");

        var answer = Assert.IsType<ProblemHttpResult>(await Deliver(Json(Event("order-1", 1, Created()))));

        Assert.Equal(500, answer.StatusCode);
    }

    [Fact]
    public async Task A_full_pending_buffer_asks_the_sidecar_to_retry()
    {
        for (var version = 2; version < 2 + OrderViewProjection.MaxPending; version++)
        {
            await projector.ProjectAsync(Event("order-1", version, new OrderShipped($"t-{version}")), Ct);
        }

        var answer = Assert.IsType<Ok<TopicResponse>>(await Deliver(Json(Event("order-1", 200, new OrderDelivered()))));

        Assert.Equal("RETRY", answer.Value?.Status);
    }

    [Fact]
    public void An_event_of_unknown_type_is_dropped_to_the_dead_letter_topic()
    {
        var answer = ProjectionEndpoints.DropUnknownType(Delivery("{}").Request, NullLogger<OrderProjector>.Instance);

        Assert.Equal("DROP", answer.Value?.Status);
    }

    [Fact]
    public void Current_and_retired_event_types_are_routed_to_the_projection()
    {
        Assert.Contains("OrderCreated.v2", EventSerializer.KnownTypeNames);
        Assert.Contains("OrderCreated.v1", EventSerializer.KnownTypeNames);
        Assert.Contains("OrderPaid.v1", EventSerializer.KnownTypeNames);
        Assert.Contains("OrderShipped.v1", EventSerializer.KnownTypeNames);
        Assert.Contains("OrderDelivered.v1", EventSerializer.KnownTypeNames);
        Assert.Contains("OrderCancelled.v1", EventSerializer.KnownTypeNames);
    }
}
