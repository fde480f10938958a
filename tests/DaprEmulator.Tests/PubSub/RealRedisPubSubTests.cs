using System.Text.Json.Nodes;
using DaprEmulator.Components;
using DaprEmulator.Hosting;
using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.PubSub;

// EmulatorStorage.External: pubsub.redis uses the Redis its redisHost names, in components-contrib's
// layout (a stream per topic, fields data and metadata, the consumer group named by consumerID), so
// plain Redis commands see what a daprd would.
public sealed class RealRedisPubSubTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("Backend", "Redis")]
    public async Task An_event_published_through_the_dapr_api_is_a_redis_stream_entry_with_its_cloud_event_in_data()
    {
        await using var redis = await RedisServer.ConnectAsync();
        var db = redis.GetDatabase();
        var topic = $"orders-{Guid.NewGuid():N}";
        try
        {
            await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", topic));
            using var resources = new ResourcesFolder(Yaml.Component("bus", "pubsub.redis", "v1", [("redisHost", RedisServer.Address)]));
            await using var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions
            {
                ResourcesPaths = [resources.Path],
                LoggerFactory = TestLogging.Create(),
                Storage = new EmulatorStorage.External(),
            }, Ct);
            var subscriber = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-query", AppPort = app.Port }, Ct);
            await Poll.UntilAsync(() => subscriber.IsAppReady, "the subscriber sidecar has read its subscriptions");
            using var client = EmulatorWithApp.ClientFor(await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-command" }, Ct));

            await client.PublishEventAsync("bus", topic, new { n = 7 }, Ct);

            var entry = Assert.Single(await db.StreamRangeAsync(topic));
            var cloudEvent = Assert.IsType<JsonObject>(JsonNode.Parse((string)entry["data"]!));
            Assert.Equal((topic, "bus", "order-command", 7), (Text(cloudEvent, "topic"), Text(cloudEvent, "pubsubname"), Text(cloudEvent, "source"), cloudEvent["data"]!["n"]!.GetValue<int>()));
            Assert.IsType<JsonObject>(JsonNode.Parse((string)entry["metadata"]!));

            // Delivered from Redis and acknowledged there: the group of the app id has nothing pending.
            var received = await Poll.ForAsync(() => app.Received.FirstOrDefault(), "the event is delivered");
            Assert.Equal(Text(cloudEvent, "id"), Text(received.CloudEvent, "id"));
            await emulator.WaitForIdleAsync(TimeSpan.FromSeconds(30), Ct);
            var group = Assert.Single(await db.StreamGroupInfoAsync(topic));
            Assert.Equal(("order-query", 0, entry.Id.ToString()), (group.Name, group.PendingMessageCount, group.LastDeliveredId));
        }
        finally
        {
            await db.KeyDeleteAsync(topic);
        }
    }

    [Fact]
    public async Task A_redis_that_cannot_be_reached_fails_the_component_at_sidecar_start()
    {
        using var resources = new ResourcesFolder(Yaml.Component("bus", "pubsub.redis", "v1", [("redisHost", "127.0.0.1:1")]));
        await using var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions
        {
            ResourcesPaths = [resources.Path],
            LoggerFactory = TestLogging.Create(),
            Storage = new EmulatorStorage.External(),
        }, Ct);

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => emulator.StartSidecarAsync(new SidecarOptions { AppId = "app" }, Ct));

        Assert.StartsWith("redis streams: error connecting to redis at 127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }

    private static string? Text(JsonObject json, string name) => json[name]?.GetValue<string>();
}
