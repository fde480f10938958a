using System.Text;
using DaprEmulator.Components;
using DaprEmulator.Hosting;
using DaprEmulator.PubSub;
using DaprEmulator.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.PubSub;

// pubsub.redis as components-contrib pubsub/redis/redis.go consumes a stream: a queue of queueDepth
// messages and `concurrency` workers per sidecar, a poll loop reading queueDepth entries at a time,
// pending entries reclaimed after processingTimeout, XADD MAXLEN ~ maxLenApprox.
public sealed class RedisStreamsTests
{
    private static readonly byte[] Event = Encoding.UTF8.GetBytes(
        """{"id":"e","specversion":"1.0","type":"t","source":"s","datacontenttype":"application/json","data":{}}""");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_large_backlog_is_read_a_bounded_batch_at_a_time()
    {
        await using var world = await World.StartAsync(TimeProvider.System, ("queueDepth", "10"), ("concurrency", "4"));
        await world.BacklogAsync(20_000);
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        var sidecar = await world.StartSubscriberAsync(app.Port);
        var redis = Redis(sidecar);

        await Poll.UntilAsync(() => app.Received.Count >= 1_000, "a thousand events are delivered");
        await sidecar.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);

        // Read and not finished: queueDepth waiting for room in the queue, queueDepth in it, and one per worker.
        Assert.InRange(redis.MaxUnfinished, 1, (2 * 10) + 4);
        Assert.Equal(0, redis.Unfinished);
    }

    [Fact]
    public async Task Stopping_a_sidecar_with_a_large_backlog_cancels_its_handlers_and_returns()
    {
        var aborted = 0;
        await using var world = await World.StartAsync(TimeProvider.System, ("queueDepth", "10"), ("concurrency", "4"));
        await world.BacklogAsync(20_000);
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders", _ => Block(() => Interlocked.Increment(ref aborted))));
        var sidecar = await world.StartSubscriberAsync(app.Port);

        await Poll.UntilAsync(() => app.Received.Count == 4, "every worker is in a handler");
        await sidecar.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);

        await Poll.UntilAsync(() => Volatile.Read(ref aborted) == 4, "the four deliveries in progress are cancelled");
        Assert.InRange(Redis(sidecar).MaxUnfinished, 4, (2 * 10) + 4);
    }

    [Fact]
    public async Task Messages_a_stopped_sidecar_had_not_finished_are_redelivered_after_the_processing_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await World.StartAsync(time);
        await using var stuck = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders", _ => Block(() => { })));
        var first = await world.StartSubscriberAsync(stuck.Port);
        for (var i = 0; i < 3; i++)
        {
            await world.Publisher.PublishEventAsync("bus", "orders", new { n = i }, Ct);
        }

        await Poll.UntilAsync(() => stuck.Received.Count == 3, "the three events are in the first app's handlers");
        await first.DisposeAsync();
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await world.StartSubscriberAsync(app.Port);

        // processingTimeout 60s, redeliverInterval 15s: the replica claims them on a later reclaim.
        await Poll.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return app.Received.Select(Id).Distinct().Count() == 3;
        }, "the replica gets the three events");

        // At least once: a slow delivery may be claimed again meanwhile.
        Assert.Equal(stuck.Received.Select(Id).Order(), app.Received.Select(Id).Distinct().Order());
    }

    [Fact]
    public async Task Max_len_approx_trims_the_oldest_entries_and_a_group_skips_what_was_trimmed()
    {
        await using var world = await World.StartAsync(TimeProvider.System, ("maxLenApprox", "5"));
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));

        // The group exists (created by a first subscriber) and has read nothing when the stream is trimmed.
        var first = await world.StartSubscriberAsync(app.Port);
        await first.DisposeAsync();
        for (var i = 0; i < 10; i++)
        {
            await world.Publisher.PublishEventAsync("bus", "orders", new { n = i }, Ct);
        }

        await world.StartSubscriberAsync(app.Port);

        await Poll.UntilAsync(() => app.Received.Count == 5, "the five newest events are delivered");
        await world.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal([5, 6, 7, 8, 9], app.Received.Select(r => r.CloudEvent["data"]!["n"]!.GetValue<int>()).Order());
    }

    [Theory]
    [InlineData("streamTTL", "1h", "streamTTL is not emulated")]
    [InlineData("queueDepth", "0", "queueDepth 0")]
    [InlineData("concurrency", "-1", "pubsub.redis metadata")]
    public async Task Redis_metadata_the_emulator_cannot_honour_fails_at_sidecar_start(string name, string value, string message)
    {
        using var resources = new ResourcesFolder(Yaml.Redis("bus", (name, value)));
        await using var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions { ResourcesPaths = [resources.Path] }, Ct);

        var error = await Assert.ThrowsAsync<ResourceLoadException>(() => emulator.StartSidecarAsync(new SidecarOptions { AppId = "app" }, Ct));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static RedisStreamsClient Redis(DaprSidecar sidecar) => Assert.IsType<RedisStreamsClient>(sidecar.Components.PubSubs["bus"].Component);

    private static string Id(ReceivedEvent received) => received.CloudEvent["id"]!.GetValue<string>();

    // An app handler that never answers; `aborted` runs when the sidecar gives up the request.
    private static IResult Block(Action aborted) => new Blocked(aborted);

    private sealed class Blocked(Action aborted) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, httpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted();
            }
        }
    }

    private sealed class World : IAsyncDisposable
    {
        private readonly ResourcesFolder _resources;

        private World(ResourcesFolder resources, DaprEmulatorHost emulator, DaprSidecar publisherSidecar)
        {
            _resources = resources;
            Emulator = emulator;
            PublisherSidecar = publisherSidecar;
            Publisher = EmulatorWithApp.ClientFor(publisherSidecar);
        }

        public DaprEmulatorHost Emulator { get; }

        public DaprSidecar PublisherSidecar { get; }

        public Dapr.Client.DaprClient Publisher { get; }

        public static async Task<World> StartAsync(TimeProvider time, params (string, string)[] redis)
        {
            var resources = new ResourcesFolder(Yaml.Redis("bus", redis));
            var emulator = await DaprEmulatorHost.StartAsync(
                new EmulatorOptions { ResourcesPaths = [resources.Path], LoggerFactory = TestLogging.Create(), TimeProvider = time }, Ct);
            var publisher = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-command" }, Ct);
            return new World(resources, emulator, publisher);
        }

        // XADDs straight to the stream, as many publishers would have.
        public async Task BacklogAsync(int count)
        {
            var component = PublisherSidecar.Components.PubSubs["bus"].Component;
            for (var i = 0; i < count; i++)
            {
                await component.PublishAsync("orders", Event, null, null);
            }
        }

        public async Task<DaprSidecar> StartSubscriberAsync(int appPort)
        {
            var sidecar = await Emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-query", AppPort = appPort }, Ct);
            await Poll.UntilAsync(() => sidecar.IsAppReady, "the subscriber sidecar has read its subscriptions");
            return sidecar;
        }

        public async ValueTask DisposeAsync()
        {
            Publisher.Dispose();
            await Emulator.DisposeAsync();
            _resources.Dispose();
        }
    }
}
