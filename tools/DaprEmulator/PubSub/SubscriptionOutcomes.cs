namespace DaprEmulator.PubSub;

// What becomes of the messages of one app subscription, for single and bulk delivery alike: a
// DeliveryLog record per message and outcome, and the dead-letter publish (sendToDeadLetter: the
// original message, data and metadata, republished on the same pub/sub).
public sealed class SubscriptionOutcomes(
    string appId,
    SubscriptionSpec spec,
    PubSubPublisher publisher,
    DeliveryLog deliveries,
    TimeProvider time,
    ILogger logger)
{
    public async Task<bool> TryDeadLetterAsync(byte[] data, IReadOnlyDictionary<string, string> metadata, string? contentType, string? id, string? path)
    {
        if (spec.DeadLetterTopic is null)
        {
            return false;
        }

        try
        {
            await publisher.PublishAsync(spec.PubSubName, spec.DeadLetterTopic, data, metadata, contentType);
            Record(id, path, DeliveryOutcome.DeadLettered, spec.DeadLetterTopic);
            return true;
        }
        catch (Exception e) when (e is PubSubNotFoundException or PubSubPublishException or ObjectDisposedException)
        {
            logger.LogError("error sending message to dead letter, origin topic: {Topic} dead letter topic {DeadLetter} err: {Error}", spec.Topic, spec.DeadLetterTopic, e.Message);
            return false;
        }
    }

    public void Record(string? id, string? path, DeliveryOutcome outcome, string? detail)
    {
        logger.LogDebug("event {Id} of topic {Topic} to /{Path}: {Outcome} {Detail}", id, spec.Topic, path?.TrimStart('/'), outcome, detail);
        deliveries.Add(new DeliveryRecord(appId, spec.PubSubName, spec.Topic, id, path, outcome, detail, time.GetUtcNow()));
    }
}
