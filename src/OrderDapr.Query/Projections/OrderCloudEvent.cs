using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrderDapr.Contracts;

namespace OrderDapr.Query.Projections;

// A CloudEvent of topic `orders` as delivered (or parked), read once: its id and type, and the
// envelope order-command published as its `data` — or why there is none, with the order id and
// version when those fields at least are readable.
public sealed record OrderCloudEvent(string Id, string? Type, EventEnvelope? Envelope, string? Unreadable, string? OrderId, int? Version, JsonElement Raw)
{
    private static readonly JsonElement Nothing = JsonDocument.Parse("null").RootElement.Clone();

    public static OrderCloudEvent Read(JsonElement cloudEvent)
    {
        var raw = cloudEvent.ValueKind == JsonValueKind.Undefined ? Nothing : cloudEvent.Clone();
        if (raw.ValueKind != JsonValueKind.Object)
        {
            return new OrderCloudEvent(HashId(raw), null, null, "The delivered event is not a CloudEvent object.", null, null, raw);
        }

        var id = StringOf(raw, "id") is { Length: > 0 } given ? given : HashId(raw);
        var type = StringOf(raw, "type");
        if (!raw.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return new OrderCloudEvent(id, type, null, "The CloudEvent's data is not an order event envelope.", null, null, raw);
        }

        try
        {
            var envelope = data.Deserialize<EventEnvelope>(EventSerializer.Options)!;
            return new OrderCloudEvent(id, type, envelope, null, envelope.OrderId, envelope.Version, raw);
        }
        catch (JsonException ex)
        {
            var version = data.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : (int?)null;
            return new OrderCloudEvent(id, type, null, $"The CloudEvent's data is not an order event envelope: {ex.Message}", StringOf(data, "orderId"), version, raw);
        }
    }

    private static string? StringOf(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // Daprd gives every CloudEvent an id; should one come without, its content names it.
    private static string HashId(JsonElement raw) =>
        "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw.GetRawText())));
}
