namespace DaprEmulator.PubSub;

public sealed class PubSubNotFoundException(string pubsub) : Exception($"pubsub '{pubsub}' not found");

// One sidecar's publishing path (dapr pkg/runtime/pubsub/publisher): the pub/sub must be loaded by
// this sidecar; the data is handed to the component as is (the envelope is built by the caller).
public sealed class PubSubPublisher(
    string appId,
    Func<string, IPubSubComponent?> components,
    PublishedMessageLog log,
    TimeProvider time)
{
    public async Task PublishAsync(string pubsub, string topic, byte[] data, IReadOnlyDictionary<string, string>? metadata, string? contentType)
    {
        var component = components(pubsub) ?? throw new PubSubNotFoundException(pubsub);
        await component.PublishAsync(topic, data, metadata, contentType);
        log.Add(pubsub, topic, appId, data, metadata, time.GetUtcNow(), component);
    }
}
