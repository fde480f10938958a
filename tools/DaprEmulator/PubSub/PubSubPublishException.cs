namespace DaprEmulator.PubSub;

// The component could not take the message (e.g. the Redis server did not answer the XADD): the
// publish fails, as daprd's does with ERR_PUBSUB_PUBLISH_MESSAGE.
public sealed class PubSubPublishException(string message, Exception inner) : InvalidOperationException(message, inner);
