using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrderDapr.Contracts;

// Maps events to and from their stored shape. Older shapes are upcast on read, so a
// stream written by an earlier release replays with the current code.
public static class EventSerializer
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private static readonly FrozenDictionary<Type, string> NamesByType = typeof(OrderEvent).Assembly
        .GetTypes()
        .Where(t => t.IsSubclassOf(typeof(OrderEvent)) && !t.IsAbstract)
        .ToFrozenDictionary(
            t => t,
            t => t.GetCustomAttribute<EventTypeAttribute>()?.Name
                 ?? throw new InvalidOperationException($"{t.Name} has no [EventType]: its stored name would follow the class name."));

    private static readonly FrozenDictionary<string, Type> TypesByName =
        NamesByType.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    // Upcasters from a retired stored name to (current name, current shape).
    private static readonly FrozenDictionary<string, Func<JsonObject, (string Type, JsonObject Data)>> Upcasters =
        new Dictionary<string, Func<JsonObject, (string, JsonObject)>>(StringComparer.Ordinal)
        {
            // v1 orders were priced in the only currency the first release sold in.
            ["OrderCreated.v1"] = data =>
            {
                data["currency"] = "USD";
                return ("OrderCreated.v2", data);
            },
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public static string TypeNameOf(OrderEvent @event) => NamesByType[@event.GetType()];

    public static string TypeNameOf<TEvent>() where TEvent : OrderEvent => NamesByType[typeof(TEvent)];

    // Every name a subscriber may see: the current ones and the retired ones still upcast.
    public static IReadOnlyList<string> KnownTypeNames { get; } =
        [.. TypesByName.Keys.Concat(Upcasters.Keys).Order(StringComparer.Ordinal)];

    public static bool IsKnownType(string typeName) =>
        TypesByName.ContainsKey(typeName) || Upcasters.ContainsKey(typeName);

    public static JsonElement ToData(OrderEvent @event) =>
        JsonSerializer.SerializeToElement(@event, @event.GetType(), Options);

    // Reads a stored or published event, upcasting retired shapes first.
    // Throws UnknownEventTypeException for a name no release ever wrote.
    public static OrderEvent FromData(string typeName, JsonElement data)
    {
        if (Upcasters.TryGetValue(typeName, out var upcast))
        {
            var node = JsonNode.Parse(data.GetRawText()) as JsonObject
                       ?? throw new JsonException($"Event {typeName} has no JSON object as data.");
            var (currentName, currentData) = upcast(node);
            return FromData(currentName, JsonSerializer.SerializeToElement(currentData, Options));
        }

        if (!TypesByName.TryGetValue(typeName, out var type))
        {
            throw new UnknownEventTypeException(typeName);
        }

        return (OrderEvent)(data.Deserialize(type, Options)
                            ?? throw new JsonException($"Event {typeName} has null data."));
    }

    public static OrderEvent FromEnvelope(EventEnvelope envelope) => FromData(envelope.Type, envelope.Data);
}

public sealed class UnknownEventTypeException(string typeName)
    : Exception($"No release of OrderDapr wrote an event of type '{typeName}'.")
{
    public string TypeName { get; } = typeName;
}
