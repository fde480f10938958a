using System.Text.Json;
using DaprEmulator.GoFormats;

namespace DaprEmulator.Actors;

// What an app answers on GET /dapr/config (Dapr.Actors ActorRuntime.SerializeSettingsAndRegisteredTypes),
// read the way daprd reads it (pkg/actors RegisterHosted, api.TranslateEntityConfig).
internal sealed record ActorAppConfig(IReadOnlyDictionary<string, TimeSpan> IdleTimeoutByType, bool ReentrancyEnabled, int? RemindersStoragePartitions)
{
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(60);

    public static ActorAppConfig Empty { get; } = new(new Dictionary<string, TimeSpan>(), false, null);

    public IEnumerable<string> ActorTypes => IdleTimeoutByType.Keys;

    public static ActorAppConfig Parse(string json, Action<string> warn)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the app's /dapr/config is not a JSON object");
        }

        var types = Strings(JsonFields.Find(root, "entities"));
        if (types.Count == 0)
        {
            return Empty;
        }

        // Go's time.ParseDuration, as daprd; a bad global value fails the registration.
        var idle = DefaultIdleTimeout;
        if (String(JsonFields.Find(root, "actorIdleTimeout")) is { Length: > 0 } idleText)
        {
            idle = GoDuration.TryParse(idleText, out var parsed)
                ? parsed
                : throw new FormatException($"failed to parse default actor idle timeout: time: invalid duration \"{idleText}\"");
        }

        if (String(JsonFields.Find(root, "drainOngoingCallTimeout")) is { Length: > 0 } drainText && !GoDuration.TryParse(drainText, out _))
        {
            throw new FormatException($"failed to parse drain ongoing call timeout: time: invalid duration \"{drainText}\"");
        }

        var reentrancy = ReentrancyOn(JsonFields.Find(root, "reentrancy"));
        var partitions = JsonFields.Find(root, "remindersStoragePartitions") is { ValueKind: JsonValueKind.Number } p ? p.GetInt32() : (int?)null;

        var idleByType = types.Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => idle, StringComparer.Ordinal);
        if (JsonFields.Find(root, "entitiesConfig") is { ValueKind: JsonValueKind.Array } entityConfigs)
        {
            foreach (var entityConfig in entityConfigs.EnumerateArray())
            {
                // daprd starts an entity config from the 60m default, not from the global value.
                var entityIdle = DefaultIdleTimeout;
                if (String(JsonFields.Find(entityConfig, "actorIdleTimeout")) is { Length: > 0 } text)
                {
                    if (GoDuration.TryParse(text, out var parsed))
                    {
                        entityIdle = parsed;
                    }
                    else
                    {
                        warn($"Invalid actor idle timeout value {text}, using default value 1h0m0s");
                    }
                }

                reentrancy |= ReentrancyOn(JsonFields.Find(entityConfig, "reentrancy"));
                foreach (var entity in Strings(JsonFields.Find(entityConfig, "entities")))
                {
                    if (idleByType.ContainsKey(entity))
                    {
                        idleByType[entity] = entityIdle;
                    }
                    else
                    {
                        warn($"Configuration specified for non-hosted actor type: {entity}");
                    }
                }
            }
        }

        return new ActorAppConfig(idleByType, reentrancy, partitions);
    }

    private static bool ReentrancyOn(JsonElement? reentrancy) =>
        reentrancy is { ValueKind: JsonValueKind.Object } r && JsonFields.Find(r, "enabled") is { ValueKind: JsonValueKind.True };

    private static string? String(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    private static List<string> Strings(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Array } array
            ? [.. array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];
}
