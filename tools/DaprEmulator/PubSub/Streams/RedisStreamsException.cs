namespace DaprEmulator.PubSub.Streams;

// An error reply of a stream command, worded as Redis words it (e.g. NOGROUP).
public sealed class RedisStreamsException(string message) : Exception(message);
