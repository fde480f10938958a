namespace DaprEmulator.PubSub.Streams;

// One stream entry as components-contrib pubsub/redis writes it: field `data` (the message) and,
// when the publish request had metadata, field `metadata` (that map as JSON).
public sealed record StreamEntry(StreamId Id, byte[] Data, string? Metadata);
