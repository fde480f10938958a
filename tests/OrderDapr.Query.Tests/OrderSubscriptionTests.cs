using System.Text.Json;
using OrderDapr.Contracts;
using OrderDapr.Query.Changes;
using OrderDapr.Query.ReadModel;
using OrderDapr.Query.Tests.Fixtures;
using static OrderDapr.Query.Tests.Fixtures.Given;

namespace OrderDapr.Query.Tests;

// orderChanged and customerOrdersChanged end to end: events delivered to the projection's route,
// committed to the read model, published on the change feed, delivered by the sidecars to every
// replica, pushed to the subscribers over graphql-transport-ws.
public sealed class OrderSubscriptionTests
{
    private const string OrderChanged = "subscription ($id: ID!) { orderChanged(id: $id) { id customerId status version total paymentId } }";
    private const string CustomerOrdersChanged = "subscription ($customerId: String!) { customerOrdersChanged(customerId: $customerId) { id customerId status version } }";

    private static async Task<GraphQLWsClient> SubscribedAsync(QueryHost host, string query, object variables, int watchers = 1)
    {
        var client = await GraphQLWsClient.ConnectAsync(host);
        await client.InitAsync();
        await client.SubscribeAsync("1", query, variables);
        await host.WatchingAsync(watchers); // listening from now on
        return client;
    }

    private static async Task<JsonElement> NextOrderAsync(GraphQLWsClient client, string field)
    {
        var next = await client.ExpectAsync("next");
        Assert.Equal("1", next.GetProperty("id").GetString());
        var payload = next.GetProperty("payload");
        Assert.False(payload.TryGetProperty("errors", out var errors), errors.ToString());
        return payload.GetProperty("data").GetProperty(field);
    }

    private static (string? Id, int Version) IdAndVersion(JsonElement order) => (order.GetProperty("id").GetString(), order.GetProperty("version").GetInt32());

    [Fact]
    public async Task orderChanged_pushes_each_version_once_the_projection_committed_it()
    {
        await using var host = await QueryHost.StartAsync();
        await using var client = await SubscribedAsync(host, OrderChanged, new { id = "order-1" });

        await host.ProjectAsync(Event("order-1", 1, Created()));
        var created = await NextOrderAsync(client, "orderChanged");
        var committedWhenPushed = host.Store.Peek<OrderView>(ReadModelKeys.Initial.Order("order-1"))?.Version;
        await host.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        var paid = await NextOrderAsync(client, "orderChanged");

        Assert.Equal(1, committedWhenPushed);
        Assert.Equal(("order-1", 1), IdAndVersion(created));
        Assert.Equal("CREATED", created.GetProperty("status").GetString());
        Assert.Equal("customer-1", created.GetProperty("customerId").GetString());
        Assert.Equal(25.25m, created.GetProperty("total").GetDecimal());
        Assert.Equal(("order-1", 2), IdAndVersion(paid));
        Assert.Equal("PAID", paid.GetProperty("status").GetString());
        Assert.Equal("payment-1", paid.GetProperty("paymentId").GetString());
    }

    [Fact]
    public async Task orderChanged_sends_the_order_as_the_read_model_holds_it_first_then_each_new_version()
    {
        await using var host = await QueryHost.StartAsync();
        await host.ProjectAsync(Event("order-1", 1, Created()), Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        await using var client = await SubscribedAsync(host, OrderChanged, new { id = "order-1" });

        var current = await NextOrderAsync(client, "orderChanged");
        await host.ProjectAsync(Event("order-1", 3, new OrderShipped("tracking-1")));
        var shipped = await NextOrderAsync(client, "orderChanged");

        Assert.Equal(("order-1", 2), IdAndVersion(current));
        Assert.Equal("PAID", current.GetProperty("status").GetString());
        Assert.Equal(("order-1", 3), IdAndVersion(shipped));
        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task A_version_committed_while_the_subscription_reads_the_order_follows_it_once()
    {
        await using var host = await QueryHost.StartAsync(settings: new Dictionary<string, string?> { ["ReadCache:MaxAge"] = "00:00:00" });
        await host.ProjectAsync(Event("order-1", 1, Created()));
        await host.Broker.PublishedAsync(1);
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Store.AfterSingleRead = async key =>
        {
            if (key == ReadModelKeys.Initial.Order("order-1"))
            {
                reading.TrySetResult();
                await release.Task;
            }
        };

        // The subscription read version 1; version 2 is committed and delivered before that read answers.
        await using var client = await SubscribedAsync(host, OrderChanged, new { id = "order-1" });
        await reading.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        host.Store.AfterSingleRead = null;
        await host.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        await host.Broker.PublishedAsync(2);
        release.SetResult();

        Assert.Equal(("order-1", 1), IdAndVersion(await NextOrderAsync(client, "orderChanged")));
        Assert.Equal(("order-1", 2), IdAndVersion(await NextOrderAsync(client, "orderChanged")));
        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task orderChanged_pushes_nothing_for_other_orders()
    {
        await using var host = await QueryHost.StartAsync();
        await using var client = await SubscribedAsync(host, OrderChanged, new { id = "order-1" });

        // The feed keeps the order of the commits: a push for order-2 would come first.
        await host.ProjectAsync(Event("order-2", 1, Created()));
        await host.ProjectAsync(Event("order-1", 1, Created()));

        Assert.Equal(("order-1", 1), IdAndVersion(await NextOrderAsync(client, "orderChanged")));
        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task Versions_committed_in_one_batch_are_pushed_as_the_last_of_them()
    {
        await using var host = await QueryHost.StartAsync();
        await using var client = await SubscribedAsync(host, OrderChanged, new { id = "order-1" });

        await host.ProjectAsync(Event("order-1", 1, Created()), Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        await host.ProjectAsync(Event("order-1", 3, new OrderShipped("tracking-1")));

        Assert.Equal(("order-1", 2), IdAndVersion(await NextOrderAsync(client, "orderChanged")));
        Assert.Equal(("order-1", 3), IdAndVersion(await NextOrderAsync(client, "orderChanged")));
    }

    [Fact]
    public async Task Events_that_overtook_OrderCreated_are_pushed_once_the_order_exists()
    {
        await using var host = await QueryHost.StartAsync();
        await using var client = await SubscribedAsync(host, OrderChanged, new { id = "order-1" });

        await host.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        await host.ProjectAsync(Event("order-1", 1, Created()));

        var order = await NextOrderAsync(client, "orderChanged");
        Assert.Equal(("order-1", 2), IdAndVersion(order));
        Assert.Equal("PAID", order.GetProperty("status").GetString());
        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task A_change_message_delivered_twice_is_pushed_once()
    {
        await using var host = await QueryHost.StartAsync();
        await using var client = await SubscribedAsync(host, OrderChanged, new { id = "order-1" });
        await host.ProjectAsync(Event("order-1", 1, Created()));
        var published = await host.Broker.PublishedAsync(1);

        // The sidecar redelivers a message it could not confirm.
        await ChangeFeedSidecars.DeliverAsync(host, JsonSerializer.SerializeToElement(published[0], new JsonSerializerOptions(JsonSerializerDefaults.Web)), TestContext.Current.CancellationToken);
        await host.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));

        Assert.Equal(("order-1", 1), IdAndVersion(await NextOrderAsync(client, "orderChanged")));
        Assert.Equal(("order-1", 2), IdAndVersion(await NextOrderAsync(client, "orderChanged")));
    }

    [Fact]
    public async Task customerOrdersChanged_pushes_every_order_of_the_customer_including_new_ones()
    {
        await using var host = await QueryHost.StartAsync();
        await host.ProjectAsync(Event("order-1", 1, Created("customer-1")));
        await using var client = await SubscribedAsync(host, CustomerOrdersChanged, new { customerId = "customer-1" });

        await host.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        await host.ProjectAsync(Event("order-2", 1, Created("customer-2")));
        await host.ProjectAsync(Event("order-3", 1, Created("customer-1")));

        var paid = await NextOrderAsync(client, "customerOrdersChanged");
        var placed = await NextOrderAsync(client, "customerOrdersChanged");
        Assert.Equal(("order-1", 2), IdAndVersion(paid));
        Assert.Equal("PAID", paid.GetProperty("status").GetString());
        Assert.Equal(("order-3", 1), IdAndVersion(placed));
        Assert.Equal("customer-1", placed.GetProperty("customerId").GetString());
        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task customerOrdersChanged_pushes_each_order_of_a_batch()
    {
        await using var host = await QueryHost.StartAsync();
        await using var client = await SubscribedAsync(host, CustomerOrdersChanged, new { customerId = "customer-1" });

        await host.ProjectAsync([.. Enumerable.Range(1, 5).Select(i => Event($"order-{i}", 1, Created("customer-1"), at: T0.AddSeconds(i)))]);

        var pushed = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            pushed.Add((await NextOrderAsync(client, "customerOrdersChanged")).GetProperty("id").GetString());
        }

        Assert.Equal(["order-1", "order-2", "order-3", "order-4", "order-5"], pushed.Order());
        Assert.Empty(await client.RoundTripAsync());
    }

    [Fact]
    public async Task A_subscriber_on_one_replica_gets_the_change_another_replica_projected()
    {
        var store = new InMemoryReadModelStore();
        var feed = new ChangeFeedSidecars();
        await using var projecting = await QueryHost.StartAsync(store: store, feed: feed);
        await using var serving = await QueryHost.StartAsync(store: store, feed: feed);
        await using var onServing = await SubscribedAsync(serving, OrderChanged, new { id = "order-1" });
        await using var onProjecting = await SubscribedAsync(projecting, OrderChanged, new { id = "order-1" });

        await projecting.ProjectAsync(Event("order-1", 1, Created()));

        Assert.Equal(("order-1", 1), IdAndVersion(await NextOrderAsync(onServing, "orderChanged")));
        Assert.Equal(("order-1", 1), IdAndVersion(await NextOrderAsync(onProjecting, "orderChanged")));
        Assert.Single(await projecting.Broker.PublishedAsync(1));
        Assert.Empty(serving.Broker.Published); // it projected nothing: the change came through the feed
    }

    [Fact]
    public async Task A_replica_that_reads_an_order_after_another_replica_changed_it_answers_the_new_version()
    {
        var store = new InMemoryReadModelStore();
        var feed = new ChangeFeedSidecars();
        await using var projecting = await QueryHost.StartAsync(store: store, feed: feed);
        await using var serving = await QueryHost.StartAsync(store: store, feed: feed);
        await projecting.ProjectAsync(Event("order-1", 1, Created()));
        await projecting.Broker.PublishedAsync(1);
        var (_, before) = await serving.GraphQLAsync("""{ order(id: "order-1") { version } }"""); // cached on `serving` now

        await projecting.ProjectAsync(Event("order-1", 2, new OrderPaid(25.25m, "payment-1")));
        await projecting.Broker.PublishedAsync(2);
        var (_, after) = await serving.GraphQLAsync("""{ order(id: "order-1") { version status } }""");

        Assert.Equal(1, before.GetProperty("data").GetProperty("order").GetProperty("version").GetInt32());
        Assert.Equal(2, after.GetProperty("data").GetProperty("order").GetProperty("version").GetInt32());
        Assert.Equal("PAID", after.GetProperty("data").GetProperty("order").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_change_of_a_generation_readers_do_not_see_is_not_pushed()
    {
        await using var host = await QueryHost.StartAsync();
        await using var client = await SubscribedAsync(host, OrderChanged, new { id = "order-1" });
        var stray = new OrderChanges(T0, [new GenerationChanges(7, [new OrderView("order-1") { CustomerId = "customer-1", Status = OrderStatus.Paid, Version = 9, Currency = "EUR" }])]);

        await ChangeFeedSidecars.DeliverAsync(host, JsonSerializer.SerializeToElement(stray, new JsonSerializerOptions(JsonSerializerDefaults.Web)), TestContext.Current.CancellationToken);
        await host.ProjectAsync(Event("order-1", 1, Created()));

        Assert.Equal(("order-1", 1), IdAndVersion(await NextOrderAsync(client, "orderChanged")));
    }
}
