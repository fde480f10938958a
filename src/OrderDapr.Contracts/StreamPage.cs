namespace OrderDapr.Contracts;

// One page of every order stream order-command holds, in the order of its stream index:
// GET /streams?after={cursor}&limit={n} on order-command, called by order-query (through Dapr
// service invocation) to rebuild its read model. NextCursor is null after the last page.
public sealed record StreamPage(IReadOnlyList<OrderStreamEvents> Streams, string? NextCursor);

public sealed record OrderStreamEvents(string OrderId, IReadOnlyList<EventEnvelope> Events);

public static class StreamPages
{
    public const string Route = "/streams";
    public const int MaxLimit = 500;
}
