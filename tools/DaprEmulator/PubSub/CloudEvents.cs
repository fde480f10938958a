using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprEmulator.GoFormats;

namespace DaprEmulator.PubSub;

// The CloudEvent envelope as daprd builds it: components-contrib pubsub/envelope.go
// (NewCloudEventsEnvelope, FromCloudEvent, ApplyMetadata) and dapr pkg/runtime/pubsub/cloudevents.go
// (NewCloudEvent with the "cloudevent.*" metadata overrides).
public static class CloudEvents
{
    public const string DefaultType = "com.dapr.event.sent";
    public const string DefaultSource = "Dapr";
    public const string DefaultDataContentType = "text/plain";

    private static readonly string[] OverrideKeys = ["id", "source", "type", "subject", "traceid", "traceparent", "tracestate"];

    // pkg/runtime/pubsub NewCloudEvent: a CloudEvent sent by the publisher is kept; otherwise a new
    // envelope, where metadata "cloudevent.<field>" (matched ignoring case) overrides the field.
    public static JsonObject ForPublish(
        byte[] data, string? dataContentType, string topic, string pubsub, string appId,
        string traceParent, string traceState, IReadOnlyDictionary<string, string> metadata, DateTimeOffset now)
    {
        if (ContentTypes.IsCloudEvent(dataContentType))
        {
            return FromCloudEvent(data, topic, pubsub, traceParent, traceState, now);
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = appId,
            ["traceid"] = traceParent,
            ["tracestate"] = traceState,
        };
        foreach (var (key, value) in metadata)
        {
            if (key.StartsWith("cloudevent.", StringComparison.OrdinalIgnoreCase))
            {
                var field = key["cloudevent.".Length..].ToLowerInvariant();
                if (OverrideKeys.Contains(field))
                {
                    fields[field] = value;
                }
            }
        }

        var traceId = fields.GetValueOrDefault("traceparent") is { Length: > 0 } tp ? tp : fields["traceid"];
        var envelope = NewEnvelope(
            fields.GetValueOrDefault("id"), fields["source"], fields.GetValueOrDefault("type"), fields.GetValueOrDefault("subject"),
            topic, pubsub, dataContentType, data, traceId, fields["tracestate"], now);
        ApplyTtl(envelope, metadata, now);
        return envelope;
    }

    public static JsonObject NewEnvelope(
        string? id, string? source, string? eventType, string? subject, string topic, string pubsub,
        string? dataContentType, byte[] data, string traceParent, string traceState, DateTimeOffset now)
    {
        dataContentType = string.IsNullOrEmpty(dataContentType) ? DefaultDataContentType : dataContentType;
        var envelope = new JsonObject
        {
            ["id"] = string.IsNullOrEmpty(id) ? Guid.NewGuid().ToString() : id,
            ["specversion"] = "1.0",
            ["datacontenttype"] = dataContentType,
            ["source"] = string.IsNullOrEmpty(source) ? DefaultSource : source,
            ["type"] = string.IsNullOrEmpty(eventType) ? DefaultType : eventType,
            ["topic"] = topic,
            ["pubsubname"] = pubsub,
            ["traceid"] = traceParent,
            ["traceparent"] = traceParent,
            ["tracestate"] = traceState,
            ["time"] = FormatTime(now),
        };
        if (ContentTypes.IsJson(dataContentType))
        {
            envelope["data"] = TryParse(data) ?? JsonValue.Create(Encoding.UTF8.GetString(data));
        }
        else if (ContentTypes.IsBinary(dataContentType) || IsProtobuf(dataContentType))
        {
            envelope["data_base64"] = Convert.ToBase64String(data);
        }
        else
        {
            envelope["data"] = Encoding.UTF8.GetString(data);
        }

        if (!string.IsNullOrEmpty(subject))
        {
            envelope["subject"] = subject;
        }

        return envelope;
    }

    public static JsonObject FromCloudEvent(byte[] cloudEvent, string topic, string pubsub, string traceParent, string traceState, DateTimeOffset now)
    {
        var ce = Parse(cloudEvent);
        ce["time"] ??= FormatTime(now);
        if (!ce.ContainsKey("traceid"))
        {
            ce["traceid"] = traceParent;
            ce["traceparent"] = traceParent;
        }

        if (!ce.ContainsKey("tracestate"))
        {
            ce["tracestate"] = traceState;
        }

        ce["topic"] = topic;
        ce["pubsubname"] = pubsub;
        ce["source"] ??= DefaultSource;
        ce["type"] ??= DefaultType;
        ce["specversion"] ??= "1.0";
        return ce;
    }

    public static JsonObject Parse(byte[] json) =>
        JsonNode.Parse(json) as JsonObject ?? throw new JsonException("the CloudEvent is not a JSON object");

    // pubsub.ApplyMetadata: daprd sets "expiration" from ttlInSeconds when the component has no
    // native message TTL (Redis streams and in-memory have none).
    private static void ApplyTtl(JsonObject envelope, IReadOnlyDictionary<string, string> metadata, DateTimeOffset now)
    {
        if (!metadata.TryGetValue("ttlInSeconds", out var text) || text.Length == 0)
        {
            return;
        }

        TimeSpan ttl;
        try
        {
            ttl = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : GoDuration.Parse(text);
        }
        catch (FormatException)
        {
            return;
        }

        if (ttl > TimeSpan.Zero)
        {
            envelope["expiration"] = FormatTime(now.ToUniversalTime() + ttl);
        }
    }

    public static bool HasExpired(JsonObject ce, DateTimeOffset now) =>
        ce["expiration"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 &&
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && at < now;

    public static string? GetString(JsonObject ce, string field) =>
        ce[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : ce[field]?.ToJsonString();

    // Go time.RFC3339 ("2006-01-02T15:04:05Z07:00"): seconds precision, "Z" for UTC.
    public static string FormatTime(DateTimeOffset t) =>
        t.Offset == TimeSpan.Zero
            ? t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    // Go marshals a map with its keys sorted; do the same so envelopes look like daprd's.
    public static byte[] Serialize(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(node, writer);
        }

        return buffer.ToArray();
    }

    private static void Write(JsonNode? node, Utf8JsonWriter writer)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(item, writer);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    private static JsonNode? TryParse(byte[] data)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsProtobuf(string contentType) =>
        contentType.StartsWith("application/cloudevents+protobuf", StringComparison.OrdinalIgnoreCase);
}
