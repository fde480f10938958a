using System.Text;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client;
using DaprEmulator.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.Outbox;

// The transactional outbox (dapr pkg/runtime/pubsub/outbox.go) as the order service uses it: the
// event upsert carries the CloudEvent type in its metadata, a projection operation on the same key
// carries what is published.
public sealed class OutboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Resources =
    [
        Yaml.PostgresV2("eventstore", ("outboxPublishPubsub", "orderpubsub"), ("outboxPublishTopic", "orders")),
        Yaml.Redis("orderpubsub"),
    ];

    [Fact]
    public async Task A_transaction_publishes_one_cloud_event_with_the_overridden_type_and_the_projection_as_data()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "orderpubsub", "orders"));
        await using var env = await EmulatorWithApp.StartAsync("order-command", app.Port, Resources);
        await env.Client.SaveStateAsync("eventstore", "order-1", new { Version = 0 }, cancellationToken: Ct);
        var (_, etag) = await env.Client.GetStateAndETagAsync<JsonObject>("eventstore", "order-1", cancellationToken: Ct);

        await AppendAsync(env.Client, etag);

        var delivered = await Poll.ForAsync(() => app.At("/orders").FirstOrDefault(), "the outbox message is delivered");
        await env.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(20), Ct);
        var published = Assert.Single(env.Emulator.GetPublishedMessages("orderpubsub", "orders")).CloudEvent!;
        Assert.Equal("OrderCreated.v2", published["type"]!.GetValue<string>());
        Assert.Equal("""{"orderId":"order-1","status":"Created"}""", published["data"]!.ToJsonString());
        Assert.StartsWith("outbox-", published["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(("order-command", "application/json"), (published["source"]!.GetValue<string>(), published["datacontenttype"]!.GetValue<string>()));
        Assert.Equal(("orders", "orderpubsub"), (published["topic"]!.GetValue<string>(), published["pubsubname"]!.GetValue<string>()));
        Assert.Equal("OrderCreated.v2", delivered.CloudEvent["type"]!.GetValue<string>());
        Assert.Single(app.At("/orders"));

        // The projection is not stored and the marker record is gone once published.
        Assert.Equal(["order-command||order-1"], env.Emulator.GetStateKeys("eventstore"));
        var stored = await env.Client.GetStateAsync<JsonObject>("eventstore", "order-1", cancellationToken: Ct);
        Assert.Equal(1, stored["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_failed_transaction_publishes_nothing()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var env = await EmulatorWithApp.StartAsync("order-command", null, time, Resources);
        await env.Client.SaveStateAsync("eventstore", "order-1", new { Version = 0 }, cancellationToken: Ct);

        await Assert.ThrowsAsync<DaprException>(() => AppendAsync(env.Client, Guid.NewGuid().ToString()));

        // The internal message went out before the commit; its consumer never finds the marker.
        Assert.Single(env.Emulator.GetPublishedMessages("orderpubsub", "order-commandordersoutbox"));
        await time.AdvanceUntilIdleAsync(env.Emulator);
        Assert.Empty(env.Emulator.GetPublishedMessages("orderpubsub", "orders"));
        Assert.Equal(["order-command||order-1"], env.Emulator.GetStateKeys("eventstore"));
    }

    [Fact]
    public async Task Save_state_does_not_go_through_the_outbox()
    {
        await using var env = await EmulatorWithApp.StartAsync("order-command", null, Resources);

        await env.Client.SaveStateAsync("eventstore", "order-1", new { Version = 0 }, cancellationToken: Ct);

        await env.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Empty(env.Emulator.Published.All());
    }

    [Fact]
    public async Task Without_a_projection_the_upserted_value_is_published()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var env = await EmulatorWithApp.StartAsync("order-command", null, time, Resources);

        await env.Client.ExecuteStateTransactionAsync("eventstore",
        [
            new StateTransactionRequest("order-2", Encoding.UTF8.GetBytes("""{"event":"x"}"""), StateOperationType.Upsert,
                metadata: new Dictionary<string, string> { ["contentType"] = "application/json", ["type"] = "OrderPaid.v1" }),
        ], cancellationToken: Ct);
        await time.AdvanceUntilIdleAsync(env.Emulator);

        var published = Assert.Single(env.Emulator.GetPublishedMessages("orderpubsub", "orders")).CloudEvent!;
        Assert.Equal(("OrderPaid.v1", "x"), (published["type"]!.GetValue<string>(), published["data"]!["event"]!.GetValue<string>()));
        // Every metadata entry of the upsert is copied into the CloudEvent, contentType included.
        Assert.Equal("application/json", published["contentType"]!.GetValue<string>());
    }

    private static Task AppendAsync(DaprClient client, string? etag) =>
        client.ExecuteStateTransactionAsync("eventstore",
        [
            new StateTransactionRequest("order-1", Encoding.UTF8.GetBytes("""{"version":1}"""), StateOperationType.Upsert, etag,
                metadata: new Dictionary<string, string> { ["type"] = "OrderCreated.v2" }),
            new StateTransactionRequest("order-1", Encoding.UTF8.GetBytes("""{"orderId":"order-1","status":"Created"}"""), StateOperationType.Upsert,
                metadata: new Dictionary<string, string> { ["outbox.projection"] = "true", ["contentType"] = "application/json" }),
        ], cancellationToken: Ct);
}
