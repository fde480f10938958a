using DaprEmulator.Hosting;
using DaprEmulator.PubSub;
using DaprEmulator.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.PubSub;

// EmulatorStorage.Sqlite: the streams, consumer groups and pending entries of pubsub.redis are in
// the SQLite file, so a stop loses nothing published: what was not acknowledged is delivered by the
// next emulator on the same file, and what was acknowledged is not delivered again.
public sealed class DurableStreamsTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "dapr-emulator-tests", $"{Guid.NewGuid():N}.db");
    private readonly ResourcesFolder _resources = new(Yaml.Redis("bus"));

    // Past the default processingTimeout (60 s) between runs: a pending entry is then claimable.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_not_acknowledged_before_a_stop_are_delivered_after_the_restart_and_never_again_once_acknowledged()
    {
        // Run 1: the subscriber's handler never answers, then its sidecar stops; one more event is
        // published with no subscriber up. Neither is acknowledged.
        string inHandler, unread;
        await using (var stuck = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders", _ => new Blocked())))
        {
            await using var run1 = await StartAsync();
            var subscriber = await StartSubscriberAsync(run1, stuck.Port);
            using var client = await PublisherAsync(run1);
            await client.PublishEventAsync("bus", "orders", new { n = 1 }, Ct);
            inHandler = Id((await Poll.ForAsync(() => stuck.Received.FirstOrDefault(), "the event is in the handler")).CloudEvent);
            await subscriber.DisposeAsync();
            await client.PublishEventAsync("bus", "orders", new { n = 2 }, Ct);
            unread = Id(Assert.Single(run1.GetPublishedMessages("bus", "orders"), m => Id(m.CloudEvent!) != inHandler).CloudEvent!);
        }

        // Run 2, on the same file: the pending one is claimed (idle past processingTimeout), the
        // unread one read; both are acknowledged.
        _time.Advance(TimeSpan.FromMinutes(2));
        await using (var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders")))
        {
            await using var run2 = await StartAsync();
            var subscriber = await StartSubscriberAsync(run2, app.Port);
            await Poll.UntilAsync(() => app.Received.Count >= 2, "both events are delivered");
            await run2.WaitForIdleAsync(TimeSpan.FromSeconds(30), Ct);

            Assert.Equal(new[] { inHandler, unread }.Order(), app.Received.Select(r => Id(r.CloudEvent)).Order());
            Assert.Equal(0, await Redis(subscriber).PendingAsync("orders"));
        }

        // Run 3: nothing is pending or unread, and past every reclaim nothing is delivered.
        await using (var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders")))
        {
            await using var run3 = await StartAsync();
            var subscriber = await StartSubscriberAsync(run3, app.Port);
            _time.Advance(TimeSpan.FromHours(2));
            await run3.WaitForIdleAsync(TimeSpan.FromSeconds(30), Ct);

            Assert.Equal(0, await Redis(subscriber).PendingAsync("orders"));
            Assert.Empty(app.Received);
        }
    }

    [Fact]
    public async Task A_stream_read_by_no_group_yet_keeps_its_entries_across_a_restart()
    {
        await using (var run1 = await StartAsync())
        {
            using var client = await PublisherAsync(run1);
            for (var i = 0; i < 3; i++)
            {
                await client.PublishEventAsync("bus", "orders", new { n = i }, Ct);
            }
        }

        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var run2 = await StartAsync();
        await StartSubscriberAsync(run2, app.Port);

        await Poll.UntilAsync(() => app.Received.Count == 3, "the three events published before the restart are delivered");
        Assert.Equal([0, 1, 2], app.Received.Select(r => r.CloudEvent["data"]!["n"]!.GetValue<int>()).Order());
    }

    public void Dispose()
    {
        _resources.Dispose();
        foreach (var path in new[] { _file, $"{_file}-wal", $"{_file}-shm" })
        {
            File.Delete(path);
        }
    }

    private Task<DaprEmulatorHost> StartAsync() => DaprEmulatorHost.StartAsync(new EmulatorOptions
    {
        ResourcesPaths = [_resources.Path],
        LoggerFactory = TestLogging.Create(),
        TimeProvider = _time,
        Storage = new EmulatorStorage.Sqlite(_file),
    }, Ct);

    private static async Task<Dapr.Client.DaprClient> PublisherAsync(DaprEmulatorHost emulator) =>
        EmulatorWithApp.ClientFor(await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-command" }, Ct));

    private static async Task<DaprSidecar> StartSubscriberAsync(DaprEmulatorHost emulator, int appPort)
    {
        var sidecar = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-query", AppPort = appPort }, Ct);
        await Poll.UntilAsync(() => sidecar.IsAppReady, "the subscriber sidecar has read its subscriptions");
        return sidecar;
    }

    private static RedisStreamsClient Redis(DaprSidecar sidecar) => Assert.IsType<RedisStreamsClient>(sidecar.Components.PubSubs["bus"].Component);

    private static string Id(System.Text.Json.Nodes.JsonObject cloudEvent) => cloudEvent["id"]!.GetValue<string>();

    // A handler that never answers (until the sidecar gives up the request).
    private sealed class Blocked : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, httpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
