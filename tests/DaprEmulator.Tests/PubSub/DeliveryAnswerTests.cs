using DaprEmulator.PubSub;
using DaprEmulator.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace DaprEmulator.Tests.PubSub;

// What the sidecar does with the app's answer (pkg/runtime/subscription/postman/http): with a
// Resiliency inbound retry policy, and without one (Redis >= 1.17 acknowledges a failed delivery:
// then only the dead-letter topic, if any, receives the message).
public sealed class DeliveryAnswerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Success_is_delivered_once()
    {
        await using var setup = await Setup.StartAsync(_ => Results.Ok(new { status = "SUCCESS" }), retry: true);

        var records = await setup.PublishAndSettleAsync();

        Assert.Single(setup.App.At("/orders"));
        Assert.Equal([DeliveryOutcome.Delivered], records.Select(r => r.Outcome));
    }

    [Fact]
    public async Task An_empty_2xx_answer_is_a_success()
    {
        await using var setup = await Setup.StartAsync(_ => Results.NoContent(), retry: true);

        var records = await setup.PublishAndSettleAsync();

        Assert.Equal([DeliveryOutcome.Delivered], records.Select(r => r.Outcome));
    }

    [Fact]
    public async Task Retry_is_retried_by_the_resiliency_policy_until_success()
    {
        var attempts = 0;
        await using var setup = await Setup.StartAsync(
            _ => Interlocked.Increment(ref attempts) <= 2 ? Results.Ok(new { status = "RETRY" }) : Results.Ok(new { status = "SUCCESS" }), retry: true);

        var records = await setup.PublishAndSettleAsync();

        Assert.Equal(3, setup.App.At("/orders").Count);
        Assert.Equal([DeliveryOutcome.AttemptFailed, DeliveryOutcome.AttemptFailed, DeliveryOutcome.Delivered], records.Select(r => r.Outcome));
        Assert.Single(setup.App.At("/orders").Select(r => r.CloudEvent["id"]!.GetValue<string>()).Distinct());
    }

    [Theory]
    [InlineData("RETRY")]
    [InlineData("SOMETHING")]
    public async Task Without_a_policy_a_failed_delivery_is_dropped_after_one_attempt(string status)
    {
        await using var setup = await Setup.StartAsync(_ => Results.Ok(new { status }), retry: false);

        var records = await setup.PublishAndSettleAsync();

        Assert.Single(setup.App.At("/orders"));
        Assert.Equal([DeliveryOutcome.AttemptFailed, DeliveryOutcome.Failed], records.Select(r => r.Outcome));
    }

    [Fact]
    public async Task A_server_error_is_retried_until_the_policy_gives_up_then_dropped()
    {
        await using var setup = await Setup.StartAsync(_ => Results.StatusCode(500), retry: true, maxRetries: 2);

        var records = await setup.PublishAndSettleAsync();

        Assert.Equal(3, setup.App.At("/orders").Count);
        Assert.Equal(DeliveryOutcome.Failed, records[^1].Outcome);
    }

    [Fact]
    public async Task A_server_error_goes_to_the_dead_letter_topic_when_retries_are_exhausted()
    {
        await using var setup = await Setup.StartAsync(_ => Results.StatusCode(500), retry: true, maxRetries: 1, deadLetter: true);

        var records = await setup.PublishAndSettleAsync();

        Assert.Equal(2, setup.App.At("/orders").Count);
        Assert.Contains(records, r => r.Outcome == DeliveryOutcome.DeadLettered);
        var dead = await Poll.ForAsync(() => setup.App.At("/dead").FirstOrDefault(), "the dead letter is delivered");
        Assert.Equal(setup.App.At("/orders")[0].CloudEvent["id"]!.GetValue<string>(), dead.CloudEvent["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Drop_is_not_retried()
    {
        await using var setup = await Setup.StartAsync(_ => Results.Ok(new { status = "DROP" }), retry: true);

        var records = await setup.PublishAndSettleAsync();

        Assert.Single(setup.App.At("/orders"));
        Assert.Equal([DeliveryOutcome.Dropped], records.Select(r => r.Outcome));
    }

    [Fact]
    public async Task Drop_goes_to_the_dead_letter_topic_when_there_is_one()
    {
        await using var setup = await Setup.StartAsync(_ => Results.Ok(new { status = "DROP" }), retry: true, deadLetter: true);

        await setup.PublishAndSettleAsync();

        await Poll.ForAsync(() => setup.App.At("/dead").FirstOrDefault(), "the dead letter is delivered");
        Assert.Single(setup.App.At("/orders"));
    }

    [Fact]
    public async Task Not_found_is_dropped_without_retry()
    {
        await using var setup = await Setup.StartAsync(_ => Results.NotFound(), retry: true);

        var records = await setup.PublishAndSettleAsync();

        Assert.Single(setup.App.At("/orders"));
        Assert.Equal([DeliveryOutcome.Dropped], records.Select(r => r.Outcome));
    }

    [Fact]
    public async Task A_restarted_app_gets_the_delivery_retried_by_the_policy()
    {
        await using var setup = await Setup.StartAsync(_ => Results.Ok(), retry: true, maxRetries: -1);
        var port = setup.App.Port;
        await setup.App.DisposeAsync();

        await setup.Client.PublishEventAsync("bus", "orders", new { n = 1 }, Ct);
        await Poll.UntilAsync(() => setup.Emulator.Deliveries.All().Any(r => r.Outcome == DeliveryOutcome.AttemptFailed), "a delivery to the stopped app failed");
        await using var restarted = await SubscriberApp.StartAsync((a, web) => a.Topic(web, "/orders", "bus", "orders"), port);

        await Poll.UntilAsync(() => restarted.At("/orders").Count == 1, "the event reaches the restarted app");
    }

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

        public Dapr.Client.DaprClient Client => _env.Client;

        public static async Task<Setup> StartAsync(Func<ReceivedEvent, IResult> answer, bool retry, int maxRetries = 5, bool deadLetter = false)
        {
            var app = await SubscriberApp.StartAsync((a, web) =>
            {
                a.Topic(web, "/orders", new Dapr.TopicOptions { PubsubName = "bus", Name = "orders", DeadLetterTopic = deadLetter ? "orders-dead" : null! }, answer);
                a.Topic(web, "/dead", "bus", "orders-dead");
            });
            var yaml = retry ? new[] { Yaml.Redis("bus"), Yaml.ConstantRetry("bus", "10ms", maxRetries) } : [Yaml.Redis("bus")];
            var env = await EmulatorWithApp.StartAsync("app", app.Port, yaml);
            await Poll.UntilAsync(() => env.Sidecar.IsAppReady, "the sidecar has read the subscriptions");
            return new Setup(app, env);
        }

        // Publishes one event and waits until its handling at /orders ended.
        public async Task<IReadOnlyList<DeliveryRecord>> PublishAndSettleAsync()
        {
            await _env.Client.PublishEventAsync("bus", "orders", new { n = 1 }, Ct);
            await Poll.UntilAsync(
                () => Records().Any(r => r.Outcome is not DeliveryOutcome.AttemptFailed),
                "the delivery ended");
            await _env.Emulator.WaitForIdleAsync(TimeSpan.FromSeconds(10), Ct);
            return Records();
        }

        private List<DeliveryRecord> Records() => [.. _env.Emulator.Deliveries.All().Where(r => r.Topic == "orders")];

        public async ValueTask DisposeAsync()
        {
            await _env.DisposeAsync();
            await App.DisposeAsync();
        }
    }
}
