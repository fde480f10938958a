namespace DaprEmulator.PubSub;

// What a pub/sub component hands to a subscriber (components-contrib pubsub.NewMessage).
public sealed record PubSubMessage(string Topic, byte[] Data, IReadOnlyDictionary<string, string> Metadata, string? ContentType);

// A subscriber callback. Throwing reports a processing error to the component.
public delegate Task PubSubHandler(PubSubMessage message, CancellationToken cancellationToken);
