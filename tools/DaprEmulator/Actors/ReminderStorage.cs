using System.Text;
using System.Text.Json;

namespace DaprEmulator.Actors;

// Reminders live in the actor state store of the app hosting the type, in the layout daprd used
// before the Scheduler service took reminders over (pkg/actors/reminders, Dapr <= 1.13, without
// partitions, JSON encoding):
//   actors||{actorType}            JSON array of the type's reminders
//   actors||{actorType}||metadata  {"id":"00000000-…","actorRemindersMetadata":{"partitionCount":0}}
//   {actorType}||{actorId}||{name} the reminder's track: {"lastFiredTime","repetitionLeft"}
// Like daprd's, these keys carry no app id. "ttl" is an emulator addition (daprd kept only the
// expirationTime it computed); readers that do not know it ignore it.
internal static class ReminderStorage
{
    private const string NilMetadataId = "00000000-0000-0000-0000-000000000000";

    public static string TypeKey(string actorType) => $"actors||{actorType}";

    public static string MetadataKey(string actorType) => $"actors||{actorType}||metadata";

    public static string TrackKey(string actorType, string actorId, string name) => $"{actorType}||{actorId}||{name}";

    public sealed record Record(
        string ActorId,
        string Name,
        string? Data,
        string DueTime,
        string Period,
        string Ttl,
        DateTimeOffset RegisteredTime,
        DateTimeOffset? ExpirationTime);

    public sealed record Track(DateTimeOffset? LastFiredTime, int RepetitionLeft);

    public static async Task<(List<Record> Records, string? ETag)> ReadAsync(IActorStateStorage storage, string actorType, CancellationToken ct)
    {
        var (metadata, _) = await storage.GetAsync(MetadataKey(actorType), ct);
        if (metadata is { Length: > 0 })
        {
            using var doc = JsonDocument.Parse(metadata);
            if (doc.RootElement.TryGetProperty("actorRemindersMetadata", out var m)
                && m.TryGetProperty("partitionCount", out var count)
                && count.GetInt32() > 0)
            {
                throw new NotSupportedException(
                    $"the reminders of actor type {actorType} are stored in {count.GetInt32()} partitions; partitioned reminder storage is not supported by the emulator");
            }
        }

        var (value, etag) = await storage.GetAsync(TypeKey(actorType), ct);
        if (value is not { Length: > 0 })
        {
            return ([], etag);
        }

        if (value.AsSpan().StartsWith("\0pb"u8))
        {
            throw new NotSupportedException(
                $"the reminders of actor type {actorType} are stored as protobuf; only the JSON reminder encoding is supported by the emulator");
        }

        using var document = JsonDocument.Parse(value);
        var records = new List<Record>();
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            return (records, etag);
        }

        foreach (var item in document.RootElement.EnumerateArray())
        {
            records.Add(new Record(
                String(item, "actorID"),
                String(item, "name"),
                item.TryGetProperty("data", out var data) ? data.GetRawText() : null,
                String(item, "dueTime"),
                String(item, "period"),
                String(item, "ttl"),
                Time(item, "registeredTime") ?? DateTimeOffset.MinValue,
                Time(item, "expirationTime")));
        }

        return (records, etag);
    }

    public static async Task<Track?> ReadTrackAsync(IActorStateStorage storage, string actorType, string actorId, string name, CancellationToken ct)
    {
        var (value, _) = await storage.GetAsync(TrackKey(actorType, actorId, name), ct);
        if (value is not { Length: > 0 })
        {
            return null;
        }

        using var document = JsonDocument.Parse(value);
        var root = document.RootElement;
        var repetitions = root.TryGetProperty("repetitionLeft", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt32() : -1;
        return new Track(Time(root, "lastFiredTime"), repetitions);
    }

    // The write of the type's list, its metadata and any track operations, as one transaction
    // guarded by the list's ETag (daprd used first-write-wins on the partition the same way).
    public static IReadOnlyList<ActorStateOperation> ListOperations(string actorType, IEnumerable<Record> records, string? etag, params ActorStateOperation[] more) =>
    [
        new(TypeKey(actorType), Serialize(actorType, records), etag),
        new(MetadataKey(actorType), Encoding.UTF8.GetBytes($"{{\"id\":\"{NilMetadataId}\",\"actorRemindersMetadata\":{{\"partitionCount\":0}}}}")),
        .. more,
    ];

    public static ActorStateOperation TrackOperation(string actorType, string actorId, string name, DateTimeOffset lastFiredTime, int repetitionLeft) =>
        new(TrackKey(actorType, actorId, name), Encoding.UTF8.GetBytes(
            $"{{\"lastFiredTime\":\"{DaprTime.FormatRfc3339Nano(lastFiredTime)}\",\"repetitionLeft\":{repetitionLeft}}}"));

    public static ActorStateOperation DeleteTrackOperation(string actorType, string actorId, string name) =>
        new(TrackKey(actorType, actorId, name), null);

    private static byte[] Serialize(string actorType, IEnumerable<Record> records)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var record in records)
            {
                writer.WriteStartObject();
                writer.WriteString("actorID", record.ActorId);
                writer.WriteString("actorType", actorType);
                writer.WriteString("name", record.Name);
                if (record.Data is { } data)
                {
                    writer.WritePropertyName("data");
                    writer.WriteRawValue(data);
                }

                if (record.Period.Length > 0)
                {
                    writer.WriteString("period", record.Period);
                }

                writer.WriteString("registeredTime", DaprTime.FormatRfc3339Nano(record.RegisteredTime));
                if (record.DueTime.Length > 0)
                {
                    writer.WriteString("dueTime", record.DueTime);
                }

                if (record.ExpirationTime is { } expiration)
                {
                    writer.WriteString("expirationTime", DaprTime.FormatRfc3339Nano(expiration));
                }

                if (record.Ttl.Length > 0)
                {
                    writer.WriteString("ttl", record.Ttl);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return stream.ToArray();
    }

    private static string String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && DaprTime.TryParseRfc3339(value.GetString()!, out var time)
            ? time
            : null;
}
