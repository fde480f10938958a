using System.Text;
using DaprEmulator.Components;
using DaprEmulator.PubSub;
using DaprEmulator.State;

namespace DaprEmulator.Outbox;

// The transactional outbox of one sidecar, as dapr/dapr pkg/runtime/pubsub/outbox.go does it:
//  1. PublishInternalAsync (only ExecuteStateTransaction calls it): operations with metadata
//     outbox.projection=true are taken out of the transaction; for every remaining upsert a marker
//     record "outbox-{uuid}" is added to the transaction and a CloudEvent is published, *before*
//     the commit, to the internal topic {namespace}{appId}{publishTopic}outbox of outboxPubsub (a
//     failed publish fails the transaction). Its data is the projection's value for that key when
//     there is one, else the upserted value; every metadata entry of the upsert except "data" and
//     "id" is copied into the CloudEvent (that is how a caller sets "type").
//  2. SubscribeToInternalTopics: the sidecar consumes its internal topic (consumer group = app id),
//     waits 1 s, then polls the store for the marker with an exponential backoff (500 ms x3, at most
//     3 s apart, 10 s in all). Marker found: the CloudEvent is published, with topic/pubsubname set,
//     to the real pubsub/topic and the marker deleted. Marker never found (the transaction failed):
//     nothing is published; the error is returned to the component, which (Redis >= 1.17)
//     acknowledges it anyway, or the message is discarded when outboxDiscardWhenMissingState is set.
public sealed class TransactionalOutbox(
    string appId,
    string? ns,
    IReadOnlyList<OutboxConfig> configs,
    PubSubPublisher publisher,
    Func<string, IStateStore?> stores,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan StateScanDelay = TimeSpan.FromSeconds(1);

    public bool Enabled(string store) => configs.Any(c => c.StateStore == store);

    public async Task<IReadOnlyList<StateOperation>> PublishInternalAsync(string store, IReadOnlyList<StateOperation> operations, string traceId, string traceState)
    {
        var config = configs.FirstOrDefault(c => c.StateStore == store)
            ?? throw new InvalidOperationException($"error publishing internal outbox message: could not find outbox configuration on state store {store}");

        var projections = new Dictionary<string, SetOperation>(StringComparer.Ordinal);
        var remaining = new List<StateOperation>();
        foreach (var op in operations)
        {
            if (op is SetOperation set && set.Metadata.TryGetValue("outbox.projection", out var p) && TruthyValue.IsTruthy(p))
            {
                projections[set.Key] = set;
            }
            else
            {
                remaining.Add(op);
            }
        }

        var markers = new List<StateOperation>();
        foreach (var set in remaining.OfType<SetOperation>())
        {
            var marker = new SetOperation($"outbox-{Guid.NewGuid()}", Encoding.UTF8.GetBytes("\"0\""));
            var source = projections.GetValueOrDefault(set.Key) ?? set;
            var contentType = source.Metadata.GetValueOrDefault("contentType") ?? "";
            var envelope = CloudEvents.NewEnvelope(
                marker.Key, appId, null, null, "", config.OutboxPubSub, contentType, source.Value, "", traceState, time.GetLocalNow());
            envelope["traceid"] = traceId;
            foreach (var (key, value) in set.Metadata)
            {
                if (key is not ("data" or "id"))
                {
                    envelope[key] = value;
                }
            }

            await publisher.PublishAsync(config.OutboxPubSub, config.InternalTopic(appId, ns), CloudEvents.Serialize(envelope), null, null);
            markers.Add(marker);
        }

        return [.. remaining, .. markers];
    }

    public IEnumerable<IDisposable> SubscribeToInternalTopics(Func<string, IPubSubComponent?> pubsubs)
    {
        foreach (var config in configs)
        {
            if (pubsubs(config.OutboxPubSub) is not { } component)
            {
                logger.LogWarning("could not subscribe to internal outbox topic: outbox pubsub {PubSub} not loaded", config.OutboxPubSub);
                continue;
            }

            yield return component.Subscribe(config.InternalTopic(appId, ns), (message, ct) => HandleAsync(config, message, ct));
        }
    }

    private async Task HandleAsync(OutboxConfig config, PubSubMessage message, CancellationToken ct)
    {
        var cloudEvent = CloudEvents.Parse(message.Data);
        var markerKey = CloudEvents.GetString(cloudEvent, "id") ?? "";
        var store = stores(config.StateStore) ?? throw new InvalidOperationException($"cannot get outbox state: state store {config.StateStore} not found");

        await Task.Delay(StateScanDelay, time, ct);
        try
        {
            await RetryAsync(async () =>
            {
                if (await store.GetAsync(markerKey) is not { Value.Length: > 0 })
                {
                    throw new InvalidOperationException(
                        $"cannot publish outbox message to topic {config.PublishTopic} with pubsub {config.PublishPubSub}: outbox state not found");
                }
            }, ct);
        }
        catch (InvalidOperationException e)
        {
            if (config.DiscardWhenMissingState)
            {
                logger.LogError("failed to publish outbox topic to pubsub {PubSub}: {Error}, discarding message", config.PublishPubSub, e.Message);
                return;
            }

            logger.LogError("failed to publish outbox topic to pubsub {PubSub}: {Error}, rejecting for later processing", config.PublishPubSub, e.Message);
            throw;
        }

        cloudEvent["topic"] = config.PublishTopic;
        cloudEvent["pubsubname"] = config.PublishPubSub;
        var contentType = CloudEvents.GetString(cloudEvent, "datacontenttype");
        await publisher.PublishAsync(config.PublishPubSub, config.PublishTopic, CloudEvents.Serialize(cloudEvent), null, contentType);
        logger.LogDebug("outbox message {Id} published to topic {Topic} on {PubSub}", markerKey, config.PublishTopic, config.PublishPubSub);
        await RetryAsync(() => store.DeleteAsync(new DeleteOperation(markerKey)), ct);
    }

    // The backoff of outbox.go: initial 500 ms, multiplier 3, at most 3 s apart, 10 s in all.
    private async Task RetryAsync(Func<ValueTask> attempt, CancellationToken ct)
    {
        var start = time.GetTimestamp();
        var interval = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                await attempt();
                return;
            }
            catch (Exception) when (time.GetElapsedTime(start) + interval <= TimeSpan.FromSeconds(10))
            {
                var jitter = 1 + ((Random.Shared.NextDouble() * 0.2) - 0.1);
                await Task.Delay(interval * jitter, time, ct);
                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 3, TimeSpan.FromSeconds(3).Ticks));
            }
        }
    }

}
