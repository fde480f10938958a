using System.Net;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client;
using DaprEmulator.Faults;
using DaprEmulator.Hosting;
using DaprEmulator.PubSub;
using DaprEmulator.Tests.Actors;
using DaprEmulator.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.Faults;

// EmulatorOptions.Faults, for chaos runs: each kind happens, is counted, and fails the way daprd
// fails when the store, the broker or the app cannot be reached (StateApi and PublishApi wrap the
// injected component error like any other: ERR_STATE_SAVE, ERR_STATE_TRANSACTION,
// ERR_PUBSUB_PUBLISH_MESSAGE; the app channel sees a refused connection).
public sealed class FaultInjectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task State_calls_fail_before_the_store_and_each_is_counted()
    {
        await using var world = await World.StartAsync(new FaultPlan { TransientFailure = 0.5, Seed = 7 });

        var failed = new List<Exception>();
        for (var i = 0; i < 40; i++)
        {
            try
            {
                await world.Client.SaveStateAsync("store", $"k{i}", i, cancellationToken: Ct);
            }
            catch (DaprException e)
            {
                failed.Add(e);
            }
        }

        Assert.InRange(failed.Count, 1, 39);
        Assert.Equal(failed.Count, world.Emulator.Faults.StateCallsFailed);
        Assert.Equal(40 - failed.Count, world.Emulator.GetStateKeys("store").Count);
        var rpc = Assert.IsType<RpcException>(failed[0].InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.StartsWith("failed saving state in state store store: failed to connect", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(FaultCounts.None with { StateCallsFailed = failed.Count }, world.Emulator.Faults);
    }

    [Fact]
    public async Task A_failed_transaction_writes_nothing_and_its_outbox_publishes_nothing()
    {
        await using var world = await World.StartAsync(new FaultPlan { TransientFailure = 1 });

        var error = await Assert.ThrowsAsync<DaprException>(() => world.Client.ExecuteStateTransactionAsync(
            "store", [new StateTransactionRequest("order-1", "{\"v\":1}"u8.ToArray(), StateOperationType.Upsert)], cancellationToken: Ct));
        using var http = new HttpClient { BaseAddress = new Uri(world.Sidecar.HttpEndpoint) };
        var get = await http.GetAsync("/v1.0/state/store/order-1", Ct);
        var bulk = await Assert.ThrowsAsync<DaprException>(() => world.Client.GetBulkStateAsync("store", ["order-1"], null, cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.StartsWith("error while executing state transaction: failed to connect", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, get.StatusCode);
        Assert.Equal("ERR_STATE_GET", JsonNode.Parse(await get.Content.ReadAsStringAsync(Ct))!["errorCode"]!.GetValue<string>());
        Assert.Equal(StatusCode.Unknown, Assert.IsType<RpcException>(bulk.InnerException).StatusCode);
        await world.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Empty(world.Emulator.GetStateKeys("store"));
        Assert.Empty(world.Emulator.Published.All());
        Assert.Equal(3, world.Emulator.Faults.StateCallsFailed);
    }

    [Fact]
    public async Task Publishes_fail_before_the_broker_and_each_is_counted()
    {
        await using var world = await World.StartAsync(new FaultPlan { TransientFailure = 0.5, Seed = 11 });

        var failed = new List<DaprException>();
        for (var i = 0; i < 40; i++)
        {
            try
            {
                await world.Client.PublishEventAsync("bus", "orders", new { n = i }, Ct);
            }
            catch (DaprException e)
            {
                failed.Add(e);
            }
        }

        Assert.InRange(failed.Count, 1, 39);
        Assert.Equal(failed.Count, world.Emulator.Faults.PublishesFailed);
        Assert.Equal(40 - failed.Count, world.Emulator.GetPublishedMessages("bus", "orders").Count);
        var rpc = Assert.IsType<RpcException>(failed[0].InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.StartsWith("error when publishing to topic orders in pubsub bus: redis streams: error from publish:", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_to_the_app_fails_as_a_refused_connection()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var world = await World.StartAsync(new FaultPlan { TransientFailure = 1 }, app.Port);

        // Straight to the broker: the publish API would fail too.
        await world.Sidecar.Components.PubSubs["bus"].Component.PublishAsync(
            "orders", """{"id":"e","specversion":"1.0","type":"t","source":"s","datacontenttype":"application/json","data":{}}"""u8.ToArray(), null, null);

        await Poll.UntilAsync(() => world.Emulator.Deliveries.All().Any(r => r.Outcome == DeliveryOutcome.Failed), "the delivery has failed");
        await world.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Empty(app.Received);
        Assert.Contains("connection refused", world.Emulator.Deliveries.All().First(r => r.Outcome == DeliveryOutcome.AttemptFailed).Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, world.Emulator.Faults.AppCallsFailed);
    }

    [Fact]
    public async Task Actor_calls_and_reminder_callbacks_fail_as_refused_connections()
    {
        await using var bed = new ActorTestbed(faults: new FaultPlan { TransientFailure = 1 });
        var sidecar = await bed.StartSidecarAsync("shop");
        var app = await bed.StartAppAsync("shop", sidecar, "shop-1");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ActorTestbed.Proxy("a-1", sidecar).Echo("hi"));
        bed.Runtime.CreateReminder("shop", TestActor.TypeName, "a-1", "r", """{"dueTime":"1s"}"""u8.ToArray());
        await bed.AdvanceAndSettleAsync(TimeSpan.FromSeconds(1));

        Assert.Contains("connection refused", error.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(app.Recorder.Events, e => e.StartsWith("reminder", StringComparison.Ordinal) || e.StartsWith("activate", StringComparison.Ordinal));
        Assert.Contains(bed.Logs, l => l.Contains("Error executing reminder r", StringComparison.Ordinal));
        Assert.Equal(2, bed.Faults!.Counts.AppCallsFailed);
    }

    [Fact]
    public async Task A_duplicated_delivery_hands_the_same_cloud_event_to_the_app_twice()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var world = await World.StartAsync(new FaultPlan { DuplicateDelivery = 1 }, app.Port);

        for (var i = 0; i < 5; i++)
        {
            await world.Client.PublishEventAsync("bus", "orders", new { n = i }, Ct);
        }

        await Poll.UntilAsync(() => app.Received.Count >= 10, "every event is delivered twice");
        await world.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(10, app.Received.Count);
        Assert.All(app.Received.GroupBy(r => r.CloudEvent["id"]!.GetValue<string>()), g => Assert.Equal(2, g.Count()));
        Assert.Equal(FaultCounts.None with { DeliveriesDuplicated = 5 }, world.Emulator.Faults);
    }

    [Fact]
    public async Task A_held_back_delivery_is_overtaken_by_later_ones()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        await using var world = await World.StartAsync(new FaultPlan { ReorderDelivery = 0.5, Seed = 3 }, app.Port, time);

        for (var i = 0; i < 20; i++)
        {
            await world.Client.PublishEventAsync("bus", "orders", new { n = i }, Ct);
        }

        // The held-back messages wait on the (frozen) clock; every other one arrives.
        await Poll.UntilAsync(() => app.Received.Count + world.Emulator.Faults.DeliveriesDelayed == 20, "every message is delivered or held back");
        var delayed = world.Emulator.Faults.DeliveriesDelayed;
        Assert.InRange(delayed, 1, 19);
        Assert.Equal(20 - delayed, app.Received.Count);

        time.Advance(TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => app.Received.Count == 20, "the held-back messages arrive once their delay has passed");
        var order = app.Received.Select(r => r.CloudEvent["data"]!["n"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(0, 20), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 20), order);
    }

    [Fact]
    public async Task With_every_fault_on_a_subscriber_still_receives_every_published_message()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"));
        var plan = new FaultPlan { DuplicateDelivery = 0.3, ReorderDelivery = 0.3, TransientFailure = 0.3, Seed = 42 };
        await using var world = await World.StartAsync(plan, app.Port, retry: Yaml.ConstantRetry("bus", "10ms", 100));

        var published = new HashSet<int>();
        for (var i = 0; i < 30; i++)
        {
            try
            {
                await world.Client.PublishEventAsync("bus", "orders", new { n = i }, Ct);
                published.Add(i);
            }
            catch (DaprException)
            {
                // The publisher's error: it may publish again, or not.
            }
        }

        await Poll.UntilAsync(() => published.IsSubsetOf(app.Received.Select(r => r.CloudEvent["data"]!["n"]!.GetValue<int>())), "every published message is received");
        await world.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(60), Ct);
        var faults = world.Emulator.Faults;
        Assert.Equal(30 - published.Count, faults.PublishesFailed);
        Assert.True(faults is { DeliveriesDuplicated: > 0, DeliveriesDelayed: > 0, AppCallsFailed: > 0, PublishesFailed: > 0 }, faults.ToString());
    }

    [Fact]
    public async Task Without_a_plan_nothing_is_injected()
    {
        await using var world = await World.StartAsync(null);

        for (var i = 0; i < 20; i++)
        {
            await world.Client.SaveStateAsync("store", $"k{i}", i, cancellationToken: Ct);
            await world.Client.PublishEventAsync("bus", "orders", new { n = i }, Ct);
        }

        Assert.Equal(20, world.Emulator.GetStateKeys("store").Count);
        Assert.Equal(20, world.Emulator.GetPublishedMessages("bus", "orders").Count);
        Assert.Equal(FaultCounts.None, world.Emulator.Faults);
    }

    private sealed class World : IAsyncDisposable
    {
        private readonly ResourcesFolder _resources;

        private World(ResourcesFolder resources, DaprEmulatorHost emulator, DaprSidecar sidecar)
        {
            _resources = resources;
            Emulator = emulator;
            Sidecar = sidecar;
            Client = EmulatorWithApp.ClientFor(sidecar);
        }

        public DaprEmulatorHost Emulator { get; }

        public DaprSidecar Sidecar { get; }

        public DaprClient Client { get; }

        public static async Task<World> StartAsync(FaultPlan? plan, int? appPort = null, TimeProvider? time = null, string? retry = null)
        {
            var resources = new ResourcesFolder(
                [Yaml.PostgresV2("store", ("outboxPublishPubsub", "bus"), ("outboxPublishTopic", "orders")), Yaml.Redis("bus"), .. retry is null ? Array.Empty<string>() : [retry]]);
            var emulator = await DaprEmulatorHost.StartAsync(new EmulatorOptions
            {
                ResourcesPaths = [resources.Path],
                LoggerFactory = TestLogging.Create(),
                TimeProvider = time ?? TimeProvider.System,
                Faults = plan,
            }, Ct);
            var sidecar = await emulator.StartSidecarAsync(new SidecarOptions { AppId = "order-command", AppPort = appPort }, Ct);
            await Poll.UntilAsync(() => sidecar.IsAppReady, "the sidecar has read the app's subscriptions");
            return new World(resources, emulator, sidecar);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Emulator.DisposeAsync();
            _resources.Dispose();
        }
    }
}
