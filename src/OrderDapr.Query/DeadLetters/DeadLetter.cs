using System.Text.Json;
using OrderDapr.Query.Projections;

namespace OrderDapr.Query.DeadLetters;

// The document `dead-letter-entry-{id}`: a CloudEvent of topic `orders` that could not be
// projected, why, and where the index lists it. Keyed by the CloudEvent id, so the same event
// parked twice (our DROP, then its delivery on the dead-letter topic) is one dead letter.
public sealed record DeadLetter(string Id, string? Type, string? OrderId, int? Version, string Reason, DateTimeOffset ParkedAt, JsonElement Event)
{
    // The reason of an event that reached the dead-letter topic without a DROP of ours.
    public const string DeliveryFailed = "delivery failed after retries";

    public int Page { get; init; }

    public long Sequence { get; init; }

    public static DeadLetter Of(OrderCloudEvent cloudEvent, string reason, DateTimeOffset parkedAt) =>
        new(cloudEvent.Id, cloudEvent.Type, cloudEvent.OrderId, cloudEvent.Version, reason, parkedAt, cloudEvent.Raw);
}

// The dead letters' keys in the `readmodel` store: outside every read-model generation (whose
// keys start with order-, customer- or g{n}-), and each family with its own fixed prefix.
public static class DeadLetterKeys
{
    public const string Head = "dead-letter-index-head";

    public static string Page(int page) => FormattableString.Invariant($"dead-letter-index-page-{page}");

    // Escaped: a CloudEvent id may hold `||`, which Dapr refuses in a key.
    public static string Entry(string id) => $"dead-letter-entry-{Uri.EscapeDataString(id)}";
}
