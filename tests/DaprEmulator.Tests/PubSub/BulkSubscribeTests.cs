using System.Collections.Concurrent;
using Dapr;
using Dapr.AspNetCore;
using DaprEmulator.PubSub;
using DaprEmulator.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.PubSub;

// Bulk subscribe as daprd does it for pubsub.redis (default bulk subscriber, postman/http
// DeliverBulk, bulk resiliency), with a Dapr.AspNetCore app subscribing through WithBulkSubscribe.
// Unless a test is about the await timer, maxAwaitDurationMs is long enough that only the count
// flushes a batch, so batch contents do not depend on timing.
public sealed class BulkSubscribeTests
{
    private const int NoTimeout = 600_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_app_receives_a_batch_in_daprds_bulk_envelope()
    {
        await using var setup = await Setup.StartAsync(maxMessagesCount: 3);

        await setup.PublishAsync(3);

        var batch = await Poll.ForAsync(() => setup.App.Batches.FirstOrDefault(), "the batch is delivered");
        Assert.Equal("application/json", batch.ContentType);
        var envelope = batch.Envelope;
        Assert.Equal(["entries", "id", "metadata", "pubsubname", "topic", "type"], envelope.Select(p => p.Key));
        Assert.Equal("com.dapr.event.sent.bulk", envelope["type"]!.GetValue<string>());
        Assert.Equal(("orders", "bus"), (envelope["topic"]!.GetValue<string>(), envelope["pubsubname"]!.GetValue<string>()));
        Assert.True(Guid.TryParse(envelope["id"]!.GetValue<string>(), out _));
        Assert.Equal("bus", envelope["metadata"]!["pubsubName"]!.GetValue<string>());
        Assert.Equal("bus", batch.Headers["pubsubName"]);
        Assert.Equal(3, batch.Message.Entries.Count);
        Assert.All(batch.Message.Entries, e =>
        {
            Assert.True(Guid.TryParse(e.EntryId, out _));
            Assert.Equal("application/cloudevents+json", e.ContentType);
            Assert.Equal("com.dapr.event.sent", e.Event.Type);
            Assert.Equal("application/json", e.Event.Datacontenttype);
        });
        Assert.Equal([0, 1, 2], batch.Message.Entries.Select(e => e.Event.Data.GetProperty("n").GetInt32()).Order());
        Assert.All(batch.Events, ce => Assert.Equal(("orders", "bus"), (ce["topic"]!.GetValue<string>(), ce["pubsubname"]!.GetValue<string>())));
        await setup.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(3, setup.Records(DeliveryOutcome.Delivered).Count);
    }

    [Fact]
    public async Task Batches_hold_at_most_max_messages_count_entries()
    {
        await using var setup = await Setup.StartAsync(maxMessagesCount: 4);

        await setup.PublishAsync(12);

        await Poll.UntilAsync(() => setup.App.Batches.Sum(b => b.EntryIds.Count) == 12, "the 12 events are delivered");
        Assert.Equal([4, 4, 4], setup.App.Batches.Select(b => b.EntryIds.Count));
        Assert.Equal(12, setup.App.Batches.SelectMany(b => b.Events).Select(ce => ce["id"]!.GetValue<string>()).Distinct().Count());
    }

    [Fact]
    public async Task Entries_are_grouped_by_the_path_their_routing_rule_picks()
    {
        await using var app = await SubscriberApp.StartAsync((a, web) =>
        {
            var bulk = new BulkSubscribeTopicOptions { TopicName = "orders", MaxMessagesCount = 4, MaxAwaitDurationMs = NoTimeout };
            a.BulkTopic(web, "/even", new TopicOptions { PubsubName = "bus", Name = "orders", Match = "event.data.even == true", Priority = 1 }, bulk);
            a.BulkTopic(web, "/other", new TopicOptions { PubsubName = "bus", Name = "orders" }, bulk);
        });
        await using var env = await EmulatorWithApp.StartAsync("app", app.Port, Yaml.Redis("bus"));

        for (var i = 0; i < 4; i++)
        {
            await env.Client.PublishEventAsync("bus", "orders", new { n = i, even = i % 2 == 0 }, Ct);
        }

        await Poll.UntilAsync(() => app.Batches.Count == 2, "one request per path");
        Assert.Equal([0, 2], N(app.Batches.Single(b => b.Path == "/even")));
        Assert.Equal([1, 3], N(app.Batches.Single(b => b.Path == "/other")));
    }

    [Fact]
    public async Task A_retry_policy_resends_only_the_entries_answered_retry()
    {
        var attempts = new ConcurrentDictionary<string, int>();
        await using var setup = await Setup.StartAsync(
            maxMessagesCount: 4, retry: true,
            answer: b => b.Answer(e => attempts.AddOrUpdate(e.EntryId, 1, (_, n) => n + 1) == 1 && e.Event.Data.GetProperty("n").GetInt32() % 2 == 1
                ? BulkSubscribeAppResponseStatus.RETRY
                : BulkSubscribeAppResponseStatus.SUCCESS));

        await setup.PublishAsync(4);

        await Poll.UntilAsync(() => setup.App.Batches.Count == 2, "the failed entries are sent again");
        await setup.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        var (first, second) = (setup.App.Batches[0], setup.App.Batches[1]);
        Assert.Equal([1, 3], N(second));
        Assert.Equal(
            first.Message.Entries.Where(e => e.Event.Data.GetProperty("n").GetInt32() % 2 == 1).Select(e => e.EntryId).Order(),
            second.EntryIds.Order());
        Assert.Equal(first.Envelope["id"]!.GetValue<string>(), second.Envelope["id"]!.GetValue<string>());
        Assert.Equal(2, setup.App.Batches.Count);
        Assert.Equal(4, setup.Records(DeliveryOutcome.Delivered).Count);
        Assert.Equal(2, setup.Records(DeliveryOutcome.AttemptFailed).Count);
    }

    [Fact]
    public async Task A_missing_or_unknown_status_is_a_retry()
    {
        var attempts = 0;
        await using var setup = await Setup.StartAsync(maxMessagesCount: 3, retry: true, answer: b => Interlocked.Increment(ref attempts) == 1
            ? Results.Ok(new { statuses = new object[] { new { entryId = b.EntryIds[0], status = "SUCCESS" }, new { entryId = b.EntryIds[1], status = "MAYBE" } } })
            : b.Answer(_ => BulkSubscribeAppResponseStatus.SUCCESS));

        await setup.PublishAsync(3);

        await Poll.UntilAsync(() => setup.App.Batches.Count == 2, "the entries without a success are sent again");
        Assert.Equal(setup.App.Batches[0].EntryIds.Skip(1).Order(), setup.App.Batches[1].EntryIds.Order());
    }

    [Fact]
    public async Task Drop_dead_letters_the_entry_and_does_not_retry_it()
    {
        await using var setup = await Setup.StartAsync(
            maxMessagesCount: 3, retry: true, deadLetter: true,
            answer: b => b.Answer(e => e.Event.Data.GetProperty("n").GetInt32() == 1 ? BulkSubscribeAppResponseStatus.DROP : BulkSubscribeAppResponseStatus.SUCCESS));

        await setup.PublishAsync(3);

        var dead = await Poll.ForAsync(() => setup.App.At("/dead").FirstOrDefault(), "the dropped entry is dead-lettered");
        await setup.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(1, dead.CloudEvent["data"]!["n"]!.GetValue<int>());
        Assert.Single(setup.App.At("/dead"));
        Assert.Single(setup.App.Batches);
        Assert.Equal(2, setup.Records(DeliveryOutcome.Delivered).Count);
        Assert.Single(setup.Records(DeliveryOutcome.DeadLettered));
    }

    [Fact]
    public async Task Not_found_drops_every_entry_without_retry_or_dead_letter()
    {
        await using var setup = await Setup.StartAsync(maxMessagesCount: 2, retry: true, deadLetter: true, answer: _ => Results.NotFound());

        await setup.PublishAsync(2);

        await Poll.UntilAsync(() => setup.Records(DeliveryOutcome.Dropped).Count == 2, "both entries are dropped");
        await setup.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Single(setup.App.Batches);
        Assert.Empty(setup.App.At("/dead"));
        Assert.Empty(setup.Records(DeliveryOutcome.DeadLettered));
    }

    [Fact]
    public async Task Entries_still_failing_after_the_retries_go_to_the_dead_letter_topic()
    {
        await using var setup = await Setup.StartAsync(maxMessagesCount: 2, retry: true, maxRetries: 1, deadLetter: true, answer: _ => Results.StatusCode(500));

        await setup.PublishAsync(2);

        await Poll.UntilAsync(() => setup.App.At("/dead").Count == 2, "both entries are dead-lettered");
        await setup.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(2, setup.App.Batches.Count);
        Assert.Equal(setup.App.Batches[0].Events.Select(Id).Order(), setup.App.At("/dead").Select(d => Id(d.CloudEvent)).Order());
        Assert.Equal(2, setup.Records(DeliveryOutcome.DeadLettered).Count);
    }

    [Fact]
    public async Task Without_a_policy_or_dead_letter_topic_failed_entries_are_dropped_after_one_attempt()
    {
        await using var setup = await Setup.StartAsync(maxMessagesCount: 2, answer: b => b.Answer(_ => BulkSubscribeAppResponseStatus.RETRY));

        await setup.PublishAsync(2);

        await Poll.UntilAsync(() => setup.Records(DeliveryOutcome.Failed).Count == 2, "both entries failed");
        await setup.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Single(setup.App.Batches);
    }

    [Fact]
    public async Task An_expired_event_is_dropped_before_delivery()
    {
        await using var setup = await Setup.StartAsync(maxMessagesCount: 2);
        using var http = new HttpClient { BaseAddress = new Uri(setup.Sidecar.HttpEndpoint) };

        var expired = await http.PostAsync("/v1.0/publish/bus/orders", new StringContent(
            """{"id":"old","specversion":"1.0","type":"t","source":"s","expiration":"2000-01-01T00:00:00Z","datacontenttype":"application/json","data":{"n":0}}""",
            System.Text.Encoding.UTF8, "application/cloudevents+json"), Ct);
        expired.EnsureSuccessStatusCode();
        await setup.Client.PublishEventAsync("bus", "orders", new { n = 1 }, Ct);

        var batch = await Poll.ForAsync(() => setup.App.Batches.FirstOrDefault(), "the other event is delivered");
        Assert.Equal([1], N(batch));
        Assert.Equal("old", Assert.Single(setup.Records(DeliveryOutcome.Dropped)).MessageId);
    }

    [Fact]
    public async Task A_partial_batch_is_delivered_max_await_duration_after_its_first_message()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var setup = await Setup.StartAsync(maxMessagesCount: 100, maxAwaitDurationMs: 1000, time: time);

        await setup.PublishAsync(3);
        await Poll.UntilAsync(() => Collector(setup).Batched == 3, "the three events are collected");

        Assert.Empty(setup.App.Batches);
        time.Advance(TimeSpan.FromSeconds(1));

        var batch = await Poll.ForAsync(() => setup.App.Batches.FirstOrDefault(), "the batch is delivered");
        Assert.Equal([0, 1, 2], N(batch));
    }

    [Fact]
    public async Task A_batch_never_holds_more_entries_than_the_component_has_workers()
    {
        // Each of the 5 workers waits in its handler until its batch is handled (default_bulksub.go),
        // so only the await timer can flush, with 5 entries.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var setup = await Setup.StartAsync(maxMessagesCount: 100, maxAwaitDurationMs: 1000, time: time, redis: [("concurrency", "5")]);
        await setup.PublishAsync(20);

        for (var batch = 1; batch <= 4; batch++)
        {
            await Poll.UntilAsync(() => Collector(setup).Batched == 5, $"batch {batch} is collected");
            Assert.Equal(batch - 1, setup.App.Batches.Count);
            time.Advance(TimeSpan.FromSeconds(1));
            await Poll.UntilAsync(() => setup.App.Batches.Count == batch, $"batch {batch} is delivered");
        }

        Assert.All(setup.App.Batches, b => Assert.Equal(5, b.EntryIds.Count));
        Assert.Equal(Enumerable.Range(0, 20), setup.App.Batches.SelectMany(N).Order());
    }

    [Fact]
    public void Bulk_subscribe_is_read_from_the_subscription_list()
    {
        var specs = SubscriptionDiscovery.Parse("""
            [{"pubsubname":"bus","topic":"orders","route":"/orders","bulkSubscribe":{"enabled":true,"maxMessagesCount":50,"maxAwaitDurationMs":40}},
             {"pubsubname":"bus","topic":"payments","route":"/payments","bulkSubscribe":{"enabled":false,"maxMessagesCount":50}}]
            """u8.ToArray(), NullLogger.Instance);

        Assert.Equal(new BulkSubscribeSpec(50, 40), specs[0].BulkSubscribe);
        Assert.Null(specs[1].BulkSubscribe);
    }

    [Fact]
    public void Bulk_subscribe_of_a_raw_payload_fails_loudly()
    {
        var error = Assert.Throws<NotSupportedException>(() => SubscriptionDiscovery.Parse("""
            [{"pubsubname":"bus","topic":"orders","route":"/orders","metadata":{"rawPayload":"true"},"bulkSubscribe":{"enabled":true}}]
            """u8.ToArray(), NullLogger.Instance));

        Assert.Contains("rawPayload", error.Message, StringComparison.Ordinal);
    }

    private static BulkCollector Collector(Setup setup) => Assert.Single(setup.Sidecar.BulkCollectors);

    private static string Id(System.Text.Json.Nodes.JsonObject cloudEvent) => cloudEvent["id"]!.GetValue<string>();

    private static List<int> N(ReceivedBatch batch) => [.. batch.Message.Entries.Select(e => e.Event.Data.GetProperty("n").GetInt32()).Order()];

    private sealed class Setup : IAsyncDisposable
    {
        private readonly EmulatorWithApp _env;

        private Setup(SubscriberApp app, EmulatorWithApp env)
        {
            App = app;
            _env = env;
        }

        public SubscriberApp App { get; }

        public Hosting.DaprEmulatorHost Emulator => _env.Emulator;

        public Hosting.DaprSidecar Sidecar => _env.Sidecar;

        public Dapr.Client.DaprClient Client => _env.Client;

        public static async Task<Setup> StartAsync(
            int maxMessagesCount, int maxAwaitDurationMs = NoTimeout, Func<ReceivedBatch, IResult>? answer = null, bool retry = false,
            int maxRetries = 5, bool deadLetter = false, TimeProvider? time = null, (string, string)[]? redis = null)
        {
            var app = await SubscriberApp.StartAsync((a, web) =>
            {
                a.BulkTopic(web, "/orders",
                    new TopicOptions { PubsubName = "bus", Name = "orders", DeadLetterTopic = deadLetter ? "orders-dead" : null! },
                    new BulkSubscribeTopicOptions { TopicName = "orders", MaxMessagesCount = maxMessagesCount, MaxAwaitDurationMs = maxAwaitDurationMs },
                    answer is null ? null : b => Task.FromResult(answer(b)));
                a.Topic(web, "/dead", "bus", "orders-dead");
            });
            string[] yaml = retry ? [Yaml.Redis("bus", redis ?? []), Yaml.ConstantRetry("bus", "10ms", maxRetries)] : [Yaml.Redis("bus", redis ?? [])];
            var env = await EmulatorWithApp.StartAsync("app", app.Port, time ?? TimeProvider.System, yaml);
            await Poll.UntilAsync(() => env.Sidecar.IsAppReady, "the sidecar has read the subscriptions");
            return new Setup(app, env);
        }

        public async Task PublishAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                await _env.Client.PublishEventAsync("bus", "orders", new { n = i }, Ct);
            }
        }

        public List<DeliveryRecord> Records(DeliveryOutcome outcome) =>
            [.. _env.Emulator.Deliveries.All().Where(r => r.Topic == "orders" && r.Outcome == outcome)];

        public async ValueTask DisposeAsync()
        {
            await _env.DisposeAsync();
            await App.DisposeAsync();
        }
    }
}
