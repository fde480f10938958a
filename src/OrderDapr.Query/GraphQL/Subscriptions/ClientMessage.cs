using System.Text.Json;

namespace OrderDapr.Query.GraphQL.Subscriptions;

// A message of the client, checked against the shapes graphql-transport-ws gives each type.
public sealed record ClientMessage(string Type, string? Id, JsonElement? Payload)
{
    public const string ConnectionInit = "connection_init";
    public const string Ping = "ping";
    public const string Pong = "pong";
    public const string Subscribe = "subscribe";
    public const string Complete = "complete";

    // The message, or why it is invalid (the reason of close 4400).
    public static (ClientMessage? Message, string? Invalid) Parse(ReadOnlyMemory<byte> text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, "Invalid message received: not JSON");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, "Message is expected to be an object");
        }

        if (!root.TryGetProperty("type", out var typeProperty) || typeProperty.ValueKind != JsonValueKind.String)
        {
            return (null, "Message is missing the 'type' property");
        }

        var type = typeProperty.GetString()!;
        var id = root.TryGetProperty("id", out var idProperty) && idProperty.ValueKind == JsonValueKind.String ? idProperty.GetString() : null;
        JsonElement? payload = root.TryGetProperty("payload", out var payloadProperty) && payloadProperty.ValueKind != JsonValueKind.Null
            ? payloadProperty
            : null;

        switch (type)
        {
            case ConnectionInit or Ping or Pong:
                return payload is { ValueKind: not JsonValueKind.Object }
                    ? (null, $"\"{type}\" message expects the 'payload' property to be an object or nullish or missing")
                    : (new ClientMessage(type, null, payload), null);
            case Subscribe:
                if (string.IsNullOrEmpty(id))
                {
                    return (null, "\"subscribe\" message expects the 'id' property to be a string, but got none");
                }

                if (payload is not { ValueKind: JsonValueKind.Object } request)
                {
                    return (null, "\"subscribe\" message expects the 'payload' property to be an object");
                }

                if (!request.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.String)
                {
                    return (null, "\"subscribe\" message payload expects the 'query' property to be a string");
                }

                if (!Nullish(request, "operationName", JsonValueKind.String) || !Nullish(request, "variables", JsonValueKind.Object)
                    || !Nullish(request, "extensions", JsonValueKind.Object))
                {
                    return (null, "\"subscribe\" message payload has an operationName that is no string, or variables or extensions that are no object");
                }

                return (new ClientMessage(type, id, payload), null);
            case Complete:
                return string.IsNullOrEmpty(id)
                    ? (null, "\"complete\" message expects the 'id' property to be a string, but got none")
                    : (new ClientMessage(type, id, null), null);
            default:
                // connection_ack, next and error travel from the server only.
                return (null, $"Unexpected message of type {type} received");
        }
    }

    private static bool Nullish(JsonElement payload, string property, JsonValueKind kind) =>
        !payload.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null || value.ValueKind == kind;
}
