using OrderDapr.Query.Changes;

namespace OrderDapr.Query.Tests.Fixtures;

// The change feed's pub/sub as the tests see it: every message published (listed once it was
// handed to `deliver`, if given, as the sidecars would deliver it to the replicas).
public sealed class RecordingBroker(Func<OrderChanges, CancellationToken, Task>? deliver = null) : IChangeFeedBroker
{
    private readonly Lock gate = new();
    private readonly List<OrderChanges> published = [];
    private TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Set to make the next publishes fail, as an unreachable sidecar would.
    public Exception? Failure { get; set; }

    public IReadOnlyList<OrderChanges> Published
    {
        get
        {
            lock (gate)
            {
                return [.. published];
            }
        }
    }

    public async Task PublishAsync(OrderChanges changes, CancellationToken cancellationToken)
    {
        try
        {
            if (Failure is { } failure)
            {
                throw failure;
            }

            if (deliver is not null)
            {
                await deliver(changes, cancellationToken);
            }
        }
        finally
        {
            TaskCompletionSource signal;
            lock (gate)
            {
                published.Add(changes);
                signal = arrived;
                arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            signal.TrySetResult();
        }
    }

    // Waits (bounded) until `count` messages were published and handed on (or failed).
    public async Task<IReadOnlyList<OrderChanges>> PublishedAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (published.Count >= count)
                {
                    return [.. published];
                }

                next = arrived.Task;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{count} change messages were not published within 30 s");
            await next.WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
