using System.Threading.Channels;

namespace OrderDapr.Query.Changes;

// Publishes what the projection committed, after the commit and off its path: the read model is
// right already, so a slow or unreachable broker must not hold up the projection. Best effort:
// a batch that cannot be published (broker down, or MaxQueued batches waiting) is logged and
// dropped; readers then see the change from the store (the read cache's MaxAge bounds how long a
// cached view can miss it). Published one at a time, in commit order.
public sealed class OrderChangePublisher(IChangeFeedBroker broker, ILogger<OrderChangePublisher> logger) : BackgroundService
{
    public const int MaxQueued = 1_000;

    // A publish the sidecar does not answer must not stop the ones after it.
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<OrderChanges> queue = Channel.CreateBounded<OrderChanges>(
        new BoundedChannelOptions(MaxQueued) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    public void Publish(OrderChanges changes)
    {
        if (!queue.Writer.TryWrite(changes))
        {
            logger.LogWarning("{Count} batches of order changes wait to be published; the changes of this batch are not published",
                MaxQueued);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var changes in queue.Reader.ReadAllAsync(stoppingToken))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(PublishTimeout);
            try
            {
                await broker.PublishAsync(changes, timeout.Token);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Publishing the changes of {Count} orders committed at {CommittedAt:O} failed; subscribers and read caches miss them",
                    changes.Generations.Max(g => g.Orders.Count), changes.CommittedAt);
            }
        }
    }
}
