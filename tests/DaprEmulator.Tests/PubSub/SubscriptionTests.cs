using Dapr;
using DaprEmulator.Hosting;
using DaprEmulator.PubSub;
using DaprEmulator.Tests.Support;
using Grpc.Core;

namespace DaprEmulator.Tests.PubSub;

// Subscription discovery (GET /dapr/subscribe), the delivered envelope and CEL routing, with a real
// Dapr.AspNetCore app and the real Dapr.Client publishing.
public sealed class SubscriptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Subscribed_app_receives_the_published_event_as_a_cloud_event_envelope()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "orderpubsub", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("order-query", app.Port, Yaml.Redis("orderpubsub"));
        await Poll.UntilAsync(() => env.Sidecar.IsAppReady, "the sidecar has read the subscriptions");

        await env.Client.PublishEventAsync("orderpubsub", "orders", new { OrderId = "o-1" }, Ct);

        var received = await Poll.ForAsync(() => app.At("/orders").FirstOrDefault(), "the event is delivered");
        var ce = received.CloudEvent;
        Assert.Equal("application/cloudevents+json", received.ContentType);
        Assert.True(Guid.TryParse(ce["id"]!.GetValue<string>(), out _));
        Assert.Equal("order-query", ce["source"]!.GetValue<string>());
        Assert.Equal("com.dapr.event.sent", ce["type"]!.GetValue<string>());
        Assert.Equal("1.0", ce["specversion"]!.GetValue<string>());
        Assert.Equal("application/json", ce["datacontenttype"]!.GetValue<string>());
        Assert.Equal("orders", ce["topic"]!.GetValue<string>());
        Assert.Equal("orderpubsub", ce["pubsubname"]!.GetValue<string>());
        Assert.Equal(("", "", ""), (ce["traceid"]!.GetValue<string>(), ce["traceparent"]!.GetValue<string>(), ce["tracestate"]!.GetValue<string>()));
        Assert.True(DateTimeOffset.TryParse(ce["time"]!.GetValue<string>(), out _));
        Assert.Equal("o-1", ce["data"]!["orderId"]!.GetValue<string>());
        Assert.Equal("orderpubsub", received.Headers["pubsubName"]);
    }

    [Fact]
    public async Task Cloudevent_metadata_overrides_the_envelope_fields()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "orderpubsub", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("order-command", app.Port, Yaml.Redis("orderpubsub"));
        await Poll.UntilAsync(() => env.Sidecar.IsAppReady, "the sidecar has read the subscriptions");

        await env.Client.PublishEventAsync("orderpubsub", "orders", new { OrderId = "o-1" },
            new Dictionary<string, string> { ["cloudevent.type"] = "OrderCreated.v2", ["cloudevent.id"] = "evt-1", ["cloudevent.source"] = "orders" }, Ct);

        var ce = (await Poll.ForAsync(() => app.At("/orders").FirstOrDefault(), "the event is delivered")).CloudEvent;
        Assert.Equal(("OrderCreated.v2", "evt-1", "orders"), (ce["type"]!.GetValue<string>(), ce["id"]!.GetValue<string>(), ce["source"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_cloud_event_sent_by_the_publisher_is_kept_and_completed()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "orderpubsub", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("order-command", app.Port, Yaml.Redis("orderpubsub"));
        await Poll.UntilAsync(() => env.Sidecar.IsAppReady, "the sidecar has read the subscriptions");

        await env.Client.PublishEventAsync("orderpubsub", "orders",
            new CloudEvent<object>(new { OrderId = "o-1" }) { Type = "OrderCreated.v2", Source = new Uri("urn:orders") }, Ct);

        var ce = (await Poll.ForAsync(() => app.At("/orders").FirstOrDefault(), "the event is delivered")).CloudEvent;
        Assert.Equal("OrderCreated.v2", ce["type"]!.GetValue<string>());
        Assert.Equal("urn:orders", ce["source"]!.GetValue<string>());
        Assert.Equal(("orders", "orderpubsub"), (ce["topic"]!.GetValue<string>(), ce["pubsubname"]!.GetValue<string>()));
        Assert.NotNull(ce["time"]);
        Assert.Equal("o-1", ce["data"]!["orderId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Publishing_over_http_wraps_the_body_like_grpc()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "orderpubsub", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("order-command", app.Port, Yaml.Redis("orderpubsub"));
        using var http = new HttpClient { BaseAddress = new Uri(env.Sidecar.HttpEndpoint) };

        var response = await http.PostAsync("/v1.0/publish/orderpubsub/orders?metadata.cloudevent.type=OrderPaid.v1",
            new StringContent("""{"amount":5}""", System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        var ce = (await Poll.ForAsync(() => app.At("/orders").FirstOrDefault(), "the event is delivered")).CloudEvent;
        Assert.Equal(("OrderPaid.v1", 5), (ce["type"]!.GetValue<string>(), ce["data"]!["amount"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Cel_rules_route_in_order_then_to_the_default()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) =>
        {
            a.Topic(web, "/created", new TopicOptions { PubsubName = "bus", Name = "orders", Match = "event.type == \"OrderCreated.v2\"", Priority = 1 });
            a.Topic(web, "/big-payment", new TopicOptions { PubsubName = "bus", Name = "orders", Match = "event.type.startsWith(\"OrderPaid\") && (event.data.amount == 100 || !(event.data.currency != \"EUR\"))", Priority = 2 });
            a.Topic(web, "/other", "bus", "orders");
        });
        await using var env = await EmulatorWithApp.StartAsync("app", app.Port, Yaml.Redis("bus"));
        await Poll.UntilAsync(() => env.Sidecar.IsAppReady, "the sidecar has read the subscriptions");

        await Publish(env, "OrderCreated.v2", new { amount = 1, currency = "USD" });
        await Publish(env, "OrderPaid.v1", new { amount = 100, currency = "USD" });
        await Publish(env, "OrderPaid.v1", new { amount = 5, currency = "EUR" });
        await Publish(env, "OrderPaid.v1", new { amount = 5, currency = "USD" });

        await Poll.UntilAsync(() => app.Received.Count == 4, "all four events are delivered");
        Assert.Single(app.At("/created"));
        Assert.Equal(2, app.At("/big-payment").Count);
        Assert.Equal("USD", Assert.Single(app.At("/other")).CloudEvent["data"]!["currency"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_event_that_matches_no_rule_and_has_no_default_is_dropped()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) =>
            a.Topic(web, "/created", new TopicOptions { PubsubName = "bus", Name = "orders", Match = "event.type == \"OrderCreated.v2\"", Priority = 1 }));
        await using var env = await EmulatorWithApp.StartAsync("app", app.Port, Yaml.Redis("bus"));
        await Poll.UntilAsync(() => env.Sidecar.IsAppReady, "the sidecar has read the subscriptions");

        await Publish(env, "SomethingElse", new { });

        var record = await Poll.ForAsync(() => env.Emulator.Deliveries.All().FirstOrDefault(), "the event is handled");
        Assert.Equal(DeliveryOutcome.Dropped, record.Outcome);
        Assert.Empty(app.Received);
    }

    [Fact]
    public async Task A_cel_expression_outside_the_emulated_subset_fails_loudly_naming_it()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) =>
            a.Topic(web, "/big", new TopicOptions { PubsubName = "bus", Name = "orders", Match = "event.data.amount > 5", Priority = 1 }));
        await using var env = await EmulatorWithApp.StartAsync("app", app.Port, Yaml.Redis("bus"));

        var error = await Poll.ForAsync(() => env.Sidecar.SubscriptionError, "the subscriptions were read");

        Assert.Contains("`event.data.amount > 5`", error.Message, StringComparison.Ordinal);
        Assert.Empty(env.Sidecar.Subscriptions);
    }

    [Fact]
    public async Task Messages_published_before_the_subscriber_is_up_are_delivered_later()
    {
        using var resources = new ResourcesFolder(Yaml.Redis("bus"));
        await using var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [resources.Path], LoggerFactory = TestLogging.Create() }, Ct);
        var publisher = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-command" }, Ct);
        using var client = EmulatorWithApp.ClientFor(publisher);
        for (var i = 0; i < 3; i++)
        {
            await client.PublishEventAsync("bus", "orders", new { n = i }, Ct);
        }

        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-query", AppPort = app.Port }, Ct);

        await Poll.UntilAsync(() => app.Received.Count == 3, "the three earlier events are delivered");
    }

    [Fact]
    public async Task Publishing_to_an_unknown_pubsub_is_an_invalid_argument()
    {
        await using var env = await EmulatorWithApp.StartAsync("app", null, Yaml.Redis("bus"));

        var error = await Assert.ThrowsAsync<DaprException>(() => env.Client.PublishEventAsync("nope", "orders", new { }, Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal((StatusCode.InvalidArgument, "pubsub nope is not found"), (rpc.StatusCode, rpc.Status.Detail));
    }

    [Fact]
    public async Task Bulk_publish_delivers_every_entry()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("app", app.Port, Yaml.Redis("bus"));
        await Poll.UntilAsync(() => env.Sidecar.IsAppReady, "the sidecar has read the subscriptions");

        var response = await env.Client.BulkPublishEventAsync("bus", "orders", new[] { new { n = 1 }, new { n = 2 } }, cancellationToken: Ct);

        Assert.Empty(response.FailedEntries);
        await Poll.UntilAsync(() => app.Received.Count == 2, "both entries are delivered");
    }

    [Fact]
    public async Task In_memory_pubsub_only_reaches_subscribers_of_the_publishing_sidecar()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "local", "orders"));
        using var resources = new ResourcesFolder(Yaml.Component("local", "pubsub.in-memory", "v1"));
        await using var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [resources.Path], LoggerFactory = TestLogging.Create() }, Ct);
        var subscriber = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "app", AppPort = app.Port }, Ct);
        var other = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "other" }, Ct);
        using var subscriberClient = EmulatorWithApp.ClientFor(subscriber);
        using var otherClient = EmulatorWithApp.ClientFor(other);
        await Poll.UntilAsync(() => subscriber.IsAppReady, "the sidecar has read the subscriptions");

        await otherClient.PublishEventAsync("local", "orders", new { from = "other" }, Ct);
        await subscriberClient.PublishEventAsync("local", "orders", new { from = "own" }, Ct);

        await Poll.UntilAsync(() => app.Received.Count == 1, "the event of the own sidecar is delivered");
        await emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal("own", Assert.Single(app.Received).CloudEvent["data"]!["from"]!.GetValue<string>());
    }

    private static Task Publish(EmulatorWithApp env, string type, object data) =>
        env.Client.PublishEventAsync("bus", "orders", data, new Dictionary<string, string> { ["cloudevent.type"] = type }, Ct);
}
