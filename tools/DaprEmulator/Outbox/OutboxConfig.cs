using DaprEmulator.Components;

namespace DaprEmulator.Outbox;

// pkg/runtime/pubsub/outbox.go AddOrUpdateOutbox: on when the state store has both
// outboxPublishPubsub and outboxPublishTopic (exact metadata names); outboxPubsub defaults to the
// publish pubsub.
public sealed record OutboxConfig(string StateStore, string PublishPubSub, string PublishTopic, string OutboxPubSub, bool DiscardWhenMissingState)
{
    public static OutboxConfig? From(ComponentDefinition store)
    {
        var publishPubSub = store.GetExact("outboxPublishPubsub");
        var publishTopic = store.GetExact("outboxPublishTopic");
        if (string.IsNullOrEmpty(publishPubSub) || string.IsNullOrEmpty(publishTopic))
        {
            return null;
        }

        var outboxPubSub = store.GetExact("outboxPubsub");
        return new OutboxConfig(
            store.Name,
            publishPubSub,
            publishTopic,
            string.IsNullOrEmpty(outboxPubSub) ? publishPubSub : outboxPubSub,
            TruthyValue.IsTruthy(store.GetExact("outboxDiscardWhenMissingState")));
    }

    // outboxTopic(appID, topic, namespace) = namespace + appID + topic + "outbox".
    public string InternalTopic(string appId, string? ns) => (ns ?? "") + appId + PublishTopic + "outbox";
}
