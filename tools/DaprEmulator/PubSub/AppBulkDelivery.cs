using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprEmulator.PubSub;

public enum BulkEntryStatus
{
    Success,

    // RETRY, an empty, unknown or missing status, or the whole call failed: the policy may retry it.
    Retry,

    // DROP: not retried; to the dead-letter topic when there is one.
    Drop,

    // The app answered 404: every entry is dropped, none is dead-lettered.
    NotFound,
}

public sealed record BulkEntryAnswer(BulkEntryStatus Status, string? Error = null);

// One entry of a bulk delivery (pkg/runtime/pubsub BulkSubscribeMessageItem).
public sealed record BulkDeliveryEntry(string EntryId, JsonObject CloudEvent, IReadOnlyDictionary<string, string> Metadata, string ContentType);

// POST of a batch of events to one path of the app, and the reading of its answer, as dapr
// pkg/runtime/subscription/postman/http DeliverBulk does it. The envelope is
// NewBulkSubscribeEnvelope's map: {entries, id, metadata, pubsubname, topic, type}.
public static class AppBulkDelivery
{
    // components-contrib pubsub/envelope.go DefaultBulkEventType.
    public const string EventType = "com.dapr.event.sent.bulk";

    public static async Task<IReadOnlyDictionary<string, BulkEntryAnswer>> DeliverAsync(
        HttpClient app, string path, string envelopeId, string topic, string pubsub, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyList<BulkDeliveryEntry> entries, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/'))
        {
            Content = new ByteArrayContent(Envelope(envelopeId, topic, pubsub, metadata, entries)),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentTypes.Json);

        // One callback span per entry is started on the same context, so the call carries the trace
        // of the last entry that has one.
        var traced = entries.Select(e => e.CloudEvent).LastOrDefault(HasTrace) ?? entries[^1].CloudEvent;
        foreach (var (name, value) in AppDelivery.Headers(metadata, traced))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        HttpResponseMessage response;
        try
        {
            response = await app.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            return All(entries, BulkEntryStatus.Retry, $"error from app channel while sending pub/sub event to app: {e.Message}");
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            var status = (int)response.StatusCode;
            if (status is >= 200 and <= 299)
            {
                List<(string? EntryId, string? Status)> statuses;
                try
                {
                    statuses = ReadStatuses(body);
                }
                catch (JsonException e)
                {
                    return All(entries, BulkEntryStatus.Retry, $"failed unmarshalling app response for bulk subscribe: {e.Message}");
                }

                return Answers(entries, statuses);
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return All(entries, BulkEntryStatus.NotFound, $"Non-retriable error returned from app while processing bulk pub/sub event. status code returned: {status}");
            }

            return All(entries, BulkEntryStatus.Retry, $"Retriable error returned from app while processing bulk pub/sub event, topic: {topic}. status code returned: {status}");
        }
    }

    private static Dictionary<string, BulkEntryAnswer> Answers(IReadOnlyList<BulkDeliveryEntry> entries, List<(string? EntryId, string? Status)> statuses)
    {
        var answers = new Dictionary<string, BulkEntryAnswer>(StringComparer.Ordinal);
        var sent = entries.Select(e => e.EntryId).ToHashSet(StringComparer.Ordinal);
        foreach (var (entryId, status) in statuses)
        {
            if (entryId is null || !sent.Contains(entryId))
            {
                continue;
            }

            // Statuses are compared exactly (AppResponseStatus constants); a later answer for the same entry wins.
            answers[entryId] = status switch
            {
                null or "" or "RETRY" => new(BulkEntryStatus.Retry, $"RETRY required while processing bulk subscribe event for entry id: {entryId}"),
                "SUCCESS" => new(BulkEntryStatus.Success),
                "DROP" => new(BulkEntryStatus.Drop, $"DROP status returned from app while processing pub/sub event {entryId}"),
                _ => new(BulkEntryStatus.Retry, $"unknown status returned from app while processing bulk subscribe event {entryId}: {status}"),
            };
        }

        foreach (var entry in entries.Where(e => !answers.ContainsKey(e.EntryId)))
        {
            answers[entry.EntryId] = new(BulkEntryStatus.Retry, $"response not received, RETRY required while processing bulk subscribe event for entry id: {entry.EntryId}");
        }

        return answers;
    }

    private static Dictionary<string, BulkEntryAnswer> All(IReadOnlyList<BulkDeliveryEntry> entries, BulkEntryStatus status, string error) =>
        entries.ToDictionary(e => e.EntryId, _ => new BulkEntryAnswer(status, error), StringComparer.Ordinal);

    private static bool HasTrace(JsonObject cloudEvent) =>
        (cloudEvent["traceparent"] ?? cloudEvent["traceid"]) is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    // Go's json.Marshal of the envelope: map keys sorted, struct fields in declaration order,
    // contentType omitted when empty.
    private static byte[] Envelope(string id, string topic, string pubsub, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<BulkDeliveryEntry> entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("entries");
            foreach (var entry in entries)
            {
                writer.WriteStartObject();
                writer.WriteString("entryId", entry.EntryId);
                writer.WritePropertyName("event");
                writer.WriteRawValue(CloudEvents.Serialize(entry.CloudEvent), skipInputValidation: true);
                writer.WritePropertyName("metadata");
                WriteMap(writer, entry.Metadata);
                if (entry.ContentType.Length > 0)
                {
                    writer.WriteString("contentType", entry.ContentType);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("id", id);
            writer.WritePropertyName("metadata");
            WriteMap(writer, metadata);
            writer.WriteString("pubsubname", pubsub);
            writer.WriteString("topic", topic);
            writer.WriteString("type", EventType);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteMap(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> map)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    // json.Decoder into AppBulkResponse {statuses: [{entryId, status}]}: field names match ignoring
    // case, unknown fields are ignored, null is the zero value, any other type mismatch (or an empty
    // body: io.EOF) is an error.
    private static List<(string? EntryId, string? Status)> ReadStatuses(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var result = new List<(string?, string?)>();
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        Expect(root, JsonValueKind.Object);
        foreach (var statuses in root.EnumerateObject().Where(p => string.Equals(p.Name, "statuses", StringComparison.OrdinalIgnoreCase)))
        {
            if (statuses.Value.ValueKind == JsonValueKind.Null)
            {
                result.Clear();
                continue;
            }

            Expect(statuses.Value, JsonValueKind.Array);
            result.Clear();
            foreach (var item in statuses.Value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Null)
                {
                    result.Add(("", null));
                    continue;
                }

                Expect(item, JsonValueKind.Object);
                string? entryId = "", status = null;
                foreach (var field in item.EnumerateObject())
                {
                    if (string.Equals(field.Name, "entryId", StringComparison.OrdinalIgnoreCase))
                    {
                        entryId = StringOrNull(field.Value) ?? entryId;
                    }
                    else if (string.Equals(field.Name, "status", StringComparison.OrdinalIgnoreCase))
                    {
                        status = StringOrNull(field.Value) ?? status;
                    }
                }

                result.Add((entryId, status));
            }
        }

        return result;
    }

    private static string? StringOrNull(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Expect(value, JsonValueKind.String);
        return value.GetString();
    }

    private static void Expect(JsonElement value, JsonValueKind kind)
    {
        if (value.ValueKind != kind)
        {
            throw new JsonException($"json: cannot unmarshal {value.ValueKind} into a field of type {kind}");
        }
    }
}
