using System.Globalization;
using System.Text;

namespace OrderDapr.EndToEnd.Tests.Fixtures;

// The whole system as its public APIs show it: the events order-command stored (its stream
// index, GET /streams), the events that reached the broker (the probe subscriber), each stored
// order as order-query's GraphQL shows it, and how many events order-query parked.
public sealed class SystemView
{
    // Order id -> the ids of its stored events, oldest first.
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Stored { get; init; }

    // The event ids (data.eventId) of every CloudEvent delivered on `orders`, each once.
    public required IReadOnlySet<string> Published { get; init; }

    // Order id (every stored one) -> the version GraphQL shows; 0 when it shows no such order.
    public required IReadOnlyDictionary<string, int> Projected { get; init; }

    public required int DeadLetters { get; init; }

    // Nothing in flight: every stored event reached the broker and order-query shows every order
    // at its stored version.
    public bool IsSettled => Stored.All(s => s.Value.All(Published.Contains) && Projected.GetValueOrDefault(s.Key) == s.Value.Count);

    // What keeps the view from being settled, one line each.
    public string Unsettled()
    {
        var text = new StringBuilder();
        foreach (var (orderId, events) in Stored.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            foreach (var eventId in events.Where(e => !Published.Contains(e)))
            {
                text.Append(CultureInfo.InvariantCulture, $"order {orderId}: event {eventId} stored, never delivered to the probe\n");
            }

            if (Projected.GetValueOrDefault(orderId) != events.Count)
            {
                text.Append(CultureInfo.InvariantCulture, $"order {orderId}: stored at v{events.Count}, GraphQL shows v{Projected.GetValueOrDefault(orderId)}\n");
            }
        }

        return text.ToString();
    }

    // One line per fact, in a fixed order: two views are the same when their texts are.
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (orderId, events) in Stored.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"stored {orderId}: {string.Join(',', events)}\n");
            text.Append(CultureInfo.InvariantCulture, $"projected {orderId}: v{Projected.GetValueOrDefault(orderId)}\n");
        }

        foreach (var eventId in Published.Order(StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"published {eventId}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"dead letters: {DeadLetters}\n");
        return text.ToString();
    }
}
