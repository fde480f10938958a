using System.Text;
using System.Text.Json;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrderDapr.Contracts;
using OrderDapr.Query.DeadLetters;
using OrderDapr.Query.Projections;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Subscriptions;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Deliveries;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// The routes the sidecar calls, driven through their handlers: what the sidecar is told for each
// entry of a delivery, and which events are parked as dead letters, with which reason.
public class SubscriptionEndpointsTests
{
    private readonly InMemoryReadModelStore store = new();
    private readonly FakeTimeProvider time = new(T0);
    private readonly OrderProjector projector;
    private readonly DeadLetterStore deadLetters;

    public SubscriptionEndpointsTests()
    {
        projector = Projector(store);
        deadLetters = new DeadLetterStore(store, NullLogger<DeadLetterStore>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpRequest Post(string body) => new DefaultHttpContext
    {
        Request = { Body = new MemoryStream(Encoding.UTF8.GetBytes(body)), ContentType = "application/json" },
    }.Request;

    private static IReadOnlyList<string> Statuses(IResult result) =>
        [.. Assert.IsType<Ok<BulkSubscribeAppResponse>>(result).Value!.Statuses.Select(s => $"{s.EntryId}:{s.Status}")];

    private async Task<IReadOnlyList<string>> Deliver(string body) =>
        Statuses((await SubscriptionEndpoints.ProjectAsync(Post(body), projector, deadLetters, time, NullLogger<OrderProjector>.Instance, Ct)).Result);

    private async Task<IReadOnlyList<string>> DeliverUnknownType(string body) =>
        Statuses((await SubscriptionEndpoints.DropUnknownTypeAsync(Post(body), deadLetters, time, NullLogger<OrderProjector>.Instance, Ct)).Result);

    private async Task<IResult> DeliverDeadLetter(JsonElement cloudEvent) =>
        (await SubscriptionEndpoints.ParkDeadLetterAsync(Post(cloudEvent.GetRawText()), deadLetters, time, NullLogger<DeadLetterStore>.Instance, Ct)).Result;

    private DeadLetter? Parked(string id) => store.Peek<DeadLetter>(DeadLetterKeys.Entry(id));

    [Fact]
    public async Task Projected_events_are_acknowledged_entry_by_entry()
    {
        var answer = await Deliver(Bulk(Json(Event("order-1", 1, Created())), Json(Event("order-2", 1, Created()))));

        Assert.Equal(["entry-0:SUCCESS", "entry-1:SUCCESS"], answer);
        Assert.Equal(0, await deadLetters.CountAsync(Ct));
    }

    [Theory]
    [InlineData("\"a string\"", "The CloudEvent's data is not an order event envelope.", null)]
    [InlineData("{\"orderId\":\"order-1\",\"version\":\"two\"}", "The CloudEvent's data is not an order event envelope: ", "order-1")]
    [InlineData("{\"orderId\":\"order-1\",\"version\":1,\"type\":\"OrderCreated.v2\",\"data\":{\"items\":7}}", "Event OrderCreated.v2 v1 of order order-1 cannot be read.", "order-1")]
    public async Task Unreadable_data_is_parked_with_its_reason_dropped_and_the_rest_projected(string data, string reason, string? orderId)
    {
        var answer = await Deliver(Bulk(data, Json(Event("order-2", 1, Created()))));

        Assert.Equal(["entry-0:DROP", "entry-1:SUCCESS"], answer);
        Assert.NotNull(store.Peek<OrderView>("order-order-2"));
        var parked = Parked("ce-0");
        Assert.NotNull(parked);
        Assert.StartsWith(reason, parked.Reason, StringComparison.Ordinal);
        Assert.Equal(("ce-0", "OrderCreated.v2", orderId), (parked.Id, parked.Type, parked.OrderId));
        Assert.Equal(T0, parked.ParkedAt);
        Assert.Equal(CloudEvent("ce-0", data).GetRawText(), parked.Event.GetRawText());
        Assert.Equal(1, await deadLetters.CountAsync(Ct));
    }

    [Fact]
    public async Task A_poison_event_is_parked_with_its_order_version_and_why_it_cannot_be_projected()
    {
        var poison = Event("order-1", 1, Created()) with { Data = JsonSerializer.SerializeToElement(new { customerId = "customer-1" }) };

        var answer = await Deliver(Bulk(CloudEvent(poison)));

        Assert.Equal(["entry-0:DROP"], answer);
        var parked = Parked(poison.EventId);
        Assert.NotNull(parked);
        Assert.Equal(("order-1", 1), (parked.OrderId, parked.Version));
        Assert.Equal("Event OrderCreated.v2 v1 of order order-1 misses required data.", parked.Reason);
    }

    [Fact]
    public async Task A_body_that_is_no_bulk_delivery_is_refused_with_a_problem()
    {
        var result = (await SubscriptionEndpoints.ProjectAsync(Post("not json at all"), projector, deadLetters, time, NullLogger<OrderProjector>.Instance, Ct)).Result;

        var problem = Assert.IsType<ProblemHttpResult>(result);
        Assert.Equal(400, problem.StatusCode);
        Assert.Equal("not-a-bulk-delivery", problem.ProblemDetails.Extensions["code"]);
    }

    [Fact]
    public async Task A_store_failure_asks_the_sidecar_to_retry_every_entry()
    {
        store.CommitFailure = new Dapr.DaprException("sidecar unreachable");

        var answer = await Deliver(Bulk(Json(Event("order-1", 1, Created())), Json(Event("order-2", 1, Created()))));

        Assert.Equal(["entry-0:RETRY", "entry-1:RETRY"], answer);
    }

    [Fact]
    public async Task A_poison_event_that_cannot_be_parked_is_asked_again_instead_of_dropped()
    {
        store.CommitFailure = new Dapr.DaprException("sidecar unreachable");

        var answer = await Deliver(Bulk("\"a string\""));

        // Dropped without its reason recorded, it would come back from Dapr as a mere delivery failure.
        Assert.Equal(["entry-0:RETRY"], answer);
        Assert.Empty(store.Keys);
    }

    [Fact]
    public async Task A_full_pending_buffer_asks_the_sidecar_to_retry_that_entry()
    {
        var live = Projector(store);
        for (var version = 2; version < 2 + OrderViewProjection.MaxPending; version++)
        {
            await live.ProjectAsync([Event("order-1", version, new OrderShipped($"t-{version}"))], Ct);
        }

        var answer = await Deliver(Bulk(Json(Event("order-1", 200, new OrderDelivered())), Json(Event("order-2", 1, Created()))));

        Assert.Equal(["entry-0:RETRY", "entry-1:SUCCESS"], answer);
        Assert.Equal(0, await deadLetters.CountAsync(Ct));
    }

    [Fact]
    public async Task Events_of_unknown_type_are_parked_naming_the_type_and_dropped()
    {
        var answer = await DeliverUnknownType(Bulk(CloudEvent("ce-x", "{}", type: "OrderRefunded.v1"), CloudEvent("ce-y", "{}", type: "OrderRefunded.v1")));

        Assert.Equal(["entry-0:DROP", "entry-1:DROP"], answer);
        Assert.Equal("No projection reads events of type 'OrderRefunded.v1'.", Parked("ce-x")?.Reason);
        Assert.Equal(2, await deadLetters.CountAsync(Ct));
    }

    [Fact]
    public async Task The_dead_letter_delivery_of_an_event_we_dropped_only_confirms_it()
    {
        var poison = CloudEvent("ce-poison", "\"a string\"");
        await Deliver(Bulk(poison));
        var reason = Parked("ce-poison")?.Reason;
        var commits = store.Commits;

        time.Advance(TimeSpan.FromSeconds(5));
        var result = await DeliverDeadLetter(poison);

        Assert.IsType<Ok>(result);
        Assert.Equal(commits, store.Commits);
        Assert.Equal(reason, Parked("ce-poison")?.Reason);
        Assert.Equal(T0, Parked("ce-poison")?.ParkedAt);
        Assert.Equal(1, await deadLetters.CountAsync(Ct));
    }

    [Fact]
    public async Task An_event_Dapr_dead_lettered_on_its_own_is_parked_as_a_delivery_failure()
    {
        var envelope = Event("order-7", 2, new OrderPaid(25.25m, "payment-7"));

        var result = await DeliverDeadLetter(CloudEvent(envelope));

        Assert.IsType<Ok>(result);
        var parked = Parked(envelope.EventId);
        Assert.NotNull(parked);
        Assert.Equal(DeadLetter.DeliveryFailed, parked.Reason);
        Assert.Equal(("OrderPaid.v1", "order-7", 2), (parked.Type, parked.OrderId, parked.Version));
    }

    [Fact]
    public async Task A_dead_letter_that_cannot_be_stored_is_refused_so_that_the_sidecar_delivers_it_again()
    {
        store.CommitFailure = new Dapr.DaprException("sidecar unreachable");

        var result = await DeliverDeadLetter(CloudEvent(Event("order-7", 1, Created())));

        Assert.Equal(503, Assert.IsType<ProblemHttpResult>(result).StatusCode);
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
