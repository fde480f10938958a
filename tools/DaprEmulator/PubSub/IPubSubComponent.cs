namespace DaprEmulator.PubSub;

// One sidecar's instance of a pub/sub component.
public interface IPubSubComponent : IAsyncDisposable
{
    string Name { get; }

    // Completes once the broker has the message; fails with PubSubPublishException.
    Task PublishAsync(string topic, byte[] data, IReadOnlyDictionary<string, string>? metadata, string? contentType);

    IDisposable Subscribe(string topic, PubSubHandler handler);

    // Test hook: whether a message is being handled or waits for a subscriber that is up.
    bool IsBusy { get; }
}
