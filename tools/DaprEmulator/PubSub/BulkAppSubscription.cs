using System.Text.Json;
using System.Text.Json.Nodes;
using DaprEmulator.PubSub.Cel;
using DaprEmulator.Resiliency;

namespace DaprEmulator.PubSub;

// The bulk handler daprd registers for one app subscription with bulkSubscribe enabled (dapr
// pkg/runtime/subscription/bulksubscription.go bulkSubscribeTopic, bulkresiliency.go): read each
// entry's CloudEvent, drop it if expired, pick its path with the routing rules (no match: dropped, or
// dead-lettered), then per path one POST of the entries (AppBulkDelivery) under the component's
// inbound resiliency policy, each retry re-sending only the entries that failed. Entries still failed
// at the end go to the dead-letter topic if there is one (a bulk publish), else their errors go back
// to the component (Redis >= 1.17 acknowledges them: dropped, logged). Entries the app answered DROP
// are dead-lettered one by one as they come; a 404 drops the whole request without dead-lettering.
public sealed class BulkAppSubscription(
    SubscriptionSpec spec,
    HttpClient app,
    RetryPolicy? retry,
    SubscriptionOutcomes outcomes,
    TimeProvider time,
    ILogger logger)
{
    public async Task<IReadOnlyDictionary<string, string>> HandleAsync(IReadOnlyList<BulkEntry> entries, CancellationToken ct)
    {
        // The bulk message's metadata: sent as the envelope's metadata and as HTTP headers.
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["pubsubName"] = spec.PubSubName };
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var read = new Dictionary<string, (BulkEntry Entry, string? Id)>(StringComparer.Ordinal);
        var byPath = new Dictionary<string, List<BulkDeliveryEntry>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            JsonObject cloudEvent;
            try
            {
                cloudEvent = CloudEvents.Parse(entry.Event);
            }
            catch (JsonException e)
            {
                logger.LogError("error deserializing one of the messages in bulk cloud event in pubsub {PubSub} and topic {Topic}: {Error}", spec.PubSubName, spec.Topic, e.Message);
                errors[entry.EntryId] = e.Message;
                continue;
            }

            var id = CloudEvents.GetString(cloudEvent, "id");
            read[entry.EntryId] = (entry, id);
            if (CloudEvents.HasExpired(cloudEvent, time.GetUtcNow()))
            {
                logger.LogWarning("dropping expired pub/sub event {Id} as of {Expiration}", id, CloudEvents.GetString(cloudEvent, "expiration"));
                outcomes.Record(id, null, DeliveryOutcome.Dropped, "expired");
                await outcomes.TryDeadLetterAsync(entry.Event, entry.Metadata, entry.ContentType, id, null);
                continue;
            }

            string? path;
            try
            {
                path = spec.Route(cloudEvent);
            }
            catch (CelEvaluationException e)
            {
                logger.LogError("Error finding matching route for event in bulk subscribe {PubSub} and topic {Topic} for entry id {EntryId}: {Error}", spec.PubSubName, spec.Topic, entry.EntryId, e.Message);
                errors[entry.EntryId] = e.Message;
                continue;
            }

            if (path is null)
            {
                logger.LogWarning("No matching route for event in pubsub {PubSub} and topic {Topic}; skipping", spec.PubSubName, spec.Topic);
                outcomes.Record(id, null, DeliveryOutcome.Dropped, "no matching route");
                await outcomes.TryDeadLetterAsync(entry.Event, entry.Metadata, entry.ContentType, id, null);
                continue;
            }

            if (!byPath.TryGetValue(path, out var list))
            {
                byPath[path] = list = [];
            }

            list.Add(new BulkDeliveryEntry(entry.EntryId, cloudEvent, entry.Metadata, entry.ContentType ?? ContentTypes.CloudEvent));
        }

        foreach (var (path, list) in byPath)
        {
            foreach (var (entryId, error) in await DeliverAsync(path, list, metadata, read, ct))
            {
                errors[entryId] = error;
            }
        }

        if (errors.Count == 0)
        {
            return errors;
        }

        // sendBulkToDLQIfConfigured: a bulk publish of the failed entries. When every one of them is
        // published, the whole batch counts as processed.
        var failed = entries.Where(e => errors.ContainsKey(e.EntryId)).ToList();
        if (spec.DeadLetterTopic is not null && await AllDeadLetteredAsync(failed))
        {
            return new Dictionary<string, string>();
        }

        foreach (var entry in failed)
        {
            outcomes.Record(IdOf(entry), null, DeliveryOutcome.Failed, errors[entry.EntryId]);
        }

        return errors;

        string? IdOf(BulkEntry entry) => read.TryGetValue(entry.EntryId, out var r) ? r.Id : null;

        // Stops at the first that cannot be published, as the bulk publish of the failed entries does.
        async Task<bool> AllDeadLetteredAsync(List<BulkEntry> entries)
        {
            foreach (var entry in entries)
            {
                if (!await outcomes.TryDeadLetterAsync(entry.Event, entry.Metadata, entry.ContentType, IdOf(entry), null))
                {
                    return false;
                }
            }

            return true;
        }
    }

    // applyBulkSubscribeResiliency: the errors of the entries that never succeeded.
    private async Task<Dictionary<string, string>> DeliverAsync(
        string path, List<BulkDeliveryEntry> pending, Dictionary<string, string> metadata,
        Dictionary<string, (BulkEntry Entry, string? Id)> read, CancellationToken ct)
    {
        // The envelope is built once per path: its id stays the same across retries.
        var envelopeId = Guid.NewGuid().ToString();
        var backoff = retry?.NewBackoff(time);
        while (true)
        {
            var answers = await AppBulkDelivery.DeliverAsync(app, path, envelopeId, spec.Topic, spec.PubSubName, metadata, pending, ct);
            var failed = new List<BulkDeliveryEntry>();
            foreach (var entry in pending)
            {
                var (original, id) = read[entry.EntryId];
                var answer = answers[entry.EntryId];
                switch (answer.Status)
                {
                    case BulkEntryStatus.Success:
                        outcomes.Record(id, path, DeliveryOutcome.Delivered, null);
                        break;
                    case BulkEntryStatus.NotFound:
                        outcomes.Record(id, path, DeliveryOutcome.Dropped, answer.Error);
                        break;
                    case BulkEntryStatus.Drop:
                        logger.LogWarning("DROP status returned from app while processing pub/sub event {EntryId}", entry.EntryId);
                        outcomes.Record(id, path, DeliveryOutcome.Dropped, answer.Error);
                        await outcomes.TryDeadLetterAsync(original.Event, original.Metadata, original.ContentType, id, path);
                        break;
                    default:
                        outcomes.Record(id, path, DeliveryOutcome.AttemptFailed, answer.Error);
                        failed.Add(entry);
                        break;
                }
            }

            if (failed.Count == 0)
            {
                return [];
            }

            logger.LogWarning("few message(s) have failed during bulk subscribe operation on topic {Topic}: {Count} of {Sent}", spec.Topic, failed.Count, pending.Count);
            if (backoff?.Next() is { } delay)
            {
                await Task.Delay(delay, time, ct);
                pending = failed;
                continue;
            }

            // The subscription stopped (shutdown): nothing is dead-lettered or acknowledged.
            ct.ThrowIfCancellationRequested();
            return failed.ToDictionary(e => e.EntryId, e => answers[e.EntryId].Error ?? "", StringComparer.Ordinal);
        }
    }
}
