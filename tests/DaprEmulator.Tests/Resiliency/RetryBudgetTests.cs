using DaprEmulator.Components;
using DaprEmulator.PubSub;
using DaprEmulator.Resiliency;

namespace DaprEmulator.Tests.Resiliency;

// The repository's own components, as real daprd 1.17 would run them: the retries of a failing
// delivery to order-query must all end before pubsub.redis gives up on the message. The Redis
// component runs the handler — retries included — under `processingTimeout`
// (components-contrib pubsub/redis/redis.go processMessage: context.WithTimeout), and daprd
// publishes to the dead-letter topic with that expired context (pkg/runtime/subscription
// subscription.go sendToDeadLetter), which fails: the message is then reclaimed and redelivered
// instead of parked. A budget that fits keeps dead-lettering working.
public sealed class RetryBudgetTests
{
    private static readonly TimeSpan AttemptsTime = TimeSpan.FromSeconds(20);

    private static string Components =>
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "components");

    [Fact]
    public void Every_retry_of_an_order_delivery_ends_within_the_processing_timeout_with_time_left_for_the_attempts()
    {
        var resources = ResourceLoader.Load([Components]);
        var retry = new ResiliencyPolicies(resources.Resiliencies, "order-query").PubSubInboundRetry("orderpubsub");
        var pubsub = resources.Components.Single(c => c.Name == "orderpubsub");
        var processingTimeout = RedisStreamsSettings.From(pubsub.Metadata.ToDictionary(m => m.Key, m => m.Value), "order-query").ProcessingTimeout;

        Assert.NotNull(retry);
        Assert.True(retry.MaxRetries > 0, "deliveries are retried a bounded number of times, then dead-lettered");
        var worst = WorstCaseChain(retry);
        // The attempts themselves take time too: a projection batch under load takes up to a few
        // seconds; 20 s are left for all of them.
        Assert.True(worst + AttemptsTime <= processingTimeout,
            $"the waits between retries may take {worst.TotalSeconds:0.#} s, processingTimeout is {processingTimeout.TotalSeconds:0} s");
    }

    [Fact]
    public void The_worst_case_of_an_exponential_chain_adds_each_retry_at_its_longest()
    {
        var policy = new RetryPolicy { Policy = BackoffKind.Exponential, MaxInterval = TimeSpan.FromSeconds(1), MaxRetries = 3 };

        // 500 ms × 1.5 = 750 ms, then capped at 1 s; each at most +50 %: 0.75 + 1.125 + 1.5.
        Assert.Equal(TimeSpan.FromSeconds(3.375), WorstCaseChain(policy));
    }

    // cenkalti/backoff: each delay is the current interval ± randomizationFactor, the interval
    // growing by the multiplier up to maxInterval.
    private static TimeSpan WorstCaseChain(RetryPolicy policy)
    {
        if (policy.Policy == BackoffKind.Constant)
        {
            return policy.Duration * policy.MaxRetries;
        }

        var total = TimeSpan.Zero;
        var current = policy.InitialInterval.TotalMilliseconds;
        for (var i = 0; i < policy.MaxRetries; i++)
        {
            total += TimeSpan.FromMilliseconds(current * (1 + policy.RandomizationFactor));
            current = Math.Min(current * policy.Multiplier, policy.MaxInterval.TotalMilliseconds);
        }

        return total;
    }
}
