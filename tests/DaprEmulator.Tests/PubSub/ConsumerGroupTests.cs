using DaprEmulator.Hosting;
using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.PubSub;

// Redis Streams consumer groups: one group per app id (consumerID defaults to the app id), so the
// replicas of an app share the messages and every subscribing app id gets each message.
public sealed class ConsumerGroupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Replicas_of_one_app_id_handle_each_message_once_in_total()
    {
        await using var replica1 = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var replica2 = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var world = await World.StartAsync(("order-query", replica1.Port), ("order-query", replica2.Port));

        for (var i = 0; i < 20; i++)
        {
            await world.Publisher.PublishEventAsync("bus", "orders", new { n = i }, Ct);
        }

        await Poll.UntilAsync(() => replica1.Received.Count + replica2.Received.Count == 20, "the 20 events are delivered");
        await world.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        var ids = replica1.Received.Concat(replica2.Received).Select(r => r.CloudEvent["id"]!.GetValue<string>()).ToList();
        Assert.Equal(20, ids.Count);
        Assert.Equal(20, ids.Distinct().Count());
        Assert.NotEmpty(replica1.Received);
        Assert.NotEmpty(replica2.Received);
    }

    [Fact]
    public async Task Each_subscribing_app_id_gets_every_message()
    {
        await using var query = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var audit = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var world = await World.StartAsync(("order-query", query.Port), ("audit", audit.Port));

        for (var i = 0; i < 5; i++)
        {
            await world.Publisher.PublishEventAsync("bus", "orders", new { n = i }, Ct);
        }

        await Poll.UntilAsync(() => query.Received.Count == 5 && audit.Received.Count == 5, "both apps got the 5 events");
    }

    [Fact]
    public async Task Redelivering_a_published_message_hands_the_same_event_to_the_subscribers_again()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var world = await World.StartAsync(("order-query", app.Port));
        await world.Publisher.PublishEventAsync("bus", "orders", new { n = 1 }, Ct);
        await Poll.UntilAsync(() => app.Received.Count == 1, "the event is delivered");

        var published = Assert.Single(world.Emulator.GetPublishedMessages("bus", "orders"));
        await world.Emulator.RedeliverAsync(published, Ct);

        await Poll.UntilAsync(() => app.Received.Count == 2, "the event is delivered again");
        Assert.Equal(app.Received[0].CloudEvent["id"]!.GetValue<string>(), app.Received[1].CloudEvent["id"]!.GetValue<string>());
        Assert.Equal(published.CloudEvent!["id"]!.GetValue<string>(), app.Received[0].CloudEvent["id"]!.GetValue<string>());
    }

    private sealed class World : IAsyncDisposable
    {
        private readonly ResourcesFolder _resources;

        private World(ResourcesFolder resources, DaprEmulatorHost emulator, Dapr.Client.DaprClient publisher)
        {
            _resources = resources;
            Emulator = emulator;
            Publisher = publisher;
        }

        public DaprEmulatorHost Emulator { get; }

        public Dapr.Client.DaprClient Publisher { get; }

        public static async Task<World> StartAsync(params (string AppId, int Port)[] subscribers)
        {
            var resources = new ResourcesFolder(Yaml.Redis("bus"));
            var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [resources.Path], LoggerFactory = TestLogging.Create() }, Ct);
            var publisher = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-command" }, Ct);
            var sidecars = new List<DaprSidecar>();
            foreach (var (appId, port) in subscribers)
            {
                sidecars.Add(await emulator.StartSidecarAsync(new SidecarOptions { AppId = appId, AppPort = port }, Ct));
            }

            await Poll.UntilAsync(() => sidecars.All(s => s.IsAppReady), "every subscriber sidecar has read its subscriptions");
            return new World(resources, emulator, EmulatorWithApp.ClientFor(publisher));
        }

        public async ValueTask DisposeAsync()
        {
            Publisher.Dispose();
            await Emulator.DisposeAsync();
            _resources.Dispose();
        }
    }
}
