using DaprEmulator.Components;
using Grpc.Core;
using DaprEmulator.PubSub;

namespace DaprEmulator.Api;

public sealed record BulkPublishEntry(string EntryId, byte[] Event, string ContentType, IReadOnlyDictionary<string, string> Metadata);

// Publishing as dapr pkg/api/grpc PublishEvent/bulkPublishEvent and pkg/api/http onPublish do it:
// check the pub/sub and topic, wrap the data in a CloudEvent (unless metadata rawPayload=true),
// hand it to the component.
internal sealed class PublishApi(SidecarContext context)
{
    public async Task PublishAsync(
        string pubsub, string topic, byte[] data, string? contentType, IReadOnlyDictionary<string, string> metadata,
        string? traceParent, string? traceState)
    {
        var raw = Validate(pubsub, topic, metadata);
        var (traceId, state) = TraceContext.FromCaller(traceParent, traceState);
        byte[] payload;
        Dictionary<string, string> md = new(metadata, StringComparer.Ordinal);
        if (!raw)
        {
            payload = Envelope(pubsub, topic, data, contentType, metadata, traceId, state);
        }
        else
        {
            payload = data;
            md["traceid"] = traceId;
            md["tracestate"] = state;
        }

        await SendAsync(pubsub, topic, payload, md);
    }

    public async Task<IReadOnlyList<(string EntryId, string Error)>> BulkPublishAsync(
        string pubsub, string topic, IReadOnlyList<BulkPublishEntry> entries, IReadOnlyDictionary<string, string> metadata,
        string? traceParent, string? traceState)
    {
        var raw = Validate(pubsub, topic, metadata);
        var (traceId, state) = TraceContext.FromCaller(traceParent, traceState);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var prepared = new List<(string Id, byte[] Data, Dictionary<string, string> Metadata)>();
        foreach (var entry in entries)
        {
            if (entry.EntryId.Length == 0 || !ids.Add(entry.EntryId))
            {
                throw new DaprApiException(StatusCode.InvalidArgument, 400, "ERR_PUBSUB_EVENTS_SER",
                    $"error marshaling events to bytes for topic {topic} pubsub {pubsub}. error: entryId is duplicated or not present for entry",
                    "DAPR_PUBSUB_MARSHAL_EVENTS", resource: ("pubsub", pubsub));
            }

            // Entry metadata, when present, is the request metadata overridden by the entry's.
            var md = entry.Metadata.Count > 0
                ? new Dictionary<string, string>(metadata.Concat(entry.Metadata).GroupBy(p => p.Key).Select(g => g.Last()), StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
            var data = raw ? entry.Event : Envelope(pubsub, topic, entry.Event, entry.ContentType, md, traceId, state);
            prepared.Add((entry.EntryId, data, md));
        }

        var failed = new List<(string, string)>();
        foreach (var (id, data, md) in prepared)
        {
            try
            {
                await SendAsync(pubsub, topic, data, md);
            }
            catch (DaprApiException e)
            {
                failed.Add((id, e.Message));
            }
        }

        return failed;
    }

    private bool Validate(string pubsub, string topic, IReadOnlyDictionary<string, string> metadata)
    {
        if (context.Components.PubSubs.Count == 0)
        {
            throw DaprErrors.PubSubNotConfigured(pubsub);
        }

        if (pubsub.Length == 0)
        {
            throw DaprErrors.PubSubNameEmpty();
        }

        if (!context.Components.PubSubs.ContainsKey(pubsub))
        {
            throw DaprErrors.PubSubNotFound(pubsub);
        }

        if (topic.Length == 0)
        {
            throw DaprErrors.TopicEmpty(pubsub);
        }

        if (!metadata.TryGetValue("rawPayload", out var raw) || raw.Length == 0)
        {
            return false;
        }

        return GoBool.TryParse(raw, out var value)
            ? value
            : throw DaprErrors.PubSubMetadata(pubsub, $"rawPayload value must be a valid boolean: actual is '{raw}'");
    }

    private byte[] Envelope(string pubsub, string topic, byte[] data, string? contentType, IReadOnlyDictionary<string, string> metadata, string traceParent, string traceState)
    {
        try
        {
            var envelope = CloudEvents.ForPublish(data, contentType, topic, pubsub, context.AppId, traceParent, traceState, metadata, context.Time.GetLocalNow());
            return CloudEvents.Serialize(envelope);
        }
        catch (System.Text.Json.JsonException)
        {
            throw new DaprApiException(StatusCode.InvalidArgument, 500, "ERR_PUBSUB_CLOUD_EVENTS_SER", "cannot create cloudevent",
                "DAPR_PUBSUB_CLOUD_EVENT_CREATION", resource: ("pubsub", pubsub));
        }
    }

    private async Task SendAsync(string pubsub, string topic, byte[] data, IReadOnlyDictionary<string, string> metadata)
    {
        if (context.Faults?.PublishFailure(pubsub, topic) is { } fault)
        {
            throw fault;
        }

        try
        {
            await context.Publisher.PublishAsync(pubsub, topic, data, metadata, null);
        }
        catch (Exception e) when (e is PubSubNotFoundException or PubSubPublishException or ObjectDisposedException)
        {
            throw DaprErrors.PublishFailed(pubsub, topic, e.Message);
        }
    }
}
