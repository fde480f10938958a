using DaprEmulator.Hosting;
using DaprEmulator.PubSub;
using DaprEmulator.Tests.Actors;
using DaprEmulator.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.PubSub;

// processingTimeout with a resiliency retry chain longer than it. components-contrib pubsub/redis
// processMessage runs the handler under context.WithTimeout(processingTimeout) (processingTimeout
// and redeliverInterval non-zero) and, when the handler fails with that context done, skips the
// XACK. daprd's handler (pkg/runtime/subscription/subscription.go) runs the chain under
// resiliency.NewRunner(context.Background(), ...), so the deadline does not cut it short; when the
// chain fails for good it dead-letters with context.WithoutCancel(ctx) and a 30 s
// deadLetterPublishTimeout (a deadline-exceeded context is published on, only a cancelled one is
// not) and returns nil, so contrib acknowledges. Without a dead-letter topic it returns the error:
// past the deadline the message stays pending and is claimed again after processingTimeout.
public sealed class ProcessingTimeoutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_delivery_failed_after_the_processing_timeout_stays_pending_and_is_delivered_again()
    {
        // 5 attempts, 5 s apart: the chain ends 20 s in, past the 10 s processingTimeout.
        await using var setup = await Setup.StartAsync(retryInterval: "5s", deadLetter: false);

        await setup.PublishAndRunTheChainAsync();

        Assert.Equal(5, setup.App.At("/orders").Count);
        Assert.Equal(1, await setup.Redis.PendingAsync("orders"));
        await Eventually.UntilAdvancing(setup.Time, TimeSpan.FromMinutes(5), () => setup.App.At("/orders").Count > 5, "the reclaim hands the message out again");
    }

    [Fact]
    public async Task A_delivery_dead_lettered_after_the_processing_timeout_is_acknowledged()
    {
        await using var setup = await Setup.StartAsync(retryInterval: "5s", deadLetter: true);

        await setup.PublishAndRunTheChainAsync();

        Assert.Contains(setup.Emulator.Deliveries.All(), r => r.Outcome == DeliveryOutcome.DeadLettered);
        Assert.Single(setup.Emulator.GetPublishedMessages("bus", "orders-dead"));
        Assert.Equal(0, await setup.Redis.PendingAsync("orders"));

        // Past the next reclaim (redeliverInterval 1h): nothing is handed out again.
        setup.Time.Advance(TimeSpan.FromHours(2));
        await setup.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(5, setup.App.At("/orders").Count);
    }

    [Fact]
    public async Task A_delivery_failed_within_the_processing_timeout_is_acknowledged()
    {
        // 5 attempts, 100 ms apart: the chain ends 0.4 s in, well within the 10 s processingTimeout.
        await using var setup = await Setup.StartAsync(retryInterval: "100ms", deadLetter: false);

        await setup.PublishAndRunTheChainAsync(TimeSpan.FromMilliseconds(100));

        Assert.Equal(0, await setup.Redis.PendingAsync("orders"));
        setup.Time.Advance(TimeSpan.FromHours(2));
        await setup.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(5, setup.App.At("/orders").Count);
    }

    private sealed class Setup : IAsyncDisposable
    {
        private Setup(EmulatorWithApp env, SubscriberApp app, FakeTimeProvider time)
        {
            Env = env;
            App = app;
            Time = time;
        }

        public EmulatorWithApp Env { get; }

        public DaprEmulatorHost Emulator => Env.Emulator;

        public SubscriberApp App { get; }

        public FakeTimeProvider Time { get; }

        public RedisStreamsClient Redis => Assert.IsType<RedisStreamsClient>(Env.Sidecar.Components.PubSubs["bus"].Component);

        public static async Task<Setup> StartAsync(string retryInterval, bool deadLetter)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var app = await SubscriberApp.StartAsync((a, web) =>
            {
                a.Topic(web, "/orders", new Dapr.TopicOptions { PubsubName = "bus", Name = "orders", DeadLetterTopic = deadLetter ? "orders-dead" : null }, _ => Results.StatusCode(500));
                if (deadLetter)
                {
                    a.Topic(web, "/dead", "bus", "orders-dead");
                }
            });
            var env = await EmulatorWithApp.StartAsync(
                "order-query", app.Port, time,
                Yaml.Redis("bus", ("processingTimeout", "10s"), ("redeliverInterval", "1h")), Yaml.ConstantRetry("bus", retryInterval, 4));
            return new Setup(env, app, time);
        }

        // Publishes one event and moves the clock on, a step at a time, until its retry chain has
        // ended and the component has settled the message (acknowledged or left pending).
        public async Task PublishAndRunTheChainAsync(TimeSpan? step = null)
        {
            await Env.Client.PublishEventAsync("bus", "orders", new { n = 1 }, Ct);
            await Eventually.UntilAdvancing(
                Time, step ?? TimeSpan.FromSeconds(1),
                () => Emulator.Deliveries.All().Any(r => r.Outcome is DeliveryOutcome.Failed or DeliveryOutcome.DeadLettered) && Redis.Unfinished == 0,
                "the retry chain has ended and the component has settled the message");
        }

        public async ValueTask DisposeAsync()
        {
            await Env.DisposeAsync();
            await App.DisposeAsync();
        }
    }
}
