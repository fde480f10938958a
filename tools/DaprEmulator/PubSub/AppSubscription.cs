using System.Text.Json;
using System.Text.Json.Nodes;
using DaprEmulator.PubSub.Cel;
using DaprEmulator.Resiliency;

namespace DaprEmulator.PubSub;

// The handler daprd registers on the component for one app subscription (dapr
// pkg/runtime/subscription/subscription.go): read the CloudEvent, drop it if expired, pick the path
// with the routing rules (no match: dropped, or dead-lettered), deliver it under the component's
// inbound resiliency policy, and when that fails for good send it to the dead-letter topic if there
// is one, else return the error to the component (Redis >= 1.17 acknowledges it: dropped, logged).
public sealed class AppSubscription(
    SubscriptionSpec spec,
    HttpClient app,
    RetryPolicy? retry,
    SubscriptionOutcomes outcomes,
    TimeProvider time,
    ILogger logger)
{
    public SubscriptionSpec Spec { get; } = spec;

    public async Task HandleAsync(PubSubMessage message, CancellationToken ct)
    {
        var metadata = new Dictionary<string, string>(message.Metadata, StringComparer.Ordinal);
        if (message.ContentType is not null)
        {
            metadata["content-type"] = message.ContentType;
        }

        var contentType = metadata.GetValueOrDefault("content-type") ?? ContentTypes.Json;
        metadata["pubsubName"] = Spec.PubSubName;

        JsonObject cloudEvent;
        var data = message.Data;
        try
        {
            cloudEvent = ReadCloudEvent(message, metadata, contentType, ref data);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            logger.LogError("error deserializing cloud event in pubsub {PubSub} and topic {Topic}: {Error}", Spec.PubSubName, Spec.Topic, e.Message);
            await FailAsync(message, metadata, null, null, e, ct);
            return;
        }

        var id = CloudEvents.GetString(cloudEvent, "id");
        if (CloudEvents.HasExpired(cloudEvent, time.GetUtcNow()))
        {
            logger.LogWarning("dropping expired pub/sub event {Id} as of {Expiration}", id, CloudEvents.GetString(cloudEvent, "expiration"));
            Record(id, null, DeliveryOutcome.Dropped, "expired");
            await TryDeadLetterAsync(message, metadata, id, null);
            return;
        }

        string? path;
        try
        {
            path = Spec.Route(cloudEvent);
        }
        catch (CelEvaluationException e)
        {
            logger.LogError("error finding matching route for event {Id} in pubsub {PubSub} and topic {Topic}: {Error}", id, Spec.PubSubName, Spec.Topic, e.Message);
            await FailAsync(message, metadata, id, null, e, ct);
            return;
        }

        if (path is null)
        {
            logger.LogDebug("no matching route for event {Id} in pubsub {PubSub} and topic {Topic}; skipping", id, Spec.PubSubName, Spec.Topic);
            Record(id, null, DeliveryOutcome.Dropped, "no matching route");
            await TryDeadLetterAsync(message, metadata, id, null);
            return;
        }

        var headers = AppDelivery.Headers(metadata, cloudEvent);
        var backoff = retry?.NewBackoff(time);
        while (true)
        {
            try
            {
                await AppDelivery.DeliverAsync(app, path, data, id, Spec.Topic, headers, ct);
                Record(id, path, DeliveryOutcome.Delivered, null);
                return;
            }
            catch (DroppedDeliveryException e)
            {
                logger.LogWarning("{Reason}", e.Message);
                Record(id, path, DeliveryOutcome.Dropped, e.Message);
                await TryDeadLetterAsync(message, metadata, id, path);
                return;
            }
            catch (RetriableDeliveryException e)
            {
                logger.LogWarning("encountered a retriable error while publishing a subscribed message to topic {Topic}, err: {Error}", Spec.Topic, e.Message);
                Record(id, path, DeliveryOutcome.AttemptFailed, e.Message);
                if (backoff?.Next() is { } delay)
                {
                    await Task.Delay(delay, time, ct);
                    continue;
                }

                await FailAsync(message, metadata, id, path, e, ct);
                return;
            }
        }
    }

    private JsonObject ReadCloudEvent(PubSubMessage message, Dictionary<string, string> metadata, string contentType, ref byte[] data)
    {
        if (RawPayload())
        {
            var raw = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["specversion"] = "1.0",
                ["datacontenttype"] = "application/octet-stream",
                ["source"] = CloudEvents.DefaultSource,
                ["type"] = CloudEvents.DefaultType,
                ["topic"] = message.Topic,
                ["pubsubname"] = Spec.PubSubName,
                ["data_base64"] = Convert.ToBase64String(message.Data),
            };
            if (metadata.TryGetValue("traceid", out var traceId))
            {
                raw["traceid"] = traceId;
            }

            if (metadata.TryGetValue("traceparent", out var traceParent))
            {
                raw["traceparent"] = traceParent;
                raw["traceid"] = traceParent;
            }

            if (metadata.TryGetValue("tracestate", out var traceState))
            {
                raw["tracestate"] = traceState;
            }

            data = CloudEvents.Serialize(raw);
            return raw;
        }

        if (ContentTypes.IsBinary(contentType))
        {
            var binary = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                if (key.StartsWith("ce_", StringComparison.OrdinalIgnoreCase))
                {
                    binary[key[3..].ToLowerInvariant()] = value;
                }
            }

            binary["data"] = Convert.ToBase64String(message.Data);
            binary["datacontenttype"] = contentType;
            return binary;
        }

        var cloudEvent = CloudEvents.Parse(message.Data);
        if (!cloudEvent.ContainsKey("traceid") && metadata.TryGetValue("traceid", out var id))
        {
            cloudEvent["traceid"] = id;
        }

        if (!cloudEvent.ContainsKey("traceparent") && metadata.TryGetValue("traceparent", out var parent))
        {
            cloudEvent["traceparent"] = parent;
            cloudEvent["traceid"] = parent;
        }

        if (!cloudEvent.ContainsKey("tracestate") && metadata.TryGetValue("tracestate", out var state))
        {
            cloudEvent["tracestate"] = state;
        }

        return cloudEvent;
    }

    private bool RawPayload()
    {
        if (!Spec.Metadata.TryGetValue("rawPayload", out var raw) || raw.Length == 0)
        {
            return false;
        }

        return Components.GoBool.TryParse(raw, out var value)
            ? value
            : throw new FormatException($"rawPayload value must be a valid boolean: actual is '{raw}'");
    }

    private async Task FailAsync(PubSubMessage message, Dictionary<string, string> metadata, string? id, string? path, Exception error, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (await TryDeadLetterAsync(message, metadata, id, path))
        {
            return;
        }

        Record(id, path, DeliveryOutcome.Failed, error.Message);
        throw new InvalidOperationException(error.Message, error);
    }

    private Task<bool> TryDeadLetterAsync(PubSubMessage message, Dictionary<string, string> metadata, string? id, string? path) =>
        outcomes.TryDeadLetterAsync(message.Data, metadata, message.ContentType, id, path);

    private void Record(string? id, string? path, DeliveryOutcome outcome, string? detail) => outcomes.Record(id, path, outcome, detail);
}
