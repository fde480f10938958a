using Dapr.Client;

namespace OrderDapr.Query.Changes;

// The pub/sub the change feed travels on.
public interface IChangeFeedBroker
{
    Task PublishAsync(OrderChanges changes, CancellationToken cancellationToken);
}

// Topic `order-changes` of component `orderchanges` (components/orderchanges.yaml): pubsub.redis
// with consumerID "{uuid}", so that every replica's sidecar reads the topic in its own consumer
// group and every replica gets every change.
public sealed class DaprChangeFeedBroker(DaprClient dapr) : IChangeFeedBroker
{
    public const string PubSub = "orderchanges";
    public const string Topic = "order-changes";

    public Task PublishAsync(OrderChanges changes, CancellationToken cancellationToken) =>
        dapr.PublishEventAsync(PubSub, Topic, changes, cancellationToken);
}
