using OrderDapr.Contracts;

namespace OrderDapr.Query.Projections;

// The CloudEvent types the subscription routes to the projection; anything else is dead-lettered.
// Retired names (e.g. OrderCreated.v1) are routed too: the contracts upcast them.
public static class OrderEventTypes
{
    public static IReadOnlyList<string> Routed => EventSerializer.KnownTypeNames;
}
